// A small HTTP router over node:http: method + path pattern to handler, JSON helpers, body limits.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorAnswer, RouterErrorAnswer } from '../wire/errors.ts';

export interface Request {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  raw: IncomingMessage;
}

export interface Response {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export type Handler = (req: Request) => Promise<Response>;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(typeof body === 'string' ? body : JSON.stringify(body));
  }
}

const MAX_BODY = 64 * 1024;

export async function readJson(req: Request): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req.raw) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) {
      const errors = [{ field: '(body)', rule: `must be at most ${MAX_BODY} bytes` }];
      throw new HttpError(413, { errors } satisfies ErrorAnswer);
    }
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, { errors: [{ field: '(body)', rule: 'must be valid JSON' }] } satisfies ErrorAnswer);
  }
}

interface Route {
  method: string;
  path: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
}

export class Router {
  private routes: Route[] = [];

  on(method: string, path: string, handler: Handler): this {
    const names: string[] = [];
    const pattern = new RegExp(
      '^' +
        path.replace(/:([a-zA-Z]+)/g, (_, name: string) => {
          names.push(name);
          return '([^/]+)';
        }) +
        '$',
    );
    this.routes.push({ method, path, pattern, names, handler });
    return this;
  }

  /** Every registered route, in order: lets a test check a rule (such as a login) over all of them. */
  list(): { method: string; path: string }[] {
    return this.routes.map(({ method, path }) => ({ method, path }));
  }

  async handle(raw: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(raw.url ?? '/', 'http://localhost');
    let response: Response;
    try {
      response = await this.dispatch(raw, url);
    } catch (err) {
      if (err instanceof HttpError) response = { status: err.status, body: err.body };
      else {
        process.stderr.write(
          `http: ${raw.method} ${url.pathname}: ${err instanceof Error ? err.stack : String(err)}\n`,
        );
        response = { status: 500, body: { error: 'internal error' } satisfies RouterErrorAnswer };
      }
    }
    const headers: Record<string, string> = { ...response.headers };
    let payload: string | Buffer | undefined;
    if (Buffer.isBuffer(response.body) || typeof response.body === 'string') payload = response.body;
    else if (response.body !== undefined) {
      payload = `${JSON.stringify(response.body, null, 2)}\n`;
      headers['content-type'] ??= 'application/json; charset=utf-8';
    }
    res.writeHead(response.status, headers);
    res.end(payload);
  }

  private async dispatch(raw: IncomingMessage, url: URL): Promise<Response> {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(url.pathname);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== raw.method) continue;
      const params: Record<string, string> = {};
      route.names.forEach((n, i) => {
        params[n] = decodeURIComponent(m[i + 1]);
      });
      return route.handler({
        method: raw.method,
        path: url.pathname,
        params,
        query: url.searchParams,
        headers: raw.headers,
        raw,
      });
    }
    const answer: RouterErrorAnswer = { error: pathMatched ? 'method not allowed' : 'not found' };
    return { status: pathMatched ? 405 : 404, body: answer };
  }
}
