// Routes behind the links in messages: open pixel, click redirect, unsubscribe (a page that asks, a one-click POST).
//
// Every token is verified before anything is read or written: a forged, altered or misused token gets a 400 that
// says only "invalid link" (why it failed goes to the log, not to a forger) and records nothing. A click redirects
// only to the URL of the event its decision belongs to, read from the database; nothing in the request can choose it.

import { z } from 'zod';
import { recordClick, recordOpen, UnknownFanError, unsubscribeFan } from '../db/engagement.ts';
import type { Pool } from '../db/pool.ts';
import type { Localizer } from '../delivery/i18n.ts';
import { escapeHtml } from '../delivery/templates.ts';
import type { Purpose, TokenSigner, VerifyResult } from '../delivery/tokens.ts';
import { type Answer, send } from './answer.ts';
import type { HttpApp } from './app.ts';
import { browserLocalizer, fanLocalizer } from './page-locale.ts';

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

/** A page in `l`'s language: `title` and `heading` are message keys, `inner` the HTML after the heading. */
function htmlPage(l: Localizer, title: string, heading: string, inner = '', status = 200): Answer {
  return {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      ...NO_STORE,
      'content-language': l.locale,
      vary: 'Accept-Language',
      'content-security-policy':
        "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    },
    body:
      `<!doctype html><html lang="${escapeHtml(l.locale)}" dir="${l.dir}"><head><meta charset="utf-8">` +
      `<meta name="viewport" content="width=device-width"><title>${escapeHtml(l.t(title))}</title></head>` +
      '<body style="font-family:sans-serif;max-width:480px;margin:40px auto;padding:0 16px">' +
      `<h1>${escapeHtml(l.t(heading))}</h1>${inner}</body></html>`,
  };
}

/** Replaces the address of a page opened from a link, so its token stays out of the history and shared screens. */
const LINK_JS = "history.replaceState(null, '', location.pathname.replace(/\\/[^/]*$/, ''));\n";

type PageRequest = Parameters<typeof browserLocalizer>[0];

/** A refused link cannot say whose it is: the page speaks the browser's language. */
const invalidLink = (req: PageRequest) => {
  const l = browserLocalizer(req);
  return htmlPage(
    l,
    'page.invalid.title',
    'page.invalid.heading',
    `<p>${escapeHtml(l.t('page.invalid.body'))}</p>`,
    400,
  );
};

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
    if (!v.ok) return send(reply, invalidLink(req));
    const url = await recordClick(deps.pool, v.claims.decisionId);
    if (url === null || !/^https?:\/\//i.test(url))
      return send(reply, htmlPage(browserLocalizer(req), 'page.notFound.title', 'page.postGone', '', 404));
    return send(reply, { status: 302, headers: { location: url, ...NO_STORE, 'referrer-policy': 'no-referrer' } });
  });

  // GET only asks: link scanners and prefetchers follow GETs, and must not unsubscribe anyone. The form posts to the
  // link itself; /link.js then takes the token out of the address bar and the history.
  app.get('/u/:token', { schema: token }, async (req, reply) => {
    const v = await verified(deps, req.params.token, 'unsubscribe');
    if (!v.ok) return send(reply, invalidLink(req));
    const l = await fanLocalizer(deps.pool, v.claims.fanId, req);
    return send(
      reply,
      htmlPage(
        l,
        'page.unsubscribe.title',
        'page.unsubscribe.heading',
        `<p>${escapeHtml(l.t('page.unsubscribe.body'))}</p>` +
          `<form method="post" action="/u/${escapeHtml(req.params.token)}">` +
          '<input type="hidden" name="List-Unsubscribe" value="One-Click">' +
          '<input type="hidden" name="via" value="page">' +
          '<button type="submit" style="font-size:16px;padding:8px 16px">' +
          `${escapeHtml(l.t('page.unsubscribe.button'))}</button></form>` +
          '<script src="/link.js"></script>',
      ),
    );
  });

  // What the address bar shows once /link.js has run; a reload lands here.
  app.get('/u', { schema: { hide: true } }, async (req, reply) =>
    send(reply, htmlPage(browserLocalizer(req), 'page.unsubscribe.title', 'page.unsubscribe.reopen')),
  );
  app.get('/link.js', { schema: { hide: true } }, async (_req, reply) =>
    send(reply, { status: 200, headers: { 'content-type': 'text/javascript; charset=utf-8' }, body: LINK_JS }),
  );

  // RFC 8058 one-click: the mail provider POSTs List-Unsubscribe=One-Click, with no cookies and no page in between.
  // The body is urlencoded or multipart/form-data text.
  app.post('/u/:token', { schema: token, bodyLimit: MAX_FORM_BYTES }, async (req, reply) => {
    const v = await verified(deps, req.params.token, 'unsubscribe');
    if (!v.ok) return send(reply, invalidLink(req));
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
        return send(reply, htmlPage(browserLocalizer(req), 'page.notFound.title', 'page.subscriptionGone', '', 404));
      throw err;
    }
    const l = await fanLocalizer(deps.pool, v.claims.fanId, req);
    const confirmed = `<p>${escapeHtml(l.t('page.unsubscribed.body'))}</p>`;
    return send(reply, htmlPage(l, 'page.unsubscribed.title', 'page.unsubscribed.heading', confirmed));
  });
}
