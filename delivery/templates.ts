// Renders alert and digest messages per channel in the fan's language; creator content is escaped for HTML and kept off
// header lines.

import type { ActiveDigestCadence } from '../domain/vocabulary.ts';
import type { Localizer, MessageValues } from './i18n.ts';

export interface AlertContent {
  creatorName: string;
  kind: string;
  title: string;
  /** The event's own URL, where a click finally lands. */
  url: string;
  /** When the creator announced it. */
  at: Date;
  /** When it stops being worth a notification, if ever. */
  deadline: Date | null;
}

/** The signed links every email carries (see links.ts). */
export interface FooterLinks {
  openPixel: string;
  unsubscribe: string;
  preferences: string;
}

export interface DigestItem extends Omit<AlertContent, 'deadline'> {
  /** The signed click redirect for this item's decision. */
  click: string;
}

export interface DigestContent {
  cadence: ActiveDigestCadence;
  items: readonly DigestItem[];
  /** When the digest is sent: the day (or the week's last day) its heading names. */
  at: Date;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * A message as HTML: its text escaped, and each of `html`'s arguments put in as the markup given (a form control, a
 * link), wherever the language places it.
 */
export function htmlMessage(l: Localizer, key: string, values: MessageValues = {}, html: Record<string, string> = {}) {
  // The marks are a private-use character no value may carry, so only `html`'s arguments become markup.
  const plain = Object.fromEntries(
    Object.entries(values).map(([name, v]) => [name, typeof v === 'string' ? v.replace(/\uE000/g, '') : v]),
  );
  const marks = Object.fromEntries(Object.keys(html).map((name, i) => [name, `\uE000${i}\uE000`]));
  const escaped = escapeHtml(l.t(key, { ...plain, ...marks }));
  return escaped.replace(/\uE000(\d+)\uE000/g, (_, i: string) => Object.values(html)[Number(i)]);
}

/** Header values must not carry line breaks, or a title could inject headers. */
function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').trim();
}

/** The values every alert message may use: creator content as written, the kind, and its dates. */
function alertValues(c: AlertContent): MessageValues {
  const values: MessageValues = { creator: oneLine(c.creatorName), kind: c.kind, title: oneLine(c.title), at: c.at };
  if (c.deadline) values.deadline = c.deadline;
  return values;
}

export function alertSubject(c: AlertContent, l: Localizer): string {
  return oneLine(l.t('email.alert.subject', alertValues(c)));
}

const STYLE =
  'font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#222;max-width:560px;margin:0 auto;padding:16px';

function page(inner: string, links: FooterLinks, l: Localizer): string {
  return (
    `<!doctype html><html lang="${escapeHtml(l.locale)}" dir="${l.dir}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width"></head>` +
    `<body dir="${l.dir}"><div style="${STYLE}">${inner}` +
    `<p style="font-size:12px;color:#777;margin-top:32px">` +
    `<a href="${escapeHtml(links.preferences)}" style="color:#777">${escapeHtml(l.t('email.footer.settings'))}</a> · ` +
    `<a href="${escapeHtml(links.unsubscribe)}" style="color:#777">${escapeHtml(l.t('email.footer.unsubscribe'))}</a>` +
    '</p>' +
    // The open pixel goes last so a client that stops rendering early does not count as an open.
    `<img src="${escapeHtml(links.openPixel)}" width="1" height="1" alt="" style="display:block;border:0">` +
    `</div></body></html>`
  );
}

function textFooter(links: FooterLinks, l: Localizer): string {
  return (
    `\n--\n${l.t('email.text.settings', { link: links.preferences })}\n` +
    `${l.t('email.text.unsubscribe', { link: links.unsubscribe })}\n`
  );
}

/** When it was announced, and until when it is worth it (if it has a deadline), one line each. */
function alertDates(c: AlertContent, l: Localizer): string[] {
  const values = alertValues(c);
  const lines = [l.t('email.alert.when', values)];
  if (c.deadline) lines.push(l.t('email.alert.until', values));
  return lines;
}

/**
 * `click` is the signed redirect; the plain-text part also shows where it leads,
 * so a reader can see before following it.
 */
export function renderAlertEmail(c: AlertContent, links: FooterLinks & { click: string }, l: Localizer): RenderedEmail {
  const subject = alertSubject(c, l);
  const dates = alertDates(c, l);
  const text =
    `${subject}\n${dates.join('\n')}\n\n${l.t('email.alert.readIt', { link: links.click })}\n` +
    `${l.t('email.leadsTo', { url: c.url })}\n${textFooter(links, l)}`;
  const html = page(
    `<p>${escapeHtml(l.t('email.alert.lead', alertValues(c)))}</p>` +
      '<h2 style="margin:8px 0 16px">' +
      `<a href="${escapeHtml(links.click)}" style="color:#1a5fb4">${escapeHtml(c.title)}</a></h2>` +
      dates.map((d) => `<p style="color:#555;margin:0 0 8px">${escapeHtml(d)}</p>`).join('') +
      `<p><a href="${escapeHtml(links.click)}">${escapeHtml(l.t('email.alert.open'))}</a></p>`,
    links,
    l,
  );
  return { subject, text, html };
}

/** The digest's creators: one or two by name, else the first two and how many more. */
function creatorList(d: DigestContent, l: Localizer): string {
  const creators = [...new Set(d.items.map((i) => oneLine(i.creatorName)))];
  if (creators.length === 1) return creators[0];
  const [first, second] = creators;
  if (creators.length === 2) return l.t('digest.creators.two', { first, second });
  return l.t('digest.creators.more', { first, second, count: creators.length - 2 });
}

export function digestSubject(d: DigestContent, l: Localizer): string {
  return oneLine(l.t('digest.subject', { cadence: d.cadence, count: d.items.length, creators: creatorList(d, l) }));
}

export function renderDigestEmail(d: DigestContent, links: FooterLinks, l: Localizer): RenderedEmail {
  if (d.items.length === 0) throw new RangeError('digest: items must not be empty');
  const subject = digestSubject(d, l);
  const period = l.t('digest.period', { cadence: d.cadence, at: d.at });
  const lines = d.items.map((i) => {
    const values = alertValues({ ...i, deadline: null });
    return (
      `* ${l.t('digest.item', values)} (${l.t('digest.item.when', values)})\n  ${i.click}\n` +
      `  ${l.t('email.leadsTo', { url: i.url })}`
    );
  });
  const text = `${subject}\n${period}\n\n${lines.join('\n\n')}\n${textFooter(links, l)}`;
  const rows = d.items
    .map((i) => {
      const values = alertValues({ ...i, deadline: null });
      return (
        '<li style="margin:0 0 12px">' +
        `<span style="color:#555">${escapeHtml(l.t('digest.item.lead', values))}</span><br>` +
        `<a href="${escapeHtml(i.click)}" style="color:#1a5fb4;font-weight:600">${escapeHtml(i.title)}</a><br>` +
        `<span style="color:#777;font-size:13px">${escapeHtml(l.t('digest.item.when', values))}</span></li>`
      );
    })
    .join('');
  const html = page(
    `<h2 style="margin:0 0 4px">${escapeHtml(l.t('digest.heading', { cadence: d.cadence }))}</h2>` +
      `<p style="color:#555;margin:0 0 16px">${escapeHtml(period)}</p>` +
      `<ul style="padding-inline-start:18px">${rows}</ul>`,
    links,
    l,
  );
  return { subject, text, html };
}

/**
 * Push content: `url` is the event's own page, which the service worker opens; `ping` is the signed click URL it
 * fetches first so the click is recorded. The body names the deadline, if any, last: trimming cuts it first.
 */
export function alertPushContent(
  c: AlertContent,
  l: Localizer,
  ping?: string,
): { title: string; body: string; url: string; ping?: string } {
  const values = alertValues(c);
  const content = {
    title: oneLine(l.t('push.alert.title', values)),
    body: oneLine(l.t(c.deadline ? 'push.alert.bodyUntil' : 'push.alert.body', values)),
    url: c.url,
  };
  return ping === undefined ? content : { ...content, ping };
}
