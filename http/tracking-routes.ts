// Routes behind the links in messages: open pixel, click redirect, unsubscribe (a page that asks, a one-click POST).
//
// Every token is verified before anything is read or written: a forged, altered or misused token gets a 400 that
// says only "invalid link" (why it failed goes to the log, not to a forger) and records nothing. A click redirects
// only to the URL of the event its decision belongs to, read from the database; nothing in the request can choose it.

import { z } from 'zod';
import { recordClick, recordOpen, UnknownFanError, unsubscribeFan } from '../db/engagement.ts';
import type { Pool } from '../db/pool.ts';
import { escapeHtml } from '../delivery/templates.ts';
import type { Purpose, TokenSigner, VerifyResult } from '../delivery/tokens.ts';
import { type Answer, send } from './answer.ts';
import type { HttpApp } from './app.ts';

export interface TrackingRouteDeps {
  pool: Pool;
  signer: () => Promise<TokenSigner>;
  now: () => Date;
  /** Where a refused token's reason goes. */
  log: (line: string) => void;
}

/** The smallest transparent GIF. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const NO_STORE = { 'cache-control': 'no-store, private' };
const MAX_FORM_BYTES = 4096;

export function htmlPage(title: string, inner: string, status = 200): Answer {
  return {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      ...NO_STORE,
      'content-security-policy':
        "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    },
    body:
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
      `<title>${escapeHtml(title)}</title></head>` +
      '<body style="font-family:sans-serif;max-width:480px;margin:40px auto;padding:0 16px">' +
      `${inner}</body></html>`,
  };
}

/** Replaces the address of a page opened from a link, so its token stays out of the history and shared screens. */
const LINK_JS = "history.replaceState(null, '', location.pathname.replace(/\\/[^/]*$/, ''));\n";

const invalidLink = () =>
  htmlPage('Invalid link', '<h1>This link is not valid</h1><p>It may have been copied incompletely.</p>', 400);

async function verified<P extends Purpose>(
  deps: TrackingRouteDeps,
  token: string,
  purpose: P,
): Promise<VerifyResult<P>> {
  const v = (await deps.signer()).verify(token, purpose, deps.now());
  if (!v.ok) deps.log(`links: refused a ${purpose} token: ${v.reason}`);
  return v;
}

const token = { params: z.object({ token: z.string() }), hide: true };

/** True when the body carries List-Unsubscribe=One-Click in either form encoding. */
export function isOneClickBody(contentType: string | undefined, body: string): boolean {
  if (contentType?.startsWith('multipart/form-data')) {
    return /name="?List-Unsubscribe"?\r?\n(?:[^\r\n]+\r?\n)*\r?\nOne-Click\r?\n/i.test(body);
  }
  return new URLSearchParams(body).get('List-Unsubscribe') === 'One-Click';
}

export function registerTrackingRoutes(app: HttpApp, deps: TrackingRouteDeps): void {
  app.get('/t/o/:token', { schema: token }, async (req, reply) => {
    const v = await verified(deps, req.params.token, 'open');
    if (!v.ok) return send(reply, { status: 400, headers: NO_STORE, body: 'invalid link\n' });
    await recordOpen(deps.pool, v.claims.decisionId);
    return send(reply, { status: 200, headers: { 'content-type': 'image/gif', ...NO_STORE }, body: PIXEL });
  });

  app.get('/t/c/:token', { schema: token }, async (req, reply) => {
    const v = await verified(deps, req.params.token, 'click');
    if (!v.ok) return send(reply, invalidLink());
    const url = await recordClick(deps.pool, v.claims.decisionId);
    if (url === null || !/^https?:\/\//i.test(url))
      return send(reply, htmlPage('Not found', '<h1>This post is no longer available</h1>', 404));
    return send(reply, { status: 302, headers: { location: url, ...NO_STORE, 'referrer-policy': 'no-referrer' } });
  });

  // GET only asks: link scanners and prefetchers follow GETs, and must not unsubscribe anyone. The form posts to the
  // link itself; /link.js then takes the token out of the address bar and the history.
  app.get('/u/:token', { schema: token }, async (req, reply) => {
    const v = await verified(deps, req.params.token, 'unsubscribe');
    if (!v.ok) return send(reply, invalidLink());
    return send(
      reply,
      htmlPage(
        'Unsubscribe',
        '<h1>Unsubscribe from Fanfare emails?</h1>' +
          '<p>You will get no more emails from Fanfare. Push notifications on your devices are not affected.</p>' +
          `<form method="post" action="/u/${escapeHtml(req.params.token)}">` +
          '<input type="hidden" name="List-Unsubscribe" value="One-Click">' +
          '<input type="hidden" name="via" value="page">' +
          '<button type="submit" style="font-size:16px;padding:8px 16px">Unsubscribe</button></form>' +
          '<script src="/link.js"></script>',
      ),
    );
  });

  // What the address bar shows once /link.js has run; a reload lands here.
  app.get('/u', { schema: { hide: true } }, async (_req, reply) =>
    send(reply, htmlPage('Unsubscribe', '<h1>Open the unsubscribe link in your email again</h1>')),
  );
  app.get('/link.js', { schema: { hide: true } }, async (_req, reply) =>
    send(reply, { status: 200, headers: { 'content-type': 'text/javascript; charset=utf-8' }, body: LINK_JS }),
  );

  // RFC 8058 one-click: the mail provider POSTs List-Unsubscribe=One-Click, with no cookies and no page in between.
  // The body is urlencoded or multipart/form-data text.
  app.post('/u/:token', { schema: token, bodyLimit: MAX_FORM_BYTES }, async (req, reply) => {
    const v = await verified(deps, req.params.token, 'unsubscribe');
    if (!v.ok) return send(reply, invalidLink());
    const body = typeof req.body === 'string' ? req.body : '';
    if (!isOneClickBody(req.headers['content-type'], body)) {
      const errors = [{ field: 'List-Unsubscribe', rule: 'must be "One-Click" (RFC 8058)' }];
      return send(reply, { status: 400, body: { errors } });
    }
    const via = new URLSearchParams(body).get('via') === 'page' ? 'page' : 'one_click';
    try {
      await unsubscribeFan(deps.pool, v.claims.fanId, v.claims.decisionId, via);
    } catch (err) {
      if (err instanceof UnknownFanError)
        return send(reply, htmlPage('Not found', '<h1>This subscription no longer exists</h1>', 404));
      throw err;
    }
    return send(
      reply,
      htmlPage('Unsubscribed', '<h1>You are unsubscribed</h1><p>Fanfare will not email you again.</p>'),
    );
  });
}
