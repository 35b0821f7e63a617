// Prediction benchmark: our compiled trees and TreeSHAP vs LightGBM's C API, one thread, 200,000 rows, 200 trees.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileModel } from '../models/gbdt/compile.ts';
import { parseModel } from '../models/gbdt/model-text-parse.ts';
import { shapExplainer } from '../models/gbdt/shap.ts';
import { oracleDir, requireOracleLibrary, runOracle } from '../testing/lightgbm-oracle.ts';
import {
  ensureNotificationData,
  generateNotificationRows,
  NUM_FEATURES,
  notificationDataDir,
  TEST_SEED,
} from './notification-data.ts';

const TEST_ROWS = 200_000;
const SINGLE_ROWS = 50_000;
const SHAP_ROWS = 2_000;
/** Each measure runs this many times, ours and LightGBM's alternating, and keeps its best: the cores are shared. */
const ROUNDS = 3;
const HERE = dirname(fileURLToPath(import.meta.url));

function seconds(fn: () => void): number {
  const t = performance.now();
  fn();
  return (performance.now() - t) / 1000;
}

function trainModel(train: string): string {
  const model = join(notificationDataDir(), 'model-binary-200x63.txt');
  if (!existsSync(model)) {
    process.stderr.write('training the 200-tree, 63-leaf model with LightGBM...\n');
    runOracle(
      {
        task: 'train',
        data: train,
        objective: 'binary',
        num_trees: 200,
        num_leaves: 63,
        learning_rate: 0.1,
        min_data_in_leaf: 100,
        output_model: model,
        verbosity: -1,
        num_threads: 2,
      },
      notificationDataDir(),
    );
  }
  return model;
}

/** Builds the C timing program against lib_lightgbm.so and returns a runner for one mode. */
function lightGbmRunner(modelPath: string, rows: Float64Array, work: string) {
  const lib = requireOracleLibrary();
  const exe = join(work, 'lightgbm-predict');
  execFileSync('gcc', [
    '-O2',
    '-w',
    join(HERE, 'lightgbm-predict.c'),
    `-I${join(oracleDir(), 'include')}`,
    `-L${dirname(lib)}`,
    '-l_lightgbm',
    `-Wl,-rpath,${dirname(lib)}`,
    '-o',
    exe,
  ]);
  const input = join(work, 'rows.f64');
  writeFileSync(input, new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength));
  return (
    mode: 'batch' | 'single-fast' | 'single' | 'shap',
    count: number,
  ): { rowsPerSecond: number; out: Float64Array } => {
    const output = join(work, `${mode}.f64`);
    const text = execFileSync(
      exe,
      [modelPath, input, String(TEST_ROWS), String(NUM_FEATURES), mode, String(count), output],
      {
        encoding: 'utf8',
        env: { ...process.env, OMP_NUM_THREADS: '1' },
      },
    );
    const bytes = readFileSync(output);
    return {
      rowsPerSecond: Number(/rows_per_s (\S+)/.exec(text)![1]),
      out: new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8),
    };
  };
}

function maxDiff(a: Float64Array, b: Float64Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i += 1) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

interface Figure {
  name: string;
  ours: number;
  theirs: number;
}

function main(): void {
  const { train } = ensureNotificationData();
  const modelPath = trainModel(train);
  const rows = generateNotificationRows(TEST_ROWS, TEST_SEED).rows;
  const model = parseModel(readFileSync(modelPath, 'utf8'), modelPath);
  let compiled = compileModel(model);
  const compileSeconds = seconds(() => {
    compiled = compileModel(model);
  });
  const explainer = shapExplainer(model);
  const shapInput = rows.subarray(0, SHAP_ROWS * NUM_FEATURES);
  const work = mkdtempSync(join(tmpdir(), 'gbdt-bench-'));
  try {
    const lightGbm = lightGbmRunner(modelPath, rows, work);
    const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
    const batch: Figure = { name: `batch, ${fmt(TEST_ROWS)} rows (PredictForMat)`, ours: 0, theirs: 0 };
    const singleFast: Figure = { name: `single-row calls, ${fmt(SINGLE_ROWS)} (SingleRowFast)`, ours: 0, theirs: 0 };
    const single: Figure = { name: `single-row calls, ${fmt(SINGLE_ROWS)} (SingleRow)`, ours: 0, theirs: 0 };
    const shap: Figure = { name: `SHAP, ${fmt(SHAP_ROWS)} rows (PREDICT_CONTRIB)`, ours: 0, theirs: 0 };
    let ours = compiled.predict(rows);
    let contrib = explainer.explain(shapInput);
    let theirs: Float64Array = new Float64Array(0);
    let theirContrib: Float64Array = new Float64Array(0);
    for (let round = 0; round < ROUNDS; round += 1) {
      batch.ours = Math.max(batch.ours, TEST_ROWS / seconds(() => (ours = compiled.predict(rows))));
      const b = lightGbm('batch', TEST_ROWS);
      batch.theirs = Math.max(batch.theirs, b.rowsPerSecond);
      theirs = b.out;
      const ourSingle =
        SINGLE_ROWS /
        seconds(() => {
          for (let r = 0; r < SINGLE_ROWS; r += 1)
            compiled.predictRow(rows.subarray(r * NUM_FEATURES, (r + 1) * NUM_FEATURES));
        });
      singleFast.ours = single.ours = Math.max(single.ours, ourSingle);
      singleFast.theirs = Math.max(singleFast.theirs, lightGbm('single-fast', SINGLE_ROWS).rowsPerSecond);
      single.theirs = Math.max(single.theirs, lightGbm('single', SINGLE_ROWS).rowsPerSecond);
      shap.ours = Math.max(shap.ours, SHAP_ROWS / seconds(() => (contrib = explainer.explain(shapInput))));
      const s = lightGbm('shap', SHAP_ROWS);
      shap.theirs = Math.max(shap.theirs, s.rowsPerSecond);
      theirContrib = s.out;
    }
    const lines = [
      `model: ${model.trees.length} trees, up to ${Math.max(...model.trees.map((t) => t.numLeaves))} leaves; ` +
        `compiled in ${compileSeconds.toFixed(2)} s`,
      `max |ours - LightGBM|: predictions ${maxDiff(ours, theirs).toExponential(2)}, ` +
        `SHAP ${maxDiff(contrib, theirContrib).toExponential(2)}`,
      `best of ${ROUNDS} alternating rounds`,
      '',
      '| measure (1 thread) | fanfare (JS) rows/s | LightGBM C API rows/s | ratio |',
      '| --- | ---: | ---: | ---: |',
      ...[batch, singleFast, single, shap].map(
        (f) => `| ${f.name} | ${fmt(f.ours)} | ${fmt(f.theirs)} | ${(f.ours / f.theirs).toFixed(2)}× |`,
      ),
      '',
      `load average at the end: ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')} on ${cpus().length} cores`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();
