// Routes behind the links in messages: open pixel, click redirect, unsubscribe (a page that asks, a one-click POST).
//
// Every token is verified before anything is read or written: a forged, altered or misused
// token gets a 400 and records nothing. A click redirects only to the URL of the event its
// decision belongs to, read from the database; nothing in the request can choose the target.

import { recordClick, recordOpen, UnknownFanError, unsubscribeFan } from '../db/engagement.ts';
import type { Pool } from '../db/pool.ts';
import { escapeHtml } from '../delivery/templates.ts';
import type { Purpose, TokenSigner, VerifyResult } from '../delivery/tokens.ts';
import { HttpError, type Request, type Response, type Router } from './router.ts';

export interface TrackingRouteDeps {
  pool: Pool;
  signer: () => Promise<TokenSigner>;
  now: () => Date;
}

/** The smallest transparent GIF. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const NO_STORE = { 'cache-control': 'no-store, private' };
const MAX_FORM_BYTES = 4096;

export function htmlPage(title: string, inner: string, status = 200): Response {
  return {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      ...NO_STORE,
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    },
    body:
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
      `<title>${escapeHtml(title)}</title></head>` +
      '<body style="font-family:sans-serif;max-width:480px;margin:40px auto;padding:0 16px">' +
      `${inner}</body></html>`,
  };
}

const invalidLink = () =>
  htmlPage('Invalid link', '<h1>This link is not valid</h1><p>It may have been copied incompletely.</p>', 400);

async function verified<P extends Purpose>(
  deps: TrackingRouteDeps,
  req: Request,
  purpose: P,
): Promise<VerifyResult<P>> {
  return (await deps.signer()).verify(req.params.token, purpose, deps.now());
}

/** The body of a form POST, as text; RFC 8058 allows urlencoded or multipart/form-data. */
async function readFormText(req: Request): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req.raw) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES)
      throw new HttpError(413, { errors: [{ field: '(body)', rule: `must be at most ${MAX_FORM_BYTES} bytes` }] });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** True when the body carries List-Unsubscribe=One-Click in either form encoding. */
export function isOneClickBody(contentType: string | undefined, body: string): boolean {
  if (contentType?.startsWith('multipart/form-data')) {
    return /name="?List-Unsubscribe"?\r?\n(?:[^\r\n]+\r?\n)*\r?\nOne-Click\r?\n/i.test(body);
  }
  return new URLSearchParams(body).get('List-Unsubscribe') === 'One-Click';
}

export function registerTrackingRoutes(router: Router, deps: TrackingRouteDeps): void {
  router.on('GET', '/t/o/:token', async (req) => {
    const v = await verified(deps, req, 'open');
    if (!v.ok) return { status: 400, headers: NO_STORE, body: `invalid open token: ${v.reason}\n` };
    await recordOpen(deps.pool, v.claims.decisionId);
    return { status: 200, headers: { 'content-type': 'image/gif', ...NO_STORE }, body: PIXEL };
  });

  router.on('GET', '/t/c/:token', async (req) => {
    const v = await verified(deps, req, 'click');
    if (!v.ok) return invalidLink();
    const url = await recordClick(deps.pool, v.claims.decisionId);
    if (url === null || !/^https?:\/\//i.test(url))
      return htmlPage('Not found', '<h1>This post is no longer available</h1>', 404);
    return { status: 302, headers: { location: url, ...NO_STORE, 'referrer-policy': 'no-referrer' } };
  });

  // GET only asks: link scanners and prefetchers follow GETs, and must not unsubscribe anyone.
  router.on('GET', '/u/:token', async (req) => {
    const v = await verified(deps, req, 'unsubscribe');
    if (!v.ok) return invalidLink();
    return htmlPage(
      'Unsubscribe',
      '<h1>Unsubscribe from Fanfare emails?</h1>' +
        '<p>You will get no more emails from Fanfare. Push notifications on your devices are not affected.</p>' +
        `<form method="post" action="/u/${escapeHtml(req.params.token)}">` +
        '<input type="hidden" name="List-Unsubscribe" value="One-Click">' +
        '<input type="hidden" name="via" value="page">' +
        '<button type="submit" style="font-size:16px;padding:8px 16px">Unsubscribe</button></form>',
    );
  });

  // RFC 8058 one-click: the mail provider POSTs List-Unsubscribe=One-Click, with no cookies and no page in between.
  router.on('POST', '/u/:token', async (req) => {
    const v = await verified(deps, req, 'unsubscribe');
    if (!v.ok) return invalidLink();
    const body = await readFormText(req);
    if (!isOneClickBody(req.headers['content-type'], body)) {
      return { status: 400, body: { errors: [{ field: 'List-Unsubscribe', rule: 'must be "One-Click" (RFC 8058)' }] } };
    }
    const via = new URLSearchParams(body).get('via') === 'page' ? 'page' : 'one_click';
    try {
      await unsubscribeFan(deps.pool, v.claims.fanId, v.claims.decisionId, via);
    } catch (err) {
      if (err instanceof UnknownFanError)
        return htmlPage('Not found', '<h1>This subscription no longer exists</h1>', 404);
      throw err;
    }
    return htmlPage('Unsubscribed', '<h1>You are unsubscribed</h1><p>Fanfare will not email you again.</p>');
  });
}
