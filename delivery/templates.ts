// Renders alert and digest messages per channel; creator content is escaped for HTML and kept off header lines.

export interface AlertContent {
  creatorName: string;
  kind: string;
  title: string;
  /** The event's own URL, where a click finally lands. */
  url: string;
}

/** The signed links every email carries (see links.ts). */
export interface FooterLinks {
  openPixel: string;
  unsubscribe: string;
  preferences: string;
}

export interface DigestItem extends AlertContent {
  /** The signed click redirect for this item's decision. */
  click: string;
}

export interface DigestContent {
  cadence: 'daily' | 'weekly';
  items: readonly DigestItem[];
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const VERBS: Record<string, string> = {
  post: 'posted',
  live: 'is live',
  announcement: 'announced',
};
const verb = (kind: string) => VERBS[kind] ?? 'posted';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Header values must not carry line breaks, or a title could inject headers. */
function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').trim();
}

export function alertSubject(c: AlertContent): string {
  return oneLine(`${c.creatorName} ${verb(c.kind)}: ${c.title}`);
}

const STYLE =
  'font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#222;max-width:560px;margin:0 auto;padding:16px';

function page(inner: string, links: FooterLinks): string {
  return (
    `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"></head>` +
    `<body><div style="${STYLE}">${inner}` +
    `<p style="font-size:12px;color:#777;margin-top:32px">` +
    `<a href="${escapeHtml(links.preferences)}" style="color:#777">Notification settings</a> · ` +
    `<a href="${escapeHtml(links.unsubscribe)}" style="color:#777">Unsubscribe from these emails</a></p>` +
    // The open pixel goes last so a client that stops rendering early does not count as an open.
    `<img src="${escapeHtml(links.openPixel)}" width="1" height="1" alt="" style="display:block;border:0">` +
    `</div></body></html>`
  );
}

function textFooter(links: FooterLinks): string {
  return `\n--\nNotification settings: ${links.preferences}\nUnsubscribe: ${links.unsubscribe}\n`;
}

/**
 * `click` is the signed redirect; the plain-text part also shows where it leads,
 * so a reader can see before following it.
 */
export function renderAlertEmail(c: AlertContent, links: FooterLinks & { click: string }): RenderedEmail {
  const subject = alertSubject(c);
  const text = `${subject}\n\nRead it: ${links.click}\n(leads to ${c.url})\n${textFooter(links)}`;
  const html = page(
    `<p>${escapeHtml(c.creatorName)} ${escapeHtml(verb(c.kind))}:</p>` +
      '<h2 style="margin:8px 0 16px">' +
      `<a href="${escapeHtml(links.click)}" style="color:#1a5fb4">${escapeHtml(c.title)}</a></h2>` +
      `<p><a href="${escapeHtml(links.click)}">Open it</a></p>`,
    links,
  );
  return { subject, text, html };
}

export function digestSubject(d: DigestContent): string {
  const creators = [...new Set(d.items.map((i) => oneLine(i.creatorName)))];
  const named =
    creators.length <= 2
      ? creators.join(' and ')
      : `${creators.slice(0, 2).join(', ')} and ${creators.length - 2} more`;
  const n = d.items.length;
  return `Your ${d.cadence} digest: ${n} new ${n === 1 ? 'update' : 'updates'} from ${named}`;
}

export function renderDigestEmail(d: DigestContent, links: FooterLinks): RenderedEmail {
  if (d.items.length === 0) throw new RangeError('digest: items must not be empty');
  const subject = digestSubject(d);
  const lines = d.items.map(
    (i) => `* ${oneLine(i.creatorName)} ${verb(i.kind)}: ${oneLine(i.title)}\n  ${i.click}\n  (leads to ${i.url})`,
  );
  const text = `${subject}\n\n${lines.join('\n\n')}\n${textFooter(links)}`;
  const rows = d.items
    .map(
      (i) =>
        '<li style="margin:0 0 12px">' +
        `<span style="color:#555">${escapeHtml(i.creatorName)} ${escapeHtml(verb(i.kind))}:</span><br>` +
        `<a href="${escapeHtml(i.click)}" style="color:#1a5fb4;font-weight:600">${escapeHtml(i.title)}</a></li>`,
    )
    .join('');
  const html = page(
    `<h2 style="margin:0 0 16px">Your ${d.cadence} digest</h2><ul style="padding-left:18px">${rows}</ul>`,
    links,
  );
  return { subject, text, html };
}

/**
 * Push content: `url` is the event's own page, which the service worker opens; `ping` is the signed click URL it
 * fetches first so the click is recorded.
 */
export function alertPushContent(
  c: AlertContent,
  ping?: string,
): { title: string; body: string; url: string; ping?: string } {
  const content = { title: oneLine(c.creatorName), body: oneLine(`${verb(c.kind)}: ${c.title}`), url: c.url };
  return ping === undefined ? content : { ...content, ping };
}
