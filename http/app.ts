// The Fastify instance every route is registered on: zod validation, the `{errors}` refusals, timeouts, headers.
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import helmet from '@fastify/helmet';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { serializerCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { FieldError } from '../domain/field-error.ts';
import type { ErrorAnswer, RouterErrorAnswer } from '../wire/errors.ts';
import { InputError, zodValidatorCompiler } from './field-errors.ts';

export type HttpApp = FastifyInstance<Server, IncomingMessage, ServerResponse, FastifyBaseLogger, ZodTypeProvider>;

/** JSON bodies, as before the move to Fastify; form routes set their own smaller limit. */
export const MAX_BODY = 64 * 1024;

/**
 * A slow client may hold a socket only this long: headers within 5 s, the whole request within 10 s (checked every
 * second), an idle keep-alive connection 5 s. Tests shorten them.
 */
export const TIMEOUTS = { headersMs: 5_000, requestMs: 10_000, keepAliveMs: 5_000, checkEveryMs: 1_000 };

/** The Strict-Transport-Security of every answer over TLS. */
export const HSTS = 'max-age=31536000';

/** The slow-client limits of TIMEOUTS as node:http(s) server options; keepAliveTimeout is set on the server. */
export interface ServerLimits {
  headersTimeout: number;
  requestTimeout: number;
  connectionsCheckingInterval: number;
  keepAliveTimeout: number;
}

/** What helmet would add to an answer that carries no page: the headers of a refusal made before routing. */
const PRE_ROUTING_HEADERS = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

export interface HttpAppOptions {
  timeouts?: Partial<typeof TIMEOUTS>;
  /**
   * Another server (the dev stack's HTTPS one) to answer with the same routes; it must take `limits` too (creation
   * options and `keepAliveTimeout`), or a client trickling a body to it would be held for Node's default minutes.
   */
  alsoServe?: (handler: RequestListener, limits: ServerLimits) => void;
  log?: (line: string) => void;
  /** Told of every answered request (the process's Prometheus metrics), by route template rather than path. */
  requests?: RequestObserver;
}

/** Counts answered requests; `route` is the template matched (`/api/events/:id`), or null when none matched. */
export interface RequestObserver {
  requestServed(request: { route: string | null; method: string; status: number; seconds: number }): void;
}

/** Every string in a body, query or path, with the name of the field that holds it. */
function* strings(value: unknown, field: string): Generator<[string, string]> {
  if (typeof value === 'string') yield [field, value];
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* strings(v, `${field}[${i}]`);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) yield* strings(v, field === '(body)' ? k : `${field}.${k}`);
}

/** A UTF-16 surrogate without its partner: JSON's `\ud800` escape can write one, but no UTF-8 text can hold it. */
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * What PostgreSQL text cannot hold: U+0000 would fail the query (a 500), and an unpaired surrogate would be stored as
 * U+FFFD, so that the same request sent again no longer matches what was stored (a retry's idempotency conflict) and
 * two different idempotency keys could become one. Refused here, before any handler, naming the field.
 */
function textErrors(req: FastifyRequest): FieldError[] {
  const errors: FieldError[] = [];
  const parts: [unknown, string][] = [
    [req.params, '(path)'],
    [req.query, '(query)'],
    [req.body, '(body)'],
  ];
  for (const [value, root] of parts) {
    for (const [field, s] of strings(value, root)) {
      const name = root === '(body)' ? field : field.replace(`${root}.`, '');
      if (s.includes('\0')) errors.push({ field: name, rule: 'must not contain a NUL character' });
      else if (UNPAIRED_SURROGATE.test(s)) errors.push({ field: name, rule: 'must not contain an unpaired surrogate' });
    }
  }
  return errors;
}

const refusal = (reply: FastifyReply, status: number, errors: FieldError[]) =>
  reply.code(status).send({ errors } satisfies ErrorAnswer);

function onError(log: (line: string) => void) {
  return (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof InputError) return refusal(reply, 400, err.fieldErrors());
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const limit = req.routeOptions.bodyLimit ?? MAX_BODY;
      return refusal(reply, 413, [{ field: '(body)', rule: `must be at most ${limit} bytes` }]);
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
      return refusal(reply, 415, [{ field: 'Content-Type', rule: 'must be a type this route reads' }]);
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      // The content-type parsers' errors (malformed or empty JSON, a bad length) are all about the body.
      const rule =
        err.code?.startsWith('FST_ERR_CTP_') || err instanceof SyntaxError ? 'must be valid JSON' : err.message;
      return refusal(reply, status, [{ field: '(body)', rule }]);
    }
    log(`http: ${req.method} ${req.url}: ${err.stack ?? String(err)}`);
    return reply.code(500).send({ error: 'internal error' } satisfies RouterErrorAnswer);
  };
}

export interface RouteEntry {
  method: string;
  path: string;
}

const routeTables = new WeakMap<object, RouteEntry[]>();

/** Every route registered on the app, in order: lets a test check a rule (a login, no 5xx) over all of them. */
export function routeTable(app: HttpApp): RouteEntry[] {
  return [...(routeTables.get(app) ?? [])];
}

export async function createHttpApp(options: HttpAppOptions = {}): Promise<HttpApp> {
  const t = { ...TIMEOUTS, ...options.timeouts };
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const limits: ServerLimits = {
    headersTimeout: t.headersMs,
    requestTimeout: t.requestMs,
    connectionsCheckingInterval: t.checkEveryMs,
    keepAliveTimeout: t.keepAliveMs,
  };
  const app = Fastify({
    bodyLimit: MAX_BODY,
    // Closing the API ends idle keep-alive sockets and in-flight ones too, instead of waiting for clients to leave.
    forceCloseConnections: true,
    return503OnClosing: true,
    // Only the routes registered: no HEAD twin of every GET.
    exposeHeadRoutes: false,
    // Signed link tokens are path segments longer than find-my-way's default 100 characters.
    routerOptions: { maxParamLength: 2048, ignoreTrailingSlash: false },
    serverFactory: (handler) => {
      const { keepAliveTimeout, ...created } = limits;
      const server = createServer(created, handler);
      server.keepAliveTimeout = keepAliveTimeout;
      options.alsoServe?.(handler, limits);
      return server;
    },
    frameworkErrors: (err, req, reply) => {
      // A malformed percent-encoding in the path: refused before routing, so before any login check too.
      const field = err.code === 'FST_ERR_BAD_URL' ? '(path)' : '(request)';
      const rule = err.code === 'FST_ERR_BAD_URL' ? 'must be validly percent-encoded' : err.message;
      // No hook runs for an answer made before routing, helmet's and the HSTS one included: set them here.
      reply.headers(PRE_ROUTING_HEADERS);
      if ((req.raw.socket as TLSSocket).encrypted) reply.header('strict-transport-security', HSTS);
      return refusal(reply, 400, [{ field, rule }]);
    },
  }).withTypeProvider<ZodTypeProvider>();

  const table: RouteEntry[] = [];
  routeTables.set(app, table);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) table.push({ method, path: route.url });
  });
  const observer = options.requests;
  if (observer)
    app.addHook('onResponse', async (req, reply) => {
      // A 404's routeOptions.url is undefined: the path a client made up never becomes a label.
      const route = req.is404 ? null : (req.routeOptions.url ?? null);
      observer.requestServed({
        route,
        method: req.method,
        status: reply.statusCode,
        seconds: reply.elapsedTime / 1000,
      });
    });
  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(onError(log));
  // A path that exists under another method is 405, as before the move to Fastify (which would say 404).
  app.setNotFoundHandler((req, reply) => {
    const url = req.url.split('?')[0];
    const other = table.some((r) => r.method !== req.method && app.findRoute({ method: r.method as 'GET', url }));
    const answer: RouterErrorAnswer = { error: other ? 'method not allowed' : 'not found' };
    return reply.code(other ? 405 : 404).send(answer);
  });

  // Any body is read as text and parsed as JSON, whatever its type says, as the hand-written router did, with
  // Fastify's own JSON parser (which refuses __proto__ and constructor.prototype keys); the forms of the unsubscribe
  // and login routes arrive as text for those routes to read.
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ['application/x-www-form-urlencoded', 'multipart/form-data'],
    { parseAs: 'string' },
    (_req, body, done) => done(null, body),
  );
  app.addContentTypeParser('*', { parseAs: 'string' }, (req, body, done) =>
    body === '' ? done(null, undefined) : json(req, body as string, done),
  );

  app.addHook('preValidation', async (req, reply) => {
    const errors = textErrors(req);
    if (errors.length) return refusal(reply, 400, errors);
  });

  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
    // The open pixel is an image that mail clients load from their own pages.
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    // HSTS only on answers over TLS (below): the API also serves plain HTTP on loopback.
    strictTransportSecurity: false,
  });
  // Every answer over TLS tells the browser to use nothing else for this host for a year.
  app.addHook('onSend', async (req, reply) => {
    if (req.protocol === 'https') reply.header('strict-transport-security', HSTS);
  });
  return app;
}
