// Trains a relevance model on the log and evaluates it, the oracle and the active model on one holdout.

import { activeModelVersion, insertCandidateModel, modelText } from '../db/models.ts';
import type { Pool } from '../db/pool.ts';
import type { HoldoutMetrics } from '../domain/model-registry.ts';
import { DAY_MS } from '../domain/time.ts';
import { evaluateProbabilities } from './evaluation.ts';
import { type ExampleSet, extractExamples, LABEL_HORIZON_MS, sliceByTime } from './examples.ts';
import { CATEGORICAL_FEATURES, FEATURE_NAMES, FEATURE_VERSION, NUM_FEATURES } from './features.ts';
import { trainModelYielding } from './gbdt/boosting.ts';
import type { DataFile } from './gbdt/data-file.ts';
import { modelToText } from './gbdt/model-text-write.ts';
import { parseArgs, resolveParams } from './gbdt/params.ts';
import { loadRelevanceModel } from './relevance-model.ts';

/**
 * Our engine's parameters, LightGBM spelling; early stopping watches the last training day, never the holdout.
 * Depth 6 and rate 0.1 score as well on the default world's holdout as unbounded depth at 0.05 (AUC 0.7201
 * vs 0.7203) with a third of the trees and training time, and make each decision's TreeSHAP about 4x cheaper.
 */
export const DEFAULT_PARAMS = [
  'objective=binary',
  'metric=binary_logloss',
  'num_iterations=400',
  'learning_rate=0.1',
  'num_leaves=31',
  'max_depth=6',
  'min_data_in_leaf=200',
  'lambda_l2=1',
  'feature_fraction=0.9',
  'bagging_fraction=0.8',
  'bagging_freq=1',
  'early_stopping_round=30',
  'max_bin=63',
  'seed=7',
  'verbosity=-1',
  `categorical_feature=${CATEGORICAL_FEATURES.map((n) => FEATURE_NAMES.indexOf(n)).join(',')}`,
];

export interface TrainingOptions {
  /** The data's "now": labels are complete for sends up to asOf − 24 h. */
  asOfMs: number;
  trainDays: number;
  holdoutDays: number;
  /** Extra or overriding `key=value` parameters for the engine. */
  params?: string[];
  /** Keeps at most this many training rows (a deterministic sample by decision id), to bound time and memory. */
  maxTrainRows?: number;
  /** Permutes the training labels: a model that has learned nothing, for testing the promotion gate. */
  shuffleLabels?: boolean;
  pageSize?: number;
  log?: (line: string) => void;
  /** Told each stage as it starts, and each boosting iteration as it ends; it only watches. */
  onProgress?: (progress: TrainingProgress) => void;
  /** Scores the holdout with the truth, where the data comes from a simulated world; production has none. */
  oracle?: HoldoutOracle;
}

/**
 * Where a training run is: a stage, and within boosting the iterations done of at most `total` (`num_iterations`;
 * early stopping may end it sooner).
 */
export interface TrainingProgress {
  stage: 'extracting examples' | 'boosting' | 'evaluating';
  done?: number;
  total?: number;
}

/**
 * The best any model could do on a holdout: the true P(open) of each row, or null when the data is not a simulated
 * world's. Only the simulator knows it, so it is passed in (by the dev stack, tests and benchmarks), never imported.
 */
export type HoldoutOracle = (holdout: ExampleSet) => Promise<Float64Array | null>;

export interface Window {
  trainFromMs: number;
  holdoutFromMs: number;
  holdoutToMs: number;
}

export interface TrainingOutcome {
  version: number;
  window: Window;
  metrics: HoldoutMetrics;
  /** The simulator's true probabilities on the same holdout; null when the data is not a simulated world's. */
  oracleMetrics: HoldoutMetrics | null;
  /** The model active when training started, scored on the same holdout. */
  active: { version: number; metrics: HoldoutMetrics | null; note?: string } | null;
  /** Always predicting the holdout's own base rate: the floor any promoted model must beat. */
  constantLogloss: number;
  timings: { extractMs: number; examplesPerSecond: number; trainMs: number; evaluateMs: number };
  rows: { train: number; validation: number; holdout: number };
  bestIteration: number;
}

export const DEFAULT_TRAINING = { trainDays: 21, holdoutDays: 3, maxTrainRows: 1_200_000 };

export function trainingWindow(asOfMs: number, trainDays: number, holdoutDays: number): Window {
  if (!(trainDays >= 2))
    throw new RangeError(`trainDays: must be at least 2 (one day is held for early stopping), got ${trainDays}`);
  if (!(holdoutDays > 0)) throw new RangeError(`holdoutDays: must be > 0, got ${holdoutDays}`);
  const holdoutToMs = asOfMs - LABEL_HORIZON_MS;
  const holdoutFromMs = holdoutToMs - holdoutDays * DAY_MS;
  return { trainFromMs: holdoutFromMs - trainDays * DAY_MS, holdoutFromMs, holdoutToMs };
}

function dataFile(set: ExampleSet): DataFile {
  return {
    format: 'tsv',
    rows: set.rows,
    numRows: set.numRows,
    numFeatures: NUM_FEATURES,
    labels: set.labels,
    hasLabel: true,
    featureNames: [...FEATURE_NAMES],
    ignoredFeatures: [],
  };
}

/** A deterministic pseudo-random permutation/sample key per decision, independent of row order. */
function hashKey(id: number, salt: number): number {
  let h = Math.imul(id ^ salt, 0x9e3779b1) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  return (h ^ (h >>> 13)) >>> 0;
}

function sample(set: ExampleSet, max: number): ExampleSet {
  if (set.numRows <= max) return set;
  const keys = Array.from({ length: set.numRows }, (_, i) => [hashKey(set.decisionIds[i], 17), i] as const);
  keys.sort((a, b) => a[0] - b[0]);
  const keep = keys
    .slice(0, max)
    .map((k) => k[1])
    .sort((a, b) => a - b);
  const rows = new Float64Array(keep.length * NUM_FEATURES);
  keep.forEach((i, j) => {
    rows.set(set.rows.subarray(i * NUM_FEATURES, (i + 1) * NUM_FEATURES), j * NUM_FEATURES);
  });
  const pick = (a: Float64Array) => Float64Array.from(keep, (i) => a[i]);
  return {
    numRows: keep.length,
    rows,
    labels: pick(set.labels),
    decisionIds: pick(set.decisionIds),
    fanIds: pick(set.fanIds),
    creatorIds: pick(set.creatorIds),
    sentAtMs: pick(set.sentAtMs),
  };
}

function shuffled(labels: Float64Array, decisionIds: Float64Array): Float64Array {
  const order = Array.from(labels.keys()).sort((a, b) => hashKey(decisionIds[a], 99) - hashKey(decisionIds[b], 99));
  return Float64Array.from(labels.keys(), (i) => labels[order[i]]);
}

async function oracleMetrics(oracle: HoldoutOracle | undefined, holdout: ExampleSet): Promise<HoldoutMetrics | null> {
  const probabilities = oracle ? await oracle(holdout) : null;
  return probabilities && evaluateProbabilities(probabilities, holdout.labels);
}

/** Scores the holdout with the model active now, if it reads the same features. */
async function activeOnHoldout(pool: Pool, holdout: ExampleSet): Promise<TrainingOutcome['active']> {
  const version = await activeModelVersion(pool);
  if (version === null) return null;
  const text = await modelText(pool, version);
  const loaded = text === null ? null : loadRelevanceModel(version, text);
  if (!loaded || 'incompatible' in loaded) {
    return {
      version,
      metrics: null,
      note: loaded && 'incompatible' in loaded ? loaded.incompatible : 'model text missing',
    };
  }
  return { version, metrics: evaluateProbabilities(loaded.predict(holdout.rows), holdout.labels) };
}

/** Extracts, trains, evaluates and stores a candidate; promotion is decided separately (see promotion.ts). */
export async function trainRelevanceModel(pool: Pool, options: TrainingOptions): Promise<TrainingOutcome> {
  const log = options.log ?? (() => undefined);
  const onProgress = options.onProgress ?? (() => undefined);
  const window = trainingWindow(options.asOfMs, options.trainDays, options.holdoutDays);
  onProgress({ stage: 'extracting examples' });
  const t0 = performance.now();
  const all = await extractExamples(pool, {
    fromMs: window.trainFromMs,
    toMs: window.holdoutToMs,
    pageSize: options.pageSize,
    log,
  });
  const extractMs = performance.now() - t0;
  const validationFromMs = window.holdoutFromMs - DAY_MS;
  let train = sliceByTime(all, window.trainFromMs, validationFromMs);
  const validation = sliceByTime(all, validationFromMs, window.holdoutFromMs);
  const holdout = sliceByTime(all, window.holdoutFromMs, window.holdoutToMs);
  if (train.numRows === 0 || validation.numRows === 0 || holdout.numRows === 0) {
    throw new RangeError(
      `window: needs sends in every part ` +
        `(train ${train.numRows}, validation ${validation.numRows}, holdout ${holdout.numRows} rows) ` +
        `between ${new Date(window.trainFromMs).toISOString()} and ${new Date(window.holdoutToMs).toISOString()}`,
    );
  }
  train = sample(train, options.maxTrainRows ?? DEFAULT_TRAINING.maxTrainRows);
  if (options.shuffleLabels) train = { ...train, labels: shuffled(train.labels, train.decisionIds) };
  log(
    `examples: ${train.numRows} train, ${validation.numRows} validation, ${holdout.numRows} holdout ` +
      `(${(all.numRows / (extractMs / 1000)).toFixed(0)} rows/s)`,
  );

  const paramArgs = [...DEFAULT_PARAMS, ...(options.params ?? [])];
  // Later arguments override earlier ones; resolveParams keeps the first mention of a name.
  const params = resolveParams(parseArgs([...paramArgs].reverse()));
  const t1 = performance.now();
  onProgress({ stage: 'boosting', done: 0, total: params.numIterations });
  const result = await trainModelYielding(dataFile(train), [dataFile(validation)], params, {
    onIteration: (done, total) => onProgress({ stage: 'boosting', done, total }),
  });
  const trainMs = performance.now() - t1;
  log(`trained ${result.model.trees.length} trees in ${(trainMs / 1000).toFixed(1)} s`);

  onProgress({ stage: 'evaluating' });
  const t2 = performance.now();
  const text = modelToText(result.model);
  const candidate = loadRelevanceModel(0, text);
  if ('incompatible' in candidate) throw new Error(`trained model is unusable: ${candidate.incompatible}`);
  const metrics = evaluateProbabilities(candidate.predict(holdout.rows), holdout.labels);
  const oracle = await oracleMetrics(options.oracle, holdout);
  const active = await activeOnHoldout(pool, holdout);
  const base = metrics.baseRate;
  const constantLogloss = -(base * Math.log(base) + (1 - base) * Math.log(1 - base));
  const evaluateMs = performance.now() - t2;

  const version = await insertCandidateModel(pool, {
    params: {
      engine: 'fanfare-gbdt',
      args: paramArgs,
      featureVersion: FEATURE_VERSION,
      features: FEATURE_NAMES,
      trainDays: options.trainDays,
      holdoutDays: options.holdoutDays,
      maxTrainRows: options.maxTrainRows ?? DEFAULT_TRAINING.maxTrainRows,
      shuffleLabels: options.shuffleLabels === true,
      bestIteration: result.bestIteration,
    },
    metrics: {
      ...metrics,
      window: {
        trainFrom: iso(window.trainFromMs),
        holdoutFrom: iso(window.holdoutFromMs),
        holdoutTo: iso(window.holdoutToMs),
      },
      rows: { train: train.numRows, validation: validation.numRows, holdout: holdout.numRows },
      active: active && {
        version: active.version,
        auc: active.metrics?.auc ?? null,
        logloss: active.metrics?.logloss ?? null,
        note: active.note ?? null,
      },
      constantLogloss,
      timings: { extractMs, trainMs, evaluateMs },
    },
    oracleMetrics: oracle,
    trainFrom: new Date(window.trainFromMs),
    trainTo: new Date(window.holdoutToMs),
    modelText: text,
  });
  return {
    version,
    window,
    metrics,
    oracleMetrics: oracle,
    active,
    constantLogloss,
    timings: { extractMs, examplesPerSecond: all.numRows / (extractMs / 1000), trainMs, evaluateMs },
    rows: { train: train.numRows, validation: validation.numRows, holdout: holdout.numRows },
    bestIteration: result.bestIteration,
  };
}

const iso = (ms: number) => new Date(ms).toISOString();
