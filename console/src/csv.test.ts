import { describe, expect, it } from 'vitest';
import { csvCell, csvFileName, toCsv } from './csv.ts';

describe('toCsv', () => {
  it('writes RFC 4180: commas, CRLF records, quotes doubled inside quoted fields', () => {
    expect(
      toCsv([
        ['day', 'title', 'sends'],
        ['2025-01-02', 'Live, "tonight"', 12],
        ['2025-01-03', 'two\nlines', 0.25],
      ]),
    ).toBe('day,title,sends\r\n2025-01-02,"Live, ""tonight""",12\r\n2025-01-03,"two\nlines",0.25\r\n');
  });

  it('leaves empty cells empty', () => {
    expect(toCsv([[null, undefined, '', Number.NaN]])).toBe(',,,\r\n');
  });

  it('guards text that a spreadsheet would run as a formula, but not numbers', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\t=1')).toBe("'\t=1");
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell('a=b')).toBe('a=b');
  });
});

describe('csvFileName', () => {
  it('makes a plain name from the caption', () => {
    expect(csvFileName('Per day, all channels and kinds')).toBe('per-day-all-channels-and-kinds.csv');
    expect(csvFileName('«»')).toBe('table.csv');
    expect(csvFileName('x'.repeat(100))).toBe(`${'x'.repeat(60)}.csv`);
  });
});
