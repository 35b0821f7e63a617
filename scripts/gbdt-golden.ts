// Regenerates models/gbdt/testdata: LightGBM-made models with LightGBM's own raw, transformed and SHAP predictions.
// Run: npx tsx scripts/gbdt-golden.ts
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GOLDEN_CASES, type GoldenCase } from '../models/gbdt/testdata/cases.ts';
import { examplesDir, runOracle } from '../testing/lightgbm-oracle.ts';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'models', 'gbdt', 'testdata');
const PREDICT_ROWS = 300;
const CONTRIB_ROWS = 60;

/** xorshift32: a tiny seeded generator so the synthetic sets are the same on every run. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

type Row = number[];

/** 3 numeric features, a smooth target: room for exactly the 4-leaf tree. */
function tinyRows(n: number, seed: number): Row[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => {
    const f = [r() * 10, r() * 4 - 2, Math.floor(r() * 5)];
    return [f[0] * 0.7 + (f[1] > 0 ? 3 : -1) + r() * 0.3, ...f];
  });
}

/** Binary target with NaN in features 0 and 2, many exact zeros in feature 1. */
function missingRows(n: number, seed: number, extremes: boolean): Row[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const f0 = r() < 0.2 ? NaN : r() * 6 - 3;
    const f1 = r() < 0.3 ? 0 : r() * 4 - 2;
    const f2 = r() < 0.1 ? NaN : Math.floor(r() * 20);
    const f3 = r() * 2;
    const f4 = extremes && i % 17 === 0 ? (i % 34 === 0 ? 1e-40 : -0) : r();
    const score = (Number.isNaN(f0) ? 1.5 : f0) + (f1 === 0 ? -1 : f1) + (Number.isNaN(f2) ? 2 : f2 / 10) - f3;
    return [score + r() * 1.5 > 0.5 ? 1 : 0, f0, f1, f2, f3, f4];
  });
}

/** Categorical features 0 (50 levels, so bitsets span two 32-bit words) and 1 (4 levels, one-hot splits). */
function categoricalRows(n: number, seed: number, odd: boolean): Row[] {
  const r = rng(seed);
  const weight = Array.from({ length: 50 }, (_, c) => ((c * 37) % 11) / 5 - 1);
  return Array.from({ length: n }, (_, i) => {
    let c0: number = Math.floor(r() * 50);
    const c1 = Math.floor(r() * 4);
    const x = r() * 4 - 2;
    const y = r() < 0.1 ? NaN : r();
    const score = weight[c0] + (c1 === 2 ? 1.2 : 0) + x * 0.5 + (Number.isNaN(y) ? 0.3 : y);
    const label = score + r() * 0.8 > 0.4 ? 1 : 0;
    if (odd) {
      // Unseen, negative, fractional and missing categories take LightGBM's right-child paths.
      const k = i % 10;
      if (k === 1) c0 = 63;
      else if (k === 2) c0 = -1;
      else if (k === 3) c0 = c0 + 0.7;
      else if (k === 4) c0 = NaN;
      else if (k === 5) c0 = 40;
    }
    return [label, c0, c1, x, y];
  });
}

function toTsv(rows: Row[]): string {
  return `${rows.map((row) => row.map((v) => (Number.isNaN(v) ? 'nan' : String(v))).join('\t')).join('\n')}\n`;
}

/** Dense TSV from LightGBM's examples: TSV files as they are, LibSVM expanded with zeros for absent features. */
function exampleRows(path: string, limit: number): Row[] {
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .slice(0, limit);
  if (!lines[0].includes(':')) return lines.map((l) => l.split('\t').map(Number));
  const parsed = lines.map((l) => {
    const [label, ...pairs] = l.trim().split(/\s+/);
    const features = new Map(pairs.map((p) => p.split(':').map(Number) as [number, number]));
    return { label: Number(label), features };
  });
  const width = Math.max(...parsed.flatMap((p) => [...p.features.keys()])) + 1;
  return parsed.map((p) => [p.label, ...Array.from({ length: width }, (_, j) => p.features.get(j) ?? 0)]);
}

function trainingData(c: GoldenCase, work: string): { data: string; testRows: Row[] } {
  const ex = examplesDir();
  switch (c.source) {
    case 'tiny':
      writeFileSync(join(work, 'train.tsv'), toTsv(tinyRows(400, 11)));
      return { data: 'train.tsv', testRows: tinyRows(PREDICT_ROWS, 12) };
    case 'missing':
      writeFileSync(join(work, 'train.tsv'), toTsv(missingRows(3000, 21, false)));
      return { data: 'train.tsv', testRows: missingRows(PREDICT_ROWS, 22, true) };
    case 'categorical':
      writeFileSync(join(work, 'train.tsv'), toTsv(categoricalRows(4000, 31, false)));
      return { data: 'train.tsv', testRows: categoricalRows(PREDICT_ROWS, 32, true) };
    case 'binary':
      copyFileSync(join(ex, 'binary_classification', 'binary.train'), join(work, 'train.tsv'));
      return {
        data: 'train.tsv',
        testRows: exampleRows(join(ex, 'binary_classification', 'binary.test'), PREDICT_ROWS),
      };
    case 'multiclass':
      copyFileSync(join(ex, 'multiclass_classification', 'multiclass.train'), join(work, 'train.tsv'));
      return {
        data: 'train.tsv',
        testRows: exampleRows(join(ex, 'multiclass_classification', 'multiclass.test'), PREDICT_ROWS),
      };
    case 'lambdarank':
      copyFileSync(join(ex, 'lambdarank', 'rank.train'), join(work, 'rank.train'));
      copyFileSync(join(ex, 'lambdarank', 'rank.train.query'), join(work, 'rank.train.query'));
      return { data: 'rank.train', testRows: exampleRows(join(ex, 'lambdarank', 'rank.test'), PREDICT_ROWS) };
  }
}

function generate(c: GoldenCase): void {
  const work = mkdtempSync(join(tmpdir(), `gbdt-golden-${c.name}-`));
  try {
    const { data, testRows } = trainingData(c, work);
    runOracle({ task: 'train', data, output_model: 'model.txt', verbosity: -1, ...c.train }, work);
    // Pad LibSVM-derived rows to the model's width so the dense file has one column per model feature.
    const model = readFileSync(join(work, 'model.txt'), 'utf8');
    const width = Number(/max_feature_idx=(\d+)/.exec(model)![1]) + 1;
    const rows = testRows.map((row) =>
      [...row, ...Array(Math.max(0, width + 1 - row.length)).fill(0)].slice(0, width + 1),
    );
    writeFileSync(join(work, 'test.tsv'), toTsv(rows));
    writeFileSync(join(work, 'contrib.tsv'), toTsv(rows.slice(0, CONTRIB_ROWS)));
    const predict = (input: string, output: string, extra: Record<string, string | boolean>) =>
      runOracle(
        { task: 'predict', input_model: 'model.txt', data: input, output_result: output, verbosity: -1, ...extra },
        work,
      );
    predict('test.tsv', 'pred.tsv', {});
    predict('test.tsv', 'raw.tsv', { predict_raw_score: true });
    predict('contrib.tsv', 'contrib-out.tsv', { predict_contrib: true });
    const base = join(OUT, c.name);
    copyFileSync(join(work, 'model.txt'), `${base}.model.txt`);
    copyFileSync(join(work, 'test.tsv'), `${base}.data.tsv`);
    copyFileSync(join(work, 'pred.tsv'), `${base}.pred.tsv`);
    copyFileSync(join(work, 'raw.tsv'), `${base}.raw.tsv`);
    copyFileSync(join(work, 'contrib-out.tsv'), `${base}.contrib.tsv`);
    process.stdout.write(`${c.name}: ${model.length} bytes of model, ${rows.length} rows\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

mkdirSync(OUT, { recursive: true });
const only = process.argv.slice(2);
for (const c of GOLDEN_CASES) if (only.length === 0 || only.includes(c.name)) generate(c);
