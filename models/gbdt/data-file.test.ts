// Tests for the data-file loader: format detection, label/weight/query handling, and line-numbered errors.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataFile } from './data-file.ts';
import { parseNumberText } from './number-text.ts';

const dir = mkdtempSync(join(tmpdir(), 'data-file-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('loadDataFile', () => {
  it('reads TSV with the label first, NaN tokens and a .weight side file', () => {
    const path = file('a.tsv', '1\t0.5\tna\n0\t-2\t3e2\n');
    writeFileSync(`${path}.weight`, '1.5\n2\n');
    const d = loadDataFile(path);
    expect(d.format).toBe('tsv');
    expect(d.numRows).toBe(2);
    expect(d.numFeatures).toBe(2);
    expect([...d.labels]).toEqual([1, 0]);
    expect(d.rows[0]).toBe(0.5);
    expect(Number.isNaN(d.rows[1])).toBe(true);
    expect([...d.rows.subarray(2)]).toEqual([-2, 300]);
    expect([...d.weights!]).toEqual([1.5, 2]);
  });

  it('reads initial scores from a .init side file', () => {
    const path = file('init.tsv', '1\t2\n0\t3\n');
    writeFileSync(`${path}.init`, '0.5\n-1.25\n');
    expect([...loadDataFile(path).initScores!]).toEqual([0.5, -1.25]);
  });

  it('reads CSV with a header and a named label column', () => {
    const d = loadDataFile(file('b.csv', 'x,y,target\n1,2,0\n3,4,1\n5,6,1\n'), {
      header: true,
      labelColumn: 'name:target',
    });
    expect(d.format).toBe('csv');
    expect(d.featureNames).toEqual(['x', 'y']);
    expect([...d.labels]).toEqual([0, 1, 1]);
    expect([...d.rows]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('reads LibSVM with a .query side file', () => {
    const path = file('c.svm', '2 0:1.5 3:2\n0 1:7\n1 2:1\n');
    writeFileSync(`${path}.query`, '2\n1\n');
    const d = loadDataFile(path);
    expect(d.format).toBe('libsvm');
    expect(d.numFeatures).toBe(4);
    expect([...d.rows.subarray(0, 4)]).toEqual([1.5, 0, 0, 2]);
    expect([...d.rows.subarray(4, 8)]).toEqual([0, 7, 0, 0]);
    expect([...d.groups!]).toEqual([2, 1]);
  });

  it('treats a file with exactly the model feature count as unlabeled', () => {
    const d = loadDataFile(file('d.tsv', '1\t2\n3\t4\n'), { numFeatures: 2 });
    expect(d.hasLabel).toBe(false);
    expect([...d.rows]).toEqual([1, 2, 3, 4]);
  });

  it('takes weights and query ids from columns, keeping feature numbering', () => {
    const d = loadDataFile(file('e.tsv', '1\t9\t0.5\t7\n0\t9\t2\t7\n1\t8\t1\t3\n'), {
      weightColumn: '1',
      groupColumn: '0',
    });
    expect([...d.weights!]).toEqual([0.5, 2, 1]);
    expect([...d.groups!]).toEqual([2, 1]);
    expect(d.ignoredFeatures).toEqual([0, 1]);
    expect(d.numFeatures).toBe(3);
  });

  it('names the line of a ragged row and of a bad token', () => {
    expect(() => loadDataFile(file('f.tsv', '1\t2\t3\n0\t1\t2\n1\t2\n'))).toThrow(
      /f\.tsv line 3: expected 3 columns .* found 2/,
    );
    expect(() => loadDataFile(file('g.tsv', '1\t2\t3\n0\t1\t2\t4\n'))).toThrow(/g\.tsv line 2: expected 3 columns/);
    expect(() => loadDataFile(file('h.csv', '1,2\n0,abc\n'))).toThrow('h.csv line 2: column 2 is not a number: "abc"');
  });

  it('rejects side files that do not match the data', () => {
    const path = file('i.tsv', '1\t2\n0\t3\n');
    writeFileSync(`${path}.weight`, '1\n');
    expect(() => loadDataFile(path)).toThrow('has 1 weights but the data file has 2 rows');
    const q = file('j.tsv', '1\t2\n0\t3\n');
    writeFileSync(`${q}.query`, '1\nx\n');
    expect(() => loadDataFile(q)).toThrow('j.tsv.query line 2: query size must be a positive integer');
  });
});

describe('parseNumberText', () => {
  it('parses like LightGBM, including its own rounding of fractions', () => {
    expect(parseNumberText('0.869')).toBe(0.869);
    expect(parseNumberText('-1.5e-3')).toBe(-1.5 / 1000);
    expect(parseNumberText('1.107')).toBe(1 + 107 / 1000);
    expect(Number.isNaN(parseNumberText('NaN')!)).toBe(true);
    expect(parseNumberText('-inf')).toBe(-Infinity);
    expect(parseNumberText('1x')).toBeUndefined();
  });
});
