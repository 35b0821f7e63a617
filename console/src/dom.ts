// Small DOM helpers: build elements, escape text, format numbers and times, tables with their CSV, a page's error.
import { type CsvCell, csvFileName, toCsv } from './csv.ts';

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

/** A table cell given whole (to span columns, say) instead of its content. */
export type Cell = string | Node;

let tables = 0;

/** What a cell reads as in a CSV: its text, without its buttons or the isolation marks put around creator text. */
function cellText(c: Cell): string {
  let node = c;
  if (c instanceof Element && c.querySelector('button')) {
    const copy = c.cloneNode(true) as Element;
    for (const b of copy.querySelectorAll('button')) b.remove();
    node = copy;
  } else if (c instanceof HTMLButtonElement) return '';
  return (typeof node === 'string' ? node : (node.textContent ?? '')).replace(/[\u2066-\u2069]/g, '').trim();
}

/** Saves text as a file through a temporary link (the browser's download, named `fileName`). */
export function download(fileName: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: fileName, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export interface TableOptions {
  /** The CSV's rows when they differ from what is shown (raw numbers, folded rows unfolded); the head is added. */
  csv?: CsvCell[][];
  /** The CSV's column names when `csv` has other columns than the table shows. */
  csvHead?: string[];
}

/**
 * A table from rows; `head` names the columns. A row's cell may be a whole `<td>` (with its colspan). The caption
 * carries a "CSV" button that downloads the table (or `options.csv`) as `<caption>.csv`, with a byte order mark so
 * spreadsheets read it as UTF-8; the table's accessible name stays the caption's text.
 */
export function table(caption: string, head: string[], rows: Cell[][], options: TableOptions = {}): HTMLTableElement {
  const id = `table-caption-${++tables}`;
  const button = h('button', { type: 'button', class: 'quiet csv', 'aria-label': `Download ${caption} as CSV` }, 'CSV');
  button.addEventListener('click', () => {
    const body = options.csv ?? rows.map((r) => r.map(cellText));
    download(csvFileName(caption), `\uFEFF${toCsv([options.csvHead ?? head, ...body])}`);
  });
  return h(
    'table',
    { 'aria-labelledby': id },
    h('caption', {}, h('span', { id }, caption), ' ', button),
    h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))),
    h(
      'tbody',
      {},
      ...rows.map((r) => h('tr', {}, ...r.map((c) => (c instanceof HTMLTableCellElement ? c : h('td', {}, c))))),
    ),
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
