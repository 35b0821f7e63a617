// Parity of the whole trainer with LightGBM's CLI (live oracle) on its examples and categorical/missing data.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { examplesDir, runOracle } from '../../testing/lightgbm-oracle.ts';
import { type TrainOptions, type TrainResult, trainModel, trainModelYielding } from './boosting.ts';
import { loadDataFile } from './data-file.ts';
import { auc, ndcgAt } from './metrics.ts';
import { parseModel } from './model-text-parse.ts';
import { modelToText } from './model-text-write.ts';
import { loadParams } from './params.ts';
import { predictReference } from './predict.ts';

const work = mkdtempSync(join(tmpdir(), 'gbdt-boosting-'));

/** Everything before the parameters block: the part of a model file both engines must write identically. */
function trees(text: string): string {
  return text.slice(0, text.indexOf('\nparameters:'));
}

/** Train with our engine from a directory, the way `fanfare gbdt train` does. */
function train(dir: string, args: string[], opts?: TrainOptions): TrainResult {
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const p = loadParams(args);
    return trainModel(
      loadDataFile(p.data),
      p.valid.map((v) => loadDataFile(v)),
      p,
      opts,
    );
  } finally {
    process.chdir(cwd);
  }
}

/** Train with LightGBM and return its model text. */
function oracleTrain(dir: string, args: string[], out: string): string {
  const kv = Object.fromEntries(args.map((a) => a.split('=') as [string, string]));
  runOracle({ ...kv, output_model: out }, dir);
  return readFileSync(out, 'utf8');
}

/** Score a model on a data file with our reference predictor. */
function scores(modelText: string, dataPath: string, raw = true): Float64Array {
  const model = parseModel(modelText);
  const d = loadDataFile(dataPath, { numFeatures: model.maxFeatureIdx + 1 });
  return predictReference(model, d.rows, { raw });
}

describe('binary_classification example (deterministic settings)', () => {
  const args = ['config=train.conf', 'feature_fraction=1', 'bagging_freq=0'];
  let binDir: string;
  let noWeightDir: string;
  let weightedResult: TrainResult | undefined;
  /** The weighted example's model, trained once and shared by the tests that only read it. */
  const weightedModel = () => (weightedResult ??= train(binDir, args));
  beforeAll(() => {
    binDir = join(examplesDir(), 'binary_classification');
    noWeightDir = mkdtempSync(join(work, 'noweight-'));
    for (const f of ['binary.train', 'binary.test', 'train.conf']) copyFileSync(join(binDir, f), join(noWeightDir, f));
  });

  for (const weighted of [true, false]) {
    it(`matches LightGBM's test AUC and tree count ${weighted ? 'with' : 'without'} the weight files`, () => {
      const dir = weighted ? binDir : noWeightDir;
      const ours = weighted ? weightedModel() : train(dir, args);
      const theirsText = oracleTrain(dir, args, join(work, `lgb-${weighted}.txt`));
      const theirs = parseModel(theirsText);
      expect(ours.model.trees.length).toBe(theirs.trees.length);
      const test = loadDataFile(join(dir, 'binary.test'));
      const w = weighted ? test.weights : undefined;
      expect(w !== undefined).toBe(weighted);
      const ourAuc = auc(predictReference(ours.model, test.rows), test.labels, w);
      const theirAuc = auc(predictReference(theirs, test.rows), test.labels, w);
      expect(Math.abs(ourAuc - theirAuc)).toBeLessThan(0.002);
      expect(ourAuc).toBeGreaterThan(0.8);
      // Stronger than the AUC bound: the same splits, thresholds, counts and leaf values, byte for byte.
      expect(trees(modelToText(ours.model))).toBe(trees(theirsText));
    });
  }

  it("reproduces LightGBM's model with the example's own train.conf (feature_fraction and bagging on)", () => {
    const ours = train(binDir, ['config=train.conf']);
    expect(trees(modelToText(ours.model))).toBe(
      trees(oracleTrain(binDir, ['config=train.conf'], join(work, 'lgb-full.txt'))),
    );
  });

  it('writes a model that LightGBM loads and predicts with exactly our outputs', () => {
    const ours = weightedModel();
    const modelPath = join(work, 'ours-binary.txt');
    writeFileSync(modelPath, modelToText(ours.model));
    const resultPath = join(work, 'lgb-pred.txt');
    runOracle({ task: 'predict', input_model: modelPath, data: 'binary.test', output_result: resultPath }, binDir);
    const theirs = readFileSync(resultPath, 'utf8').trim().split('\n').map(Number);
    const mine = scores(modelToText(ours.model), join(binDir, 'binary.test'), false);
    expect(theirs.length).toBe(mine.length);
    let worst = 0;
    theirs.forEach((v, i) => {
      worst = Math.max(worst, Math.abs(v - mine[i]));
    });
    expect(worst).toBeLessThan(1e-10);
  });

  it('trains the same model when yielding to the event loop after each iteration, which it does', async () => {
    const cwd = process.cwd();
    process.chdir(binDir);
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    try {
      const p = loadParams([...args, 'num_iterations=20']);
      const seen: number[] = [];
      const yielded = await trainModelYielding(
        loadDataFile(p.data),
        p.valid.map((v) => loadDataFile(v)),
        p,
        {
          onIteration: (i, total) => seen.push(i * 100 + total),
        },
      );
      expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => (i + 1) * 100 + 20));
      expect(turns).toBeGreaterThan(0);
      expect(modelToText(yielded.model)).toBe(modelToText(train(binDir, [...args, 'num_iterations=20']).model));
    } finally {
      clearInterval(ticker);
      process.chdir(cwd);
    }
  });

  it('gives the identical model for the same seed, with bagging and feature sampling on', () => {
    const sampled = ['config=train.conf', 'num_trees=8', 'seed=7'];
    const a = modelToText(train(binDir, sampled).model);
    const b = modelToText(train(binDir, sampled).model);
    const c = modelToText(train(binDir, [...sampled.slice(0, 2), 'seed=8']).model);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('stops early where LightGBM does and keeps the best iteration', () => {
    const es = [...args, 'learning_rate=0.5', 'early_stopping_round=5', 'metric=binary_logloss'];
    const ours = train(binDir, es);
    const theirs = parseModel(oracleTrain(binDir, es, join(work, 'lgb-es.txt')));
    expect(ours.model.trees.length).toBeLessThan(100);
    expect(ours.model.trees.length).toBe(theirs.trees.length);
    expect(ours.bestIteration).toBe(ours.model.trees.length);
  });

  it('tells each iteration to onIteration, early stopping included, and trains the same model with it', () => {
    const es = [...args, 'learning_rate=0.5', 'early_stopping_round=5', 'metric=binary_logloss'];
    const told: [number, number][] = [];
    const watched = train(binDir, es, { onIteration: (iteration, total) => told.push([iteration, total]) });
    expect(modelToText(watched.model)).toBe(modelToText(train(binDir, es).model));
    expect(told).toEqual(Array.from({ length: watched.bestIteration + 5 }, (_, i) => [i + 1, 100]));
  });
});

describe('regression example', () => {
  it('starts from its .init scores and grows the trees LightGBM grows', () => {
    const dir = join(examplesDir(), 'regression');
    const ours = train(dir, ['config=train.conf', 'num_trees=30']);
    const theirs = oracleTrain(dir, ['config=train.conf', 'num_trees=30'], join(work, 'lgb-reg.txt'));
    expect(ours.model.objective).toBe('regression');
    expect(trees(modelToText(ours.model))).toBe(trees(theirs));
  });
});

describe('lambdarank example', () => {
  it('reaches LightGBM NDCG on the test queries', () => {
    const dir = join(examplesDir(), 'lambdarank');
    const ours = train(dir, ['config=train.conf']);
    const theirsText = oracleTrain(dir, ['config=train.conf'], join(work, 'lgb-rank.txt'));
    const test = loadDataFile(join(dir, 'rank.test'));
    const ndcg = (text: string) =>
      ndcgAt([1, 3, 5], scores(text, join(dir, 'rank.test')), test.labels, test.groups!, loadParams([]).labelGain);
    const mine = ndcg(modelToText(ours.model));
    const theirs = ndcg(theirsText);
    mine.forEach((v, k) => {
      expect(Math.abs(v - theirs[k])).toBeLessThan(0.01);
    });
    expect(ours.validScores[0]['ndcg@5']).toBeCloseTo(mine[2], 10);
  });
});

describe('categorical features and missing values', () => {
  it('makes LightGBM splits on integer-coded categories, NaNs and zeros', () => {
    const dir = mkdtempSync(join(work, 'cat-'));
    let s = 12345;
    const rnd = () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s / 2 ** 32;
    };
    const write = (name: string, n: number) => {
      const lines: string[] = [];
      for (let i = 0; i < n; i++) {
        const a = rnd() < 0.1 ? NaN : rnd() * 4 - 2;
        const c = Math.floor(rnd() * 25);
        const z = rnd() < 0.4 ? 0 : rnd() * 3 - 1;
        const d = Math.floor(rnd() * 3);
        const logit =
          (Number.isNaN(a) ? 1 : a) +
          [0.8, -0.5, 1.2, -1, 0.3][c % 5] +
          (z === 0 ? -0.7 : z) +
          (d === 1 ? 0.9 : 0) +
          (rnd() - 0.5) * 2;
        lines.push(
          [rnd() < 1 / (1 + Math.exp(-logit)) ? 1 : 0, Number.isNaN(a) ? 'nan' : a.toFixed(3), c, z.toFixed(3), d].join(
            '\t',
          ),
        );
      }
      writeFileSync(join(dir, name), `${lines.join('\n')}\n`);
    };
    write('cat.train', 4000);
    write('cat.test', 1000);
    const args = [
      'data=cat.train',
      'valid=cat.test',
      'objective=binary',
      'metric=auc',
      'categorical_feature=1,3',
      'num_trees=30',
      'num_leaves=15',
      'min_data_per_group=20',
      'cat_smooth=5',
    ];
    const ours = modelToText(train(dir, args).model);
    const theirs = oracleTrain(dir, args, join(dir, 'lgb.txt'));
    expect(ours).toMatch(/num_cat=[1-9]/);
    expect(ours).toMatch(/decision_type=.*\b(8|10)\b/);
    expect(trees(ours)).toBe(trees(theirs));
  });
});
