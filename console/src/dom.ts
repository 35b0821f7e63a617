// Small DOM helpers: build elements, escape text, format numbers and times, show a page's error.
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | undefined> = {},
  ...children: (Node | string | null | undefined)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) el.append(c);
  return el;
}

export const pct = (x: number | null | undefined, digits = 1) =>
  typeof x === 'number' && Number.isFinite(x) ? `${(100 * x).toFixed(digits)}%` : '—';
export const num = (x: number | null | undefined, digits = 4) =>
  typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '—';
export const int = (x: number) => x.toLocaleString('en');

export function when(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString('en-GB', {
    timeZone,
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** A table from rows; the first row of `head` names the columns. */
export function table(caption: string, head: string[], rows: (string | Node)[][]): HTMLTableElement {
  return h(
    'table',
    {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c))))),
  );
}

export function errorBox(err: unknown): HTMLElement {
  const message = err instanceof Error ? err.message : String(err);
  return h('div', { role: 'alert', class: 'errors' }, message);
}

/** A chart's frame: a heading and a canvas with an accessible name; `wide` spans both grid columns. */
export function chartCard(title: string, id: string, wide = false): { card: HTMLElement; canvas: HTMLCanvasElement } {
  const canvas = h('canvas', { id, role: 'img', 'aria-label': title });
  const card = h(
    'section',
    { class: wide ? 'card wide' : 'card' },
    h('h3', {}, title),
    h('div', { class: 'chart' }, canvas),
  );
  return { card, canvas };
}

/**
 * Creator text (titles, handles) inside console text: a `<bdi>` isolates its direction, so a title with U+202E or
 * right-to-left script neither flips nor is flipped by the text around it; text nodes keep any HTML in it literal.
 */
export const isolated = (text: string) => h('bdi', { class: 'creator-text' }, text);

/**
 * The same for plain-text places that take no elements (`<option>`, `aria-label`): FSI … PDI, whose PDI also ends
 * every embedding or override the text opened.
 */
export const isolatedText = (text: string) => `\u2068${text}\u2069`;
