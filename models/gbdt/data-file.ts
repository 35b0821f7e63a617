// Load a LightGBM-style text data file (TSV, CSV or LibSVM, auto-detected) with its .weight and .query side files.
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { parseNumberBytes, parseNumberText } from './number-text.ts';

export interface DataFileOptions {
  /** The first line holds column names. */
  header?: boolean;
  /** Column index of the label (counting every column), or `name:NAME` with a header; default 0. */
  labelColumn?: string;
  /** Feature index (not counting the label) or `name:NAME` of a per-row weight column. */
  weightColumn?: string;
  /** Feature index or `name:NAME` of a query-id column; consecutive equal ids form one query. */
  groupColumn?: string;
  /** Feature indices or `name:A,B` to leave out of training. */
  ignoreColumn?: string;
  /** For prediction: a dense file with exactly this many columns has no label column. */
  numFeatures?: number;
}

export interface DataFile {
  format: 'tsv' | 'csv' | 'libsvm';
  /** numRows × numFeatures, row-major; missing values are NaN. */
  rows: Float64Array;
  numRows: number;
  numFeatures: number;
  labels: Float64Array;
  hasLabel: boolean;
  weights?: Float64Array;
  /** Query sizes, in row order. */
  groups?: Int32Array;
  /** Per-row starting scores from a `<data>.init` file; training then starts from them instead of an average. */
  initScores?: Float64Array;
  featureNames?: string[];
  /** Features present in the rows that must not be split on (weight, group and ignored columns). */
  ignoredFeatures: number[];
}

const TAB = 9;
const COMMA = 44;
const COLON = 58;
const SPACE = 32;
const NEWLINE = 10;
const CHUNK = 1 << 24;

/** Read and parse a data file and its side files; every problem is reported with the file and line. */
export function loadDataFile(path: string, opts: DataFileOptions = {}): DataFile {
  if (!existsSync(path)) throw new Error(`data file ${path} does not exist`);
  const sink = new RowSink(path, opts, statSync(path).size);
  forEachLine(path, (bytes, start, end, lineNo) => sink.line(bytes, start, end, lineNo));
  const data = sink.finish();
  const weightPath = `${path}.weight`;
  if (!data.weights && existsSync(weightPath)) data.weights = readSideFile(weightPath, data.numRows, 'weight');
  const initPath = `${path}.init`;
  if (existsSync(initPath)) data.initScores = readSideFile(initPath, data.numRows, 'initial score', -Infinity);
  const queryPath = `${path}.query`;
  if (!data.groups && existsSync(queryPath)) data.groups = readQueryFile(queryPath, data.numRows);
  return data;
}

/** Calls back once per line with its byte range, reading the file in large chunks to bound memory. */
function forEachLine(
  path: string,
  onLine: (bytes: Uint8Array, start: number, end: number, lineNo: number) => void,
): void {
  const fd = openSync(path, 'r');
  try {
    let buf = Buffer.allocUnsafe(CHUNK);
    let carry = 0;
    let lineNo = 0;
    for (;;) {
      if (carry === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, carry);
        buf = bigger;
      }
      const got = readSync(fd, buf, carry, buf.length - carry, null);
      const filled = carry + got;
      let start = 0;
      for (let i = buf.indexOf(NEWLINE, 0); i >= 0 && i < filled; i = buf.indexOf(NEWLINE, start)) {
        onLine(buf, start, i, ++lineNo);
        start = i + 1;
      }
      if (got === 0) {
        if (start < filled) onLine(buf, start, filled, ++lineNo);
        return;
      }
      buf.copy(buf, 0, start, filled);
      carry = filled - start;
    }
  } finally {
    closeSync(fd);
  }
}

function isBlank(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = bytes[i];
    if (c !== SPACE && c !== TAB && c !== 13) return false;
  }
  return true;
}

function countByte(bytes: Uint8Array, start: number, end: number, byte: number): number {
  let n = 0;
  for (let i = start; i < end; i++) if (bytes[i] === byte) n++;
  return n;
}

/** Accumulates parsed rows; the format is decided from the first two data lines, as LightGBM does. */
class RowSink {
  private format: DataFile['format'] | undefined;
  private names: string[] | undefined;
  private pending: { text: Buffer; lineNo: number }[] = [];
  private numCols = 0;
  private delimiter = TAB;
  /** Raw column → role: >= 0 feature index, -1 label, -2 skipped (weight/group already captured), see columnRole. */
  private role: Int32Array = new Int32Array(0);
  private labelCol = 0;
  private weightCol = -1;
  private groupCol = -1;
  private numFeatures = 0;
  private rows: Float64Array = new Float64Array(0);
  private labels: Float64Array = new Float64Array(0);
  private weights: Float64Array | undefined;
  private groupIds: Float64Array | undefined;
  private numRows = 0;
  private hasLabel = true;
  private sparse: { idx: Int32Array; val: Float64Array; n: number; rowEnd: Int32Array } | undefined;
  private ignored: number[] = [];

  constructor(
    private readonly path: string,
    private readonly opts: DataFileOptions,
    private readonly fileSize: number,
  ) {}

  private fail(lineNo: number, problem: string): never {
    throw new Error(`${this.path} line ${lineNo}: ${problem}`);
  }

  line(bytes: Uint8Array, start: number, end: number, lineNo: number): void {
    if (this.opts.header && this.names === undefined) {
      this.names = Buffer.from(bytes.subarray(start, end))
        .toString('utf8')
        .replace(/\r$/, '')
        .split(/[\t,]/)
        .map((s) => s.trim());
      return;
    }
    if (isBlank(bytes, start, end)) return;
    if (this.format === undefined) {
      this.pending.push({ text: Buffer.from(bytes.subarray(start, end)), lineNo });
      if (this.pending.length === 2) this.decide();
      return;
    }
    this.parse(bytes, start, end, lineNo);
  }

  private decide(): void {
    const [a, b] = this.pending;
    const stats = (t: Buffer) => ({
      tab: countByte(t, 0, t.length, TAB),
      comma: countByte(t, 0, t.length, COMMA),
      colon: countByte(t, 0, t.length, COLON),
    });
    const s1 = stats(a.text);
    const s2 = b ? stats(b.text) : s1;
    if (s1.colon > 0 || s2.colon > 0) this.format = 'libsvm';
    else if (s1.tab > 0) this.format = 'tsv';
    else if (s1.comma > 0) this.format = 'csv';
    else this.format = 'tsv';
    if (this.format === 'libsvm') {
      this.sparse = {
        idx: new Int32Array(1 << 16),
        val: new Float64Array(1 << 16),
        n: 0,
        rowEnd: new Int32Array(1 << 12),
      };
    } else {
      this.delimiter = this.format === 'csv' ? COMMA : TAB;
      this.numCols = countByte(a.text, 0, a.text.length, this.delimiter) + 1;
      this.setUpColumns(a.lineNo);
    }
    const pending = this.pending;
    this.pending = [];
    for (const p of pending) this.parse(p.text, 0, p.text.length, p.lineNo);
  }

  private resolveColumn(spec: string, what: string, countsLabel: boolean): number {
    if (spec.startsWith('name:')) {
      const name = spec.slice(5);
      if (!this.names) throw new Error(`${what}=${spec} names a column, which needs header=true`);
      const col = this.names.indexOf(name);
      if (col < 0) throw new Error(`${what}=${spec}: no column named "${name}" in the header of ${this.path}`);
      return col;
    }
    if (!/^\d+$/.test(spec)) throw new Error(`${what} must be a column index or name:NAME, got "${spec}"`);
    const n = Number(spec);
    const col = countsLabel || n < this.labelCol ? n : n + 1;
    if (col >= this.numCols) throw new Error(`${what}=${spec} is beyond the ${this.numCols} columns of ${this.path}`);
    return col;
  }

  private setUpColumns(lineNo: number): void {
    if (this.names && this.names.length !== this.numCols) {
      this.fail(lineNo, `the header has ${this.names.length} names but the line has ${this.numCols} columns`);
    }
    const o = this.opts;
    this.hasLabel = !(o.numFeatures !== undefined && o.numFeatures === this.numCols);
    this.labelCol = this.hasLabel ? (o.labelColumn ? this.resolveColumn(o.labelColumn, 'label_column', true) : 0) : -1;
    this.numFeatures = this.hasLabel ? this.numCols - 1 : this.numCols;
    this.role = new Int32Array(this.numCols);
    for (let c = 0, f = 0; c < this.numCols; c++) this.role[c] = c === this.labelCol ? -1 : f++;
    const featureOf = (col: number) => this.role[col];
    if (o.weightColumn) {
      this.weightCol = this.resolveColumn(o.weightColumn, 'weight_column', false);
      this.ignored.push(featureOf(this.weightCol));
    }
    if (o.groupColumn) {
      this.groupCol = this.resolveColumn(o.groupColumn, 'group_column', false);
      this.ignored.push(featureOf(this.groupCol));
    }
    if (o.ignoreColumn) {
      const specs = o.ignoreColumn.startsWith('name:')
        ? o.ignoreColumn
            .slice(5)
            .split(',')
            .map((n) => `name:${n}`)
        : o.ignoreColumn.split(',');
      for (const spec of specs) this.ignored.push(featureOf(this.resolveColumn(spec.trim(), 'ignore_column', false)));
    }
    const estimate = Math.max(16, Math.ceil((this.fileSize / Math.max(1, this.pending[0].text.length + 1)) * 1.05));
    this.rows = new Float64Array(estimate * this.numFeatures);
    this.labels = new Float64Array(estimate);
    if (this.weightCol >= 0) this.weights = new Float64Array(estimate);
    if (this.groupCol >= 0) this.groupIds = new Float64Array(estimate);
  }

  private grow(): void {
    const cap = Math.max(16, this.labels.length * 2);
    const rows = new Float64Array(cap * this.numFeatures);
    rows.set(this.rows);
    this.rows = rows;
    const resize = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    this.labels = resize(this.labels);
    if (this.weights) this.weights = resize(this.weights);
    if (this.groupIds) this.groupIds = resize(this.groupIds);
  }

  private parse(bytes: Uint8Array, start: number, end: number, lineNo: number): void {
    if (this.format === 'libsvm') {
      this.parseLibsvm(bytes, start, end, lineNo);
      return;
    }
    if (this.numRows === this.labels.length) this.grow();
    const r = this.numRows;
    const base = r * this.numFeatures;
    const delim = this.delimiter;
    let col = 0;
    let tokenStart = start;
    for (let i = start; i <= end; i++) {
      if (i < end && bytes[i] !== delim) continue;
      if (col >= this.numCols)
        this.fail(lineNo, `expected ${this.numCols} columns (as on the first data line), found more`);
      const v = parseNumberBytes(bytes, tokenStart, i);
      if (v === undefined) {
        this.fail(
          lineNo,
          `column ${col + 1} is not a number: "${Buffer.from(bytes.subarray(tokenStart, i)).toString('utf8')}"`,
        );
      }
      const role = this.role[col];
      if (role >= 0) this.rows[base + role] = v;
      else this.labels[r] = v;
      if (col === this.weightCol) this.weights![r] = v;
      if (col === this.groupCol) this.groupIds![r] = v;
      col++;
      tokenStart = i + 1;
    }
    if (col !== this.numCols)
      this.fail(lineNo, `expected ${this.numCols} columns (as on the first data line), found ${col}`);
    this.numRows++;
  }

  private parseLibsvm(bytes: Uint8Array, start: number, end: number, lineNo: number): void {
    const s = this.sparse!;
    if (this.numRows === this.labels.length) {
      const cap = Math.max(16, this.labels.length * 2);
      const labels = new Float64Array(cap);
      labels.set(this.labels);
      this.labels = labels;
      const rowEnd = new Int32Array(cap);
      rowEnd.set(s.rowEnd.subarray(0, this.numRows));
      s.rowEnd = rowEnd;
    }
    let i = start;
    let first = true;
    while (i < end) {
      while (i < end && (bytes[i] === SPACE || bytes[i] === TAB || bytes[i] === 13)) i++;
      if (i >= end) break;
      let j = i;
      let colon = -1;
      while (j < end && bytes[j] !== SPACE && bytes[j] !== TAB && bytes[j] !== 13) {
        if (bytes[j] === COLON) colon = j;
        j++;
      }
      const token = () => Buffer.from(bytes.subarray(i, j)).toString('utf8');
      if (colon < 0) {
        if (!first) this.fail(lineNo, `expected index:value, found "${token()}"`);
        const label = parseNumberBytes(bytes, i, j);
        if (label === undefined) this.fail(lineNo, `the label is not a number: "${token()}"`);
        this.labels[this.numRows] = label;
      } else {
        const idx = parseNumberBytes(bytes, i, colon);
        const val = parseNumberBytes(bytes, colon + 1, j);
        if (idx === undefined || !Number.isInteger(idx) || idx < 0)
          this.fail(lineNo, `bad feature index in "${token()}"`);
        if (val === undefined) this.fail(lineNo, `bad value in "${token()}"`);
        if (s.n === s.idx.length) {
          const idx2 = new Int32Array(s.n * 2);
          idx2.set(s.idx);
          s.idx = idx2;
          const val2 = new Float64Array(s.n * 2);
          val2.set(s.val);
          s.val = val2;
        }
        s.idx[s.n] = idx;
        s.val[s.n] = val;
        s.n++;
        if (idx + 1 > this.numFeatures) this.numFeatures = idx + 1;
      }
      first = false;
      i = j;
    }
    s.rowEnd[this.numRows] = s.n;
    this.numRows++;
  }

  finish(): DataFile {
    if (this.format === undefined) {
      if (this.pending.length === 0) throw new Error(`data file ${this.path} has no data lines`);
      this.decide();
    }
    const n = this.numRows;
    let rows: Float64Array;
    if (this.format === 'libsvm') {
      const s = this.sparse!;
      if (this.opts.numFeatures !== undefined) this.numFeatures = Math.max(this.numFeatures, this.opts.numFeatures);
      rows = new Float64Array(n * this.numFeatures);
      for (let r = 0, k = 0; r < n; r++) {
        for (const endK = s.rowEnd[r]; k < endK; k++) rows[r * this.numFeatures + s.idx[k]] = s.val[k];
      }
    } else {
      // A view, not a copy: copying would briefly double the largest allocation of a big load.
      rows = this.rows.subarray(0, n * this.numFeatures);
    }
    const data: DataFile = {
      format: this.format!,
      rows,
      numRows: n,
      numFeatures: this.numFeatures,
      labels: this.labels.slice(0, n),
      hasLabel: this.hasLabel,
      ignoredFeatures: [...new Set(this.ignored)].sort((a, b) => a - b),
    };
    if (this.names && this.format !== 'libsvm') data.featureNames = this.names.filter((_, c) => c !== this.labelCol);
    if (this.weights) data.weights = this.weights.slice(0, n);
    if (this.groupIds) data.groups = groupSizes(this.groupIds.subarray(0, n));
    return data;
  }
}

function groupSizes(ids: Float64Array): Int32Array {
  const sizes: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (i === 0 || ids[i] !== ids[i - 1]) sizes.push(1);
    else sizes[sizes.length - 1]++;
  }
  return Int32Array.from(sizes);
}

function readLines(path: string): string[] {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  return lines;
}

/** A `<data>.weight` or `<data>.init` file: one number (at least `min`) per data row. */
function readSideFile(path: string, numRows: number, what: string, min = 0): Float64Array {
  const lines = readLines(path);
  if (lines.length !== numRows)
    throw new Error(`${path}: has ${lines.length} ${what}s but the data file has ${numRows} rows`);
  const out = new Float64Array(numRows);
  lines.forEach((line, i) => {
    const v = parseNumberText(line.trim());
    if (v === undefined || !(v >= min))
      throw new Error(`${path} line ${i + 1}: ${what} must be a number${min === 0 ? ' >= 0' : ''}, got "${line}"`);
    out[i] = v;
  });
  return out;
}

/** A `<data>.query` file: one positive query size per line, summing to the number of rows. */
function readQueryFile(path: string, numRows: number): Int32Array {
  const lines = readLines(path);
  const out = new Int32Array(lines.length);
  let total = 0;
  lines.forEach((line, i) => {
    const t = line.trim();
    if (!/^\d+$/.test(t) || Number(t) === 0)
      throw new Error(`${path} line ${i + 1}: query size must be a positive integer, got "${line}"`);
    out[i] = Number(t);
    total += out[i];
  });
  if (total !== numRows) throw new Error(`${path}: query sizes sum to ${total} but the data file has ${numRows} rows`);
  return out;
}
