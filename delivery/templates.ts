// Renders alert messages for each channel from an event; every piece of creator content is escaped for HTML.

export interface AlertContent {
  creatorName: string;
  kind: string;
  title: string;
  url: string;
}

const VERBS: Record<string, string> = {
  post: 'posted',
  live: 'is live',
  announcement: 'announced',
};

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Header values must not carry line breaks, or a title could inject headers. */
function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').trim();
}

export function alertSubject(c: AlertContent): string {
  return oneLine(`${c.creatorName} ${VERBS[c.kind] ?? 'posted'}: ${c.title}`);
}

export function renderAlertEmail(c: AlertContent): { subject: string; text: string; html: string } {
  const subject = alertSubject(c);
  const text = `${subject}\n\n${c.url}\n`;
  const html =
    `<!doctype html><html><body style="font-family:sans-serif">` +
    `<p>${escapeHtml(c.creatorName)} ${escapeHtml(VERBS[c.kind] ?? 'posted')}:</p>` +
    `<h2><a href="${escapeHtml(c.url)}">${escapeHtml(c.title)}</a></h2>` +
    `</body></html>`;
  return { subject, text, html };
}

export function alertPushContent(c: AlertContent): { title: string; body: string; url: string } {
  return { title: oneLine(c.creatorName), body: oneLine(`${VERBS[c.kind] ?? 'posted'}: ${c.title}`), url: c.url };
}
