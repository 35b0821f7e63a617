// The boosting loop: bin, then per iteration gradients → bag → grow → shrink → score → evaluate; early stopping.
import { featureInfo } from './binning.ts';
import type { DataFile } from './data-file.ts';
import { type BinnedData, binRows, findFeatureBins } from './dataset.ts';
import { TreeGrower } from './grower.ts';
import { createMetric, type Metric } from './metrics.ts';
import { createObjective } from './objectives.ts';
import type { GbdtParams } from './params.ts';
import { Bagger, FeatureSampler } from './sampling.ts';
import { K_EPSILON } from './split.ts';
import type { TrainingTree } from './training-tree.ts';
import type { Model } from './tree.ts';

export interface TrainResult {
  model: Model;
  /** Iteration (1-based) whose model was kept when early stopping fired; otherwise the number of iterations run. */
  bestIteration: number;
  /** Last evaluation per validation set: metric name → value. */
  validScores: Record<string, number>[];
  binningMs: number;
  trainingMs: number;
}

export interface TrainOptions {
  /** Receives progress lines such as "Iteration:3, valid_1 auc : 0.81". */
  log?: (line: string) => void;
  /** Told as each iteration ends (1-based, of at most `total`), for a progress bar; it only watches. */
  onIteration?: (iteration: number, total: number) => void;
}

/** One evaluated data set: its binned rows, running scores and metrics. */
interface ScoredSet {
  name: string;
  binned: BinnedData;
  score: Float64Array;
  metrics: Metric[];
}

/** The feature indices named by categorical_feature: "0,3" or, with a header, "name:a,b". */
export function resolveCategorical(spec: string, data: DataFile): Set<number> {
  const out = new Set<number>();
  if (spec.trim() === '') return out;
  if (spec.startsWith('name:')) {
    for (const name of spec.slice(5).split(',')) {
      const f = data.featureNames?.indexOf(name.trim()) ?? -1;
      if (f < 0)
        throw new Error(
          `categorical_feature: no feature named "${name.trim()}"` +
            (data.featureNames ? '' : ' (the data has no header)'),
        );
      out.add(f);
    }
    return out;
  }
  for (const part of spec.split(',')) {
    const t = part.trim();
    if (!/^\d+$/.test(t) || Number(t) >= data.numFeatures) {
      throw new Error(`categorical_feature: "${t}" is not a feature index below ${data.numFeatures}`);
    }
    out.add(Number(t));
  }
  return out;
}

/** Train a boosted model on `train`, evaluating and early-stopping on `valids`. */
export function trainModel(
  train: DataFile,
  valids: DataFile[],
  params: GbdtParams,
  opts: TrainOptions = {},
): TrainResult {
  const steps = boost(train, valids, params, opts);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * The same training, giving the event loop a turn after each iteration: a Temporal activity's heartbeats go out
 * meanwhile, and a worker's other activities are not held up for the whole run.
 */
export async function trainModelYielding(
  train: DataFile,
  valids: DataFile[],
  params: GbdtParams,
  opts: TrainOptions = {},
): Promise<TrainResult> {
  const steps = boost(train, valids, params, opts);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The training itself, pausing after each iteration. */
function* boost(
  train: DataFile,
  valids: DataFile[],
  params: GbdtParams,
  opts: TrainOptions,
): Generator<void, TrainResult> {
  const log = opts.log ?? (() => {});
  if (!train.hasLabel) throw new Error('the training data has no label column');
  valids.forEach((v, i) => {
    if (v.numFeatures > train.numFeatures) {
      throw new Error(
        `validation set ${i + 1} has ${v.numFeatures} features but the training data has ${train.numFeatures}`,
      );
    }
  });
  const t0 = performance.now();
  const categorical = resolveCategorical(params.categoricalFeature, train);
  const fb = findFeatureBins(train.rows, train.numRows, train.numFeatures, {
    ...params,
    categorical,
    ignored: new Set(train.ignoredFeatures),
    preFilter: params.featurePreFilter,
  });
  const binned = binRows(train.rows, train.numRows, train.numFeatures, fb, true);
  const validBinned = valids.map((v) => binRows(widen(v, train.numFeatures), v.numRows, train.numFeatures, fb));
  const binningMs = performance.now() - t0;
  const t1 = performance.now();

  const labels = Float32Array.from(train.labels);
  const weights = train.weights ? Float32Array.from(train.weights) : undefined;
  const objective = createObjective(params, { labels, weights, groups: train.groups });
  const metricOpts = { evalAt: params.evalAt, labelGain: params.labelGain };
  const makeMetrics = (d: DataFile) =>
    params.metric.map((m) =>
      createMetric(
        m,
        { labels: Float32Array.from(d.labels), weights: d.weights && Float32Array.from(d.weights), groups: d.groups },
        metricOpts,
      ),
    );
  const trainScore = new Float64Array(train.numRows);
  if (train.initScores) trainScore.set(train.initScores);
  const sets: ScoredSet[] = valids.map((v, i) => ({
    name: `valid_${i + 1}`,
    binned: validBinned[i],
    score: v.initScores ? Float64Array.from(v.initScores) : new Float64Array(v.numRows),
    metrics: makeMetrics(v),
  }));
  const trainMetrics = params.isProvideTrainingMetric ? makeMetrics(train) : [];

  const grower = new TreeGrower(binned, fb.mappers, params);
  const bagger = new Bagger(train.numRows, params.baggingFraction, params.baggingFreq, params.baggingSeed);
  const sampler = new FeatureSampler(binned.numUsed, params.featureFraction, params.featureFractionSeed);
  const grad = new Float32Array(train.numRows);
  const hess = new Float32Array(train.numRows);
  const trees: TrainingTree[] = [];
  const best = sets.map((s) => s.metrics.map(() => ({ score: -Infinity, iteration: 0 })));
  let lastScores: Record<string, number>[] = sets.map(() => ({}));
  let bestIteration = 0;

  for (let iter = 0; iter < params.numIterations; iter++) {
    let initScore = 0;
    // As in LightGBM, initial scores from a .init file replace boosting from the average.
    if (iter === 0 && params.boostFromAverage && !train.initScores) {
      initScore = objective.boostFromScore();
      if (Math.abs(initScore) > K_EPSILON) {
        trainScore.fill(initScore);
        for (const s of sets) for (let r = 0; r < s.score.length; r++) s.score[r] += initScore;
        log(`Start training from score ${initScore.toFixed(6)}`);
      } else {
        initScore = 0;
      }
    }
    objective.gradients(trainScore, grad, hess);
    const bag = bagger.next(iter);
    const tree = grower.grow(grad, hess, bag ? bag.bag : null, sampler.next());
    if (tree.numLeaves <= 1) {
      if (iter === 0) {
        tree.setConstant(initScore);
        trees.push(tree);
        bestIteration = 1;
      }
      log('Stopped training because there are no more leaves that meet the split requirements');
      break;
    }
    tree.applyShrinkage(params.learningRate);
    addTreeToTrainScore(tree, grower, trainScore, binned, bag?.outOfBag);
    for (const s of sets) addTreeToScore(tree, grower, s.score, s.binned);
    if (initScore !== 0) tree.addBias(initScore);
    trees.push(tree);
    bestIteration = iter + 1;

    const iteration = iter + 1;
    opts.onIteration?.(iteration, params.numIterations);
    yield;
    const report = iteration % params.metricFreq === 0;
    if (report) {
      for (const m of trainMetrics) {
        m.evaluate(trainScore).forEach((v, k) => {
          log(`Iteration:${iteration}, training ${m.names[k]} : ${fmt(v)}`);
        });
      }
    }
    let stop = false;
    // Like LightGBM, validation metrics are computed only when reported or needed for early stopping.
    if (!report && params.earlyStoppingRound <= 0 && iteration !== params.numIterations) continue;
    lastScores = sets.map((s, i) => {
      const scores: Record<string, number> = {};
      s.metrics.forEach((m, j) => {
        const values = m.evaluate(s.score);
        values.forEach((v, k) => {
          scores[m.names[k]] = v;
          if (report) log(`Iteration:${iteration}, ${s.name} ${m.names[k]} : ${fmt(v)}`);
        });
        if (params.earlyStoppingRound <= 0 || stop || (params.firstMetricOnly && j > 0)) return;
        // LightGBM judges a multi-valued metric (ndcg@1,3,5) by its last value.
        const v = (m.biggerIsBetter ? 1 : -1) * values[values.length - 1];
        const b = best[i][j];
        if (v > b.score) {
          b.score = v;
          b.iteration = iteration;
        } else if (iteration - b.iteration >= params.earlyStoppingRound) {
          stop = true;
        }
      });
      return scores;
    });
    if (stop) {
      const keep = iteration - params.earlyStoppingRound;
      log(`Early stopping at iteration ${iteration}, the best iteration round is ${keep}`);
      trees.length = keep;
      bestIteration = keep;
      break;
    }
  }
  const model = buildModel(train, params, objective.modelLine, fb.mappers.map(featureInfo), trees);
  return { model, bestIteration, validScores: lastScores, binningMs, trainingMs: performance.now() - t1 };
}

/** Validation rows with fewer columns than the training data get the missing columns as zeros, as LightGBM does. */
function widen(d: DataFile, numFeatures: number): Float64Array {
  if (d.numFeatures === numFeatures) return d.rows;
  const out = new Float64Array(d.numRows * numFeatures);
  for (let r = 0; r < d.numRows; r++)
    out.set(d.rows.subarray(r * d.numFeatures, (r + 1) * d.numFeatures), r * numFeatures);
  return out;
}

function fmt(v: number): string {
  return String(Number(v.toPrecision(6)));
}

/** In-bag rows take their leaf's value straight from the grower's partition; out-of-bag rows walk the tree. */
function addTreeToTrainScore(
  tree: TrainingTree,
  grower: TreeGrower,
  score: Float64Array,
  data: BinnedData,
  outOfBag?: Int32Array,
): void {
  const idx = grower.indices;
  for (let leaf = 0; leaf < tree.numLeaves; leaf++) {
    const v = tree.leafValue[leaf];
    const begin = grower.leafBegin[leaf];
    const end = begin + grower.leafRows[leaf];
    for (let i = begin; i < end; i++) score[idx[i]] += v;
  }
  if (outOfBag) {
    for (const r of outOfBag)
      score[r] += tree.leafValue[tree.leafOfBinnedRow(data.bins, r * data.numUsed, grower.defaultBins, grower.numBins)];
  }
}

function addTreeToScore(tree: TrainingTree, grower: TreeGrower, score: Float64Array, data: BinnedData): void {
  for (let r = 0; r < data.numRows; r++) {
    score[r] += tree.leafValue[tree.leafOfBinnedRow(data.bins, r * data.numUsed, grower.defaultBins, grower.numBins)];
  }
}

/** Parameter lines for the model file, LightGBM style "[name: value]", for what was set or matters to training. */
function parameterLines(p: GbdtParams): string[] {
  const lines: [string, string | number | boolean][] = [
    ['boosting', 'gbdt'],
    ['objective', p.objective],
    ['metric', p.metric.join(',')],
    ['num_iterations', p.numIterations],
    ['learning_rate', p.learningRate],
    ['num_leaves', p.numLeaves],
    ['max_depth', p.maxDepth],
    ['min_data_in_leaf', p.minDataInLeaf],
    ['min_sum_hessian_in_leaf', p.minSumHessianInLeaf],
    ['bagging_fraction', p.baggingFraction],
    ['bagging_freq', p.baggingFreq],
    ['bagging_seed', p.baggingSeed],
    ['feature_fraction', p.featureFraction],
    ['feature_fraction_seed', p.featureFractionSeed],
    ['early_stopping_round', p.earlyStoppingRound],
    ['lambda_l1', p.lambdaL1],
    ['lambda_l2', p.lambdaL2],
    ['min_gain_to_split', p.minGainToSplit],
    ['max_cat_threshold', p.maxCatThreshold],
    ['cat_l2', p.catL2],
    ['cat_smooth', p.catSmooth],
    ['max_cat_to_onehot', p.maxCatToOnehot],
    ['max_bin', p.maxBin],
    ['min_data_in_bin', p.minDataInBin],
    ['bin_construct_sample_cnt', p.binConstructSampleCnt],
    ['data_random_seed', p.dataRandomSeed],
    ['use_missing', p.useMissing],
    ['zero_as_missing', p.zeroAsMissing],
    ['categorical_feature', p.categoricalFeature],
    ['sigmoid', p.sigmoid],
    ['boost_from_average', p.boostFromAverage],
  ];
  return lines.map(([k, v]) => `[${k}: ${typeof v === 'boolean' ? Number(v) : v}]`);
}

function buildModel(
  train: DataFile,
  params: GbdtParams,
  objectiveLine: string,
  featureInfos: string[],
  trees: TrainingTree[],
): Model {
  const names = train.featureNames ?? Array.from({ length: train.numFeatures }, (_, i) => `Column_${i}`);
  return {
    numClass: 1,
    numTreePerIteration: 1,
    labelIndex: 0,
    maxFeatureIdx: train.numFeatures - 1,
    objective: objectiveLine,
    featureNames: names,
    featureInfos,
    trees: trees.map((t) => t.flatten()),
    parameters: parameterLines(params),
  };
}
