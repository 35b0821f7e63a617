// Serves the console at /console/: the login form to anyone (401 until logged in), pages and assets to the team;
// logging in with a username and password, logging out, and logging out everywhere.
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { clearedSessionCookie, sessionCookie } from '../auth/auth.ts';
import { principalCan } from '../domain/principal.ts';
import { foreignOrigin, type TeamGate } from './admin-auth.ts';
import { type Answer, send } from './answer.ts';
import type { HttpApp } from './app.ts';
import { buildConsole } from './console-build.ts';
import { lockedOutAnswer } from './token-lockout.ts';

export interface ConsoleStaticDeps {
  gate: TeamGate;
  /** Where built consoles are kept, one directory per source hash (consoleCacheDir of FANFARE_CACHE). */
  cacheDir: string;
  log?: (line: string) => void;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    "frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The login page's style sheet, one rule set a line. */
const LOGIN_STYLE = [
  'body { font: 16px/1.5 system-ui, sans-serif; background: #f4f5f7; color: #1d2330; margin: 0; display: grid; ' +
    'place-items: center; min-height: 100vh; }',
  'main { background: #fff; padding: 2rem 2.5rem; border-radius: 8px; box-shadow: 0 1px 4px #0002; ' +
    'width: min(29rem, calc(100vw - 1.5rem)); box-sizing: border-box; }',
  '@media (max-width: 480px) { main { padding: 1.25rem 1rem; } }',
  'h1 { font-size: 1.4rem; margin: 0 0 .25rem; } p.sub { color: #5b6475; margin: 0 0 1.5rem; }',
  'label { display: block; font-weight: 600; margin-top: 1rem; } ' +
    'input { width: 100%; box-sizing: border-box; font: inherit; padding: .5rem; border: 1px solid #a8afbd; ' +
    'border-radius: 4px; }',
  'input:focus, button:focus { outline: 3px solid #3b6fd8; outline-offset: 1px; }',
  'button { margin-top: 1.5rem; font: inherit; font-weight: 600; padding: .55rem 1.2rem; border: 0; ' +
    'border-radius: 4px; background: #2f5bb7; color: #fff; cursor: pointer; }',
  '.errors { background: #fdecec; border: 1px solid #d9534f; border-radius: 4px; padding: .5rem 1rem; ' +
    'color: #8a1f1b; } .errors p { margin: 0; font-weight: 600; }',
  '.hint { color: #5b6475; font-size: .85rem; margin: .25rem 0 0; }',
].join('\n');

/** The login page: plain HTML and CSS with no script, so it works before any asset may be loaded. */
export function loginPage(errors: { field: string; rule: string }[] = [], username = ''): string {
  const items = errors.map((e) => `<li><code>${escapeHtml(e.field)}</code>: ${escapeHtml(e.rule)}</li>`).join('');
  const list = errors.length ? `<div role="alert" class="errors"><p>Not logged in:</p><ul>${items}</ul></div>` : '';
  const nameAttributes = 'id="username" name="username" autocomplete="username" required maxlength="64"';
  const passwordAttributes =
    'id="password" name="password" type="password" autocomplete="current-password" required maxlength="256"';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Fanfare console: log in</title>
<style>
${LOGIN_STYLE}
</style></head>
<body><main>
<h1>Fanfare console</h1><p class="sub">For the growth team. Log in with your own account.</p>
${list}
<form method="post" action="/console/login">
<label for="username">Username</label><input ${nameAttributes} value="${escapeHtml(username)}">
<p class="hint">The audit names you in every change you make.</p>
<label for="password">Password</label><input ${passwordAttributes}>
<p class="hint"><code>fanfare dev</code> prints the first admin's; an admin adds people.</p>
<button type="submit">Log in</button>
</form>
</main></body></html>
`;
}

/** The login form's body: urlencoded text (anything else reads as an empty form, which the login refuses). */
const form = (body: unknown) => new URLSearchParams(typeof body === 'string' ? body : '');
const hidden = { schema: { hide: true } } as const;

/** The same answer for an unknown username and a wrong password, so the page tells nobody which names exist. */
export const WRONG_LOGIN = { field: 'password', rule: 'the username or the password is wrong' };

/** Whether the request came over TLS: its cookies are then Secure and its answers carry HSTS (http/app.ts). */
const overTls = (req: FastifyRequest) => req.protocol === 'https';

/** The console's build cache inside Fanfare's cache folder. */
export function consoleCacheDir(cacheRoot: string): string {
  return join(cacheRoot, 'console');
}

/**
 * The console is built on its first request (`fanfare api` and `fanfare dev` build it at start),
 * never by a router made in a test that does not ask for it.
 */
export function registerConsoleStatic(app: HttpApp, deps: ConsoleStaticDeps): void {
  const dist = () => buildConsole(deps.cacheDir, deps.log);

  const html = (status: number, body: string, headers: Record<string, string> = {}): Answer => ({
    status,
    headers: { 'content-type': TYPES['.html'], 'cache-control': 'no-store', ...SECURITY_HEADERS, ...headers },
    body,
  });
  /**
   * The console's pages and assets are for any principal that may read it: null when the request is one, else
   * `denied` (→ the login page or a 401), or the 429 of an address locked out for wrong bearer tokens.
   */
  const refusal = async (req: FastifyRequest): Promise<Answer | 'denied' | null> => {
    const principal = await deps.gate.principal(req);
    if (principal?.kind === 'locked-out') return lockedOutAnswer(principal);
    return principal === null || !principalCan(principal, 'console.read') ? 'denied' : null;
  };

  app.get('/console', hidden, async (_req, reply) => send(reply, { status: 302, headers: { location: '/console/' } }));

  app.get('/console/', hidden, async (req, reply) => {
    const refused = await refusal(req);
    if (refused === 'denied') return send(reply, html(401, loginPage()));
    if (refused) return send(reply, refused);
    return send(reply, html(200, await readFile(join(await dist(), 'index.html'), 'utf8')));
  });

  app.get(
    '/console/assets/:file',
    { schema: { hide: true, params: z.object({ file: z.string() }) } },
    async (req, reply) => {
      const refused = await refusal(req);
      if (refused === 'denied') {
        const headers = { 'content-type': 'text/plain; charset=utf-8' };
        return send(reply, { status: 401, headers, body: 'log in at /console/\n' });
      }
      if (refused) return send(reply, refused);
      const file = req.params.file;
      const type = TYPES[extname(file)];
      if (!/^[\w.-]+$/.test(file) || file.startsWith('.') || !type)
        return send(reply, { status: 404, body: { error: 'not found' } });
      let body: Buffer;
      try {
        body = await readFile(join(await dist(), 'assets', file));
      } catch {
        return send(reply, { status: 404, body: { error: 'not found' } });
      }
      // Vite names assets by content hash, so a name never changes meaning.
      const headers = { 'content-type': type, 'cache-control': 'private, max-age=31536000, immutable' };
      return send(reply, { status: 200, headers: { ...headers, ...SECURITY_HEADERS }, body });
    },
  );

  app.post('/console/login', { ...hidden, bodyLimit: 8192 }, async (req, reply) => {
    const fields = form(req.body);
    const username = fields.get('username') ?? '';
    const password = fields.get('password') ?? '';
    // A form without both fields is no attempt at a password: refused without counting it against anyone.
    const missing = [
      ...(username === '' ? [{ field: 'username', rule: 'must be given' }] : []),
      ...(password === '' ? [{ field: 'password', rule: 'must be given' }] : []),
    ];
    if (missing.length) return send(reply, html(400, loginPage(missing, username)));
    const r = await deps.gate.auth.login(username, password, req.ip);
    if (r.outcome === 'throttled') {
      const rule = `too many wrong passwords: try again in ${r.retryAfterSeconds} s`;
      const page = html(429, loginPage([{ field: 'password', rule }], username));
      return send(reply, { ...page, headers: { ...page.headers, 'retry-after': String(r.retryAfterSeconds) } });
    }
    if (r.outcome === 'wrong') return send(reply, html(401, loginPage([WRONG_LOGIN], username)));
    const cookie = sessionCookie(r.token, r.expiresAt, { secure: overTls(req) });
    return send(reply, {
      status: 303,
      headers: { location: '/console/', 'set-cookie': cookie, 'cache-control': 'no-store' },
    });
  });

  app.post('/console/logout', hidden, async (req, reply) => {
    await deps.gate.auth.logout({ cookie: req.headers.cookie });
    const cookie = clearedSessionCookie({ secure: overTls(req) });
    return send(reply, {
      status: 303,
      headers: { location: '/console/', 'set-cookie': cookie, 'cache-control': 'no-store' },
    });
  });

  // Ends every session of the member logged in here (other browsers, a lost laptop), this one included.
  app.post('/console/logout-everywhere', hidden, async (req, reply) => {
    const principal = await deps.gate.auth.team({ cookie: req.headers.cookie });
    if (principal?.kind !== 'member') return send(reply, html(401, loginPage()));
    const foreign = foreignOrigin(req);
    if (foreign) return send(reply, foreign);
    await deps.gate.auth.logoutEverywhere(principal.memberId);
    const cookie = clearedSessionCookie({ secure: overTls(req) });
    return send(reply, {
      status: 303,
      headers: { location: '/console/', 'set-cookie': cookie, 'cache-control': 'no-store' },
    });
  });
}
