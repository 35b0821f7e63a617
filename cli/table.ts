// Plain-text tables for the listing commands: columns padded to their widest cell, instants to the second.

/** An instant as ISO 8601 to the second, or "-" for none. */
export const instant = (d: Date | null): string => (d ? d.toISOString().replace(/\.\d+Z$/, 'Z') : '-');

/** Rows (the first the header) as lines, each column padded to its widest cell, two spaces apart. */
export function columns(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
