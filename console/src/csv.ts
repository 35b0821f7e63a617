// Tables as CSV (RFC 4180) for the console's downloads, with creator text kept from running as a spreadsheet formula.

export type CsvCell = string | number | null | undefined;

/**
 * A cell that a spreadsheet would read as a formula (it starts with = + - @, or a tab or carriage return that some
 * strip first) gets a leading single quote, so a creator's title like `=HYPERLINK(…)` stays text. Numbers are written
 * as numbers: a negative number is data, not a formula.
 */
export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Rows (the first naming the columns) as CSV text: fields joined by commas, records ended by CRLF. */
export function toCsv(rows: readonly (readonly CsvCell[])[]): string {
  return rows.map((r) => `${r.map(csvCell).join(',')}\r\n`).join('');
}

/** A file name from a table's caption: lowercase words joined by hyphens, at most 60 characters, then `.csv`. */
export function csvFileName(caption: string): string {
  const stem = caption
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return `${stem || 'table'}.csv`;
}
