// Tests the compiled fast path against the reference walk on random rows of NaN, zeros, threshold hits, odd categories.
import { describe, expect, it } from 'vitest';
import { compileModel } from './compile.ts';
import { parseModel } from './model-text-parse.ts';
import { predictReference } from './predict.ts';
import { GOLDEN_CASES, loadGolden } from './testdata/cases.ts';
import type { Model } from './tree.ts';

/**
 * Random rows whose values hit every branch kind: exact thresholds, NaN, ±0, tiny values, categories in and
 * out of range.
 */
function adversarialRows(model: Model, numRows: number, seed: number): Float64Array {
  let state = seed;
  const rand = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const width = model.maxFeatureIdx + 1;
  const thresholds: number[][] = Array.from({ length: width }, () => []);
  for (const tree of model.trees) {
    for (let n = 0; n < tree.numLeaves - 1; n += 1) thresholds[tree.splitFeature[n]].push(tree.threshold[n]);
  }
  const specials = [
    NaN,
    0,
    -0,
    1e-36,
    -1e-36,
    1e-30,
    -1,
    -0.5,
    0.5,
    31,
    32,
    33,
    63,
    64,
    1e12,
    -1e12,
    Infinity,
    -Infinity,
  ];
  const rows = new Float64Array(numRows * width);
  for (let i = 0; i < rows.length; i += 1) {
    const f = i % width;
    const u = rand();
    if (u < 0.25) rows[i] = specials[Math.floor(rand() * specials.length)];
    else if (u < 0.6 && thresholds[f].length > 0) {
      const t = thresholds[f][Math.floor(rand() * thresholds[f].length)];
      rows[i] = rand() < 0.5 ? t : t + (rand() - 0.5) * 1e-9;
    } else if (u < 0.8) rows[i] = Math.floor(rand() * 70) + (rand() < 0.2 ? 0.5 : 0);
    else rows[i] = (rand() - 0.5) * 20;
  }
  return rows;
}

describe('compiled predictor', () => {
  it.each(GOLDEN_CASES.map((c) => c.name))('%s: equals the reference walk exactly on random rows', (name) => {
    const model = parseModel(loadGolden(name).modelText, name);
    const compiled = compileModel(model);
    const rows = adversarialRows(model, 3000, name.length * 7919);
    const want = predictReference(model, rows, { raw: true });
    expect(Array.from(compiled.predict(rows, { raw: true }))).toEqual(Array.from(want));
    expect(Array.from(compiled.predict(rows))).toEqual(Array.from(predictReference(model, rows)));
  });

  it('single-row calls equal the batch', () => {
    const g = loadGolden('multiclass');
    const model = parseModel(g.modelText);
    const compiled = compileModel(model);
    const batch = compiled.predict(g.rows);
    for (let r = 0; r < 20; r += 1) {
      const row = g.rows.subarray(r * g.numFeatures, (r + 1) * g.numFeatures);
      expect(Array.from(compiled.predictRow(row))).toEqual(Array.from(batch.subarray(r * 5, r * 5 + 5)));
    }
    expect(() => compiled.predictRow([1, 2])).toThrow(/row: has 2 features, the model needs 28/);
  });
});
