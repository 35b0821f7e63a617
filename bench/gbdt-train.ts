// Training benchmark: our trainer vs LightGBM's CLI on seeded notification data (time, binning, test AUC, peak memory).
// Usage: npx tsx bench/gbdt-train.ts            (runs both engines, each under /usr/bin/time -v, and prints a table)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trainModel } from '../models/gbdt/boosting.ts';
import { loadDataFile } from '../models/gbdt/data-file.ts';
import { auc } from '../models/gbdt/metrics.ts';
import { parseModel } from '../models/gbdt/model-text-parse.ts';
import { loadParams } from '../models/gbdt/params.ts';
import { predictReference } from '../models/gbdt/predict.ts';
import { requireOracle } from '../testing/lightgbm-oracle.ts';
import { ensureNotificationData } from './notification-data.ts';

/** The benchmark's training parameters, shared verbatim by both engines. */
const PARAMS = [
  'objective=binary',
  'metric=auc',
  'num_trees=200',
  'num_leaves=63',
  'learning_rate=0.1',
  'min_data_in_leaf=100',
  'metric_freq=200',
  'verbosity=1',
];

interface Measured {
  wallS: number;
  /** User plus system CPU seconds: steadier than wall time when other work shares the cores. */
  cpuS: number;
  peakRssMb: number;
  stdout: string;
}

/** Run a command under GNU time, returning wall time, peak RSS and stdout. */
function timed(cmd: string, args: string[]): Measured {
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}):\n${r.stderr}`);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(r.stderr);
  const user = /User time \(seconds\): ([\d.]+)/.exec(r.stderr);
  const sys = /System time \(seconds\): ([\d.]+)/.exec(r.stderr);
  if (!rss || !wall || !user || !sys) throw new Error(`no /usr/bin/time figures in:\n${r.stderr}`);
  const wallS = Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]);
  return { wallS, cpuS: Number(user[1]) + Number(sys[1]), peakRssMb: Number(rss[1]) / 1024, stdout: r.stdout };
}

/** Child mode: train with our engine and print one JSON line of figures. */
function child(train: string, test: string, out: string): void {
  const t0 = performance.now();
  const p = loadParams([...PARAMS, `output_model=${out}`]);
  const trainData = loadDataFile(train);
  const testData = loadDataFile(test);
  const loadMs = performance.now() - t0;
  const r = trainModel(trainData, [testData], p);
  const totalMs = performance.now() - t0;
  const testAuc = auc(predictReference(r.model, testData.rows, { raw: true }), testData.labels);
  const summary = { loadMs, binMs: r.binningMs, trainMs: r.trainingMs, totalMs, testAuc, trees: r.model.trees.length };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

function lightgbm(
  train: string,
  test: string,
  threads: number,
  out: string,
): Measured & { auc: number; loadS: number; trees: number } {
  const m = timed(requireOracle(), [
    `data=${train}`,
    `valid=${test}`,
    ...PARAMS,
    `num_threads=${threads}`,
    `output_model=${out}`,
  ]);
  const aucLine = /valid_1 auc : ([\d.]+)/.exec(m.stdout);
  const load = /Finished loading data in ([\d.]+) seconds/.exec(m.stdout);
  const trees = parseModel(readFileSync(out, 'utf8')).trees.length;
  return { ...m, auc: aucLine ? Number(aucLine[1]) : NaN, loadS: load ? Number(load[1]) : NaN, trees };
}

function main(): void {
  if (process.argv[2] === 'child') {
    child(process.argv[3], process.argv[4], process.argv[5]);
    return;
  }
  const { train, test } = ensureNotificationData();
  const dir = mkdtempSync(join(tmpdir(), 'gbdt-train-bench-'));
  const self = fileURLToPath(import.meta.url);
  const oursRun = timed(process.execPath, ['--import', 'tsx', self, 'child', train, test, join(dir, 'ours.txt')]);
  const ours = JSON.parse(oursRun.stdout.trim().split('\n').pop()!);
  const lgb1 = lightgbm(train, test, 1, join(dir, 'lgb1.txt'));
  const lgb2 = lightgbm(train, test, 2, join(dir, 'lgb2.txt'));
  const lgbAuc = auc(
    predictReference(parseModel(readFileSync(join(dir, 'lgb1.txt'), 'utf8')), loadDataFile(test).rows, { raw: true }),
    loadDataFile(test).labels,
  );
  const cpu = execFileSync('sh', ['-c', "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], {
    encoding: 'utf8',
  }).trim();
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const s = (x: number) => x.toFixed(2);
  console.log(`machine: ${cpu}, load average at end ${load}`);
  /** A Markdown table row of these cells. */
  const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  console.log(
    row([
      'engine',
      'wall total (s)',
      'CPU total (s)',
      'load (s)',
      'binning (s)',
      'boosting (s)',
      'trees',
      'test AUC',
      'peak RSS (MB)',
    ]),
  );
  console.log(`| --- | --- | --- | --- | --- | --- | --- | --- | --- |`);
  console.log(
    row([
      'fanfare (1 thread)',
      s(oursRun.wallS),
      s(oursRun.cpuS),
      s(ours.loadMs / 1000),
      s(ours.binMs / 1000),
      s(ours.trainMs / 1000),
      ours.trees,
      ours.testAuc.toFixed(5),
      oursRun.peakRssMb.toFixed(0),
    ]),
  );
  console.log(
    row([
      'LightGBM CLI num_threads=1',
      s(lgb1.wallS),
      s(lgb1.cpuS),
      `${s(lgb1.loadS)} (incl. binning)`,
      '–',
      s(lgb1.wallS - lgb1.loadS),
      lgb1.trees,
      lgbAuc.toFixed(5),
      lgb1.peakRssMb.toFixed(0),
    ]),
  );
  console.log(
    row([
      'LightGBM CLI num_threads=2',
      s(lgb2.wallS),
      s(lgb2.cpuS),
      `${s(lgb2.loadS)} (incl. binning)`,
      '–',
      s(lgb2.wallS - lgb2.loadS),
      lgb2.trees,
      lgb2.auc.toFixed(5),
      lgb2.peakRssMb.toFixed(0),
    ]),
  );
  console.log(
    `ratios vs LightGBM 1 thread: wall ${s(oursRun.wallS / lgb1.wallS)}x, CPU ${s(oursRun.cpuS / lgb1.cpuS)}x, ` +
      `peak RSS ${s(oursRun.peakRssMb / lgb1.peakRssMb)}x, AUC diff ${(ours.testAuc - lgbAuc).toFixed(5)}`,
  );
}

main();
