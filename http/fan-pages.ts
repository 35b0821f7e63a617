// The preferences page and the fan page, written in the fan's language; their scripts (http/static/) read the
// messages they show at run time from a JSON block, already formatted but for the values only the browser knows.
import type { Localizer } from '../delivery/i18n.ts';
import { escapeHtml, htmlMessage } from '../delivery/templates.ts';
import { DEFAULT_DIGEST_HOUR } from '../domain/fan.ts';

/** The messages a page's script shows, with `{name}` left for the script to fill (an error, the API's problems). */
function scriptMessages(l: Localizer, keys: Record<string, string[]>): string {
  const messages = Object.fromEntries(
    Object.entries(keys).map(([key, names]) => [key, l.t(key, Object.fromEntries(names.map((n) => [n, `{${n}}`])))]),
  );
  // Inside <script> only "<" could end the block early; JSON may escape it.
  return JSON.stringify(messages).replace(/</g, '\\u003c');
}

function document(l: Localizer, title: string, style: string, body: string, script: string, messages: string) {
  return (
    `<!doctype html>\n<html lang="${escapeHtml(l.locale)}" dir="${l.dir}">\n<head>\n<meta charset="utf-8">\n` +
    `<meta name="viewport" content="width=device-width">\n<title>${escapeHtml(title)}</title>\n` +
    `<style>\n${style}</style>\n</head>\n<body>\n${body}` +
    `<script type="application/json" id="messages">${messages}</script>\n` +
    `<script src="${script}"></script>\n</body>\n</html>\n`
  );
}

const hourOptions = (l: Localizer) =>
  Array.from({ length: 24 }, (_, h) => `<option value="${h}">${escapeHtml(l.hour(h))}</option>`).join('');

/** The settings form over GET/PUT /api/fans/me/preferences, authorised by the signed token in its link. */
export function preferencesPage(l: Localizer): string {
  const t = (key: string) => escapeHtml(l.t(key));
  const select = (name: string, first = '') => `<select name="${name}">${first}${hourOptions(l)}</select>`;
  const digestDefault = escapeHtml(l.t('prefs.digestHour.default', { time: l.hour(DEFAULT_DIGEST_HOUR) }));
  const byDefault = `<option value="">${digestDefault}</option>`;
  const body =
    `<h1>${t('prefs.heading')}</h1>\n<form id="form" hidden>\n` +
    `  <fieldset><legend>${t('prefs.channels')}</legend>\n` +
    `    <label><input type="checkbox" name="emailEnabled"> ${t('prefs.email')}</label>\n` +
    `    <label><input type="checkbox" name="pushEnabled"> ${t('prefs.push')}\n` +
    `      (<a id="device" href="/fan">${t('prefs.device')}</a>)</label>\n  </fieldset>\n` +
    `  <fieldset><legend>${t('prefs.digest')}</legend>\n` +
    `    <label>${t('prefs.cadence')} <select name="digestCadence">` +
    `<option value="off">${t('prefs.cadence.off')}</option>` +
    `<option value="daily">${t('prefs.cadence.daily')}</option>` +
    `<option value="weekly">${t('prefs.cadence.weekly')}</option></select></label>\n` +
    `    <label>${htmlMessage(l, 'prefs.digestHour', {}, { hour: select('digestHour', byDefault) })}</label>\n` +
    `  </fieldset>\n  <fieldset><legend>${t('prefs.quiet')}</legend>\n` +
    `    <label><input type="checkbox" name="quiet"> ` +
    `${htmlMessage(l, 'prefs.quiet.range', {}, { start: select('quietStart'), end: select('quietEnd') })}</label>\n` +
    `  </fieldset>\n  <fieldset id="creators"><legend>${t('prefs.mute')}</legend></fieldset>\n` +
    `  <button type="submit">${t('prefs.save')}</button>\n</form>\n<p id="message"></p>\n`;
  const style =
    '  body { font-family: sans-serif; max-width: 520px; margin: 40px auto; padding: 0 16px; }\n' +
    '  fieldset { border: 1px solid #ccc; margin: 0 0 16px; }\n  label { display: block; margin: 6px 0; }\n' +
    '  #message { min-height: 1.5em; }\n  .error { color: #b00020; }\n';
  const messages = scriptMessages(l, {
    'prefs.saved': [],
    'prefs.notSaved': ['problems'],
    'prefs.linkDead': [],
    'prefs.loadFailed': ['error'],
  });
  return document(l, l.t('prefs.title'), style, body, '/preferences.js', messages);
}

/** The page that turns push notifications on or off for this browser, through the service worker at /sw.js. */
export function fanPage(l: Localizer): string {
  const t = (key: string) => escapeHtml(l.t(key));
  const body =
    `<h1>${t('fan.heading')}</h1>\n<p id="status">${t('fan.checking')}</p>\n` +
    `<button id="on" type="button" hidden>${t('fan.on')}</button>\n` +
    `<button id="off" type="button" hidden>${t('fan.off')}</button>\n` +
    `<p><a id="prefs" href="/preferences">${t('fan.allSettings')}</a></p>\n`;
  const style =
    '  body { font-family: sans-serif; max-width: 480px; margin: 40px auto; padding: 0 16px; }\n' +
    '  button { font-size: 16px; padding: 8px 16px; margin-block: 4px; margin-inline: 0 8px; }\n' +
    '  #status { color: #555; }\n';
  const messages = scriptMessages(l, {
    'fan.isOn': [],
    'fan.isOff': [],
    'fan.needLink': [],
    'fan.unsupported': [],
    'fan.blocked': [],
    'fan.onFailed': ['error'],
    'fan.offFailed': ['error'],
    'fan.failed': ['error'],
  });
  return document(l, l.t('fan.title'), style, body, '/fan.js', messages);
}
