// Tests leaf-wise growth: leaf and depth limits, min_data_in_leaf, a partition matching the tree, best feature first.
import { describe, expect, it } from 'vitest';
import { binRows, findFeatureBins } from './dataset.ts';
import { type GrowConfig, TreeGrower } from './grower.ts';

const cfg: GrowConfig = {
  numLeaves: 8,
  maxDepth: -1,
  minDataInLeaf: 5,
  minSumHessianInLeaf: 0,
  lambdaL1: 0,
  lambdaL2: 0,
  minGainToSplit: 0,
  catSmooth: 10,
  catL2: 10,
  maxCatThreshold: 32,
  minDataPerGroup: 100,
  maxCatToOnehot: 4,
};

/** y depends on feature 1 only; feature 0 is noise. Gradients of squared loss at score 0. */
function setup(numRows = 400) {
  const rows = new Float64Array(numRows * 2);
  const grad = new Float32Array(numRows);
  const hess = new Float32Array(numRows).fill(1);
  for (let r = 0; r < numRows; r++) {
    rows[r * 2] = (r * 37) % 101;
    rows[r * 2 + 1] = r % 20;
    grad[r] = -(r % 20 < 10 ? -1 : 1) - (r % 20 >= 15 ? 1 : 0);
  }
  const fb = findFeatureBins(rows, numRows, 2, {
    maxBin: 255,
    minDataInBin: 3,
    useMissing: true,
    zeroAsMissing: false,
    preFilter: true,
    binConstructSampleCnt: 200000,
    dataRandomSeed: 1,
    minDataInLeaf: 5,
    categorical: new Set(),
    ignored: new Set(),
  });
  const data = binRows(rows, numRows, 2, fb, true);
  return { rows, grad, hess, fb, data };
}

describe('TreeGrower', () => {
  it('splits first on the feature that explains the gradients, then stops at num_leaves', () => {
    const { grad, hess, fb, data } = setup();
    const grower = new TreeGrower(data, fb.mappers, cfg);
    const tree = grower.grow(grad, hess, null, new Uint8Array([1, 1]));
    expect(tree.splitFeature[0]).toBe(1);
    expect(tree.threshold[0]).toBeCloseTo(9.5, 9);
    expect(tree.numLeaves).toBeLessThanOrEqual(8);
    expect(tree.numLeaves).toBeGreaterThan(2);
  });

  it('keeps every leaf at min_data_in_leaf rows and the partition in agreement with the tree', () => {
    const { grad, hess, fb, data } = setup();
    const grower = new TreeGrower(data, fb.mappers, { ...cfg, minDataInLeaf: 30 });
    const tree = grower.grow(grad, hess, null, new Uint8Array([1, 1]));
    let total = 0;
    for (let leaf = 0; leaf < tree.numLeaves; leaf++) {
      expect(tree.leafCount[leaf]).toBeGreaterThanOrEqual(30);
      expect(grower.leafRows[leaf]).toBe(tree.leafCount[leaf]);
      total += tree.leafCount[leaf];
      for (let i = grower.leafBegin[leaf]; i < grower.leafBegin[leaf] + grower.leafRows[leaf]; i++) {
        const r = grower.indices[i];
        expect(tree.leafOfBinnedRow(data.bins, r * data.numUsed, grower.defaultBins, grower.numBins)).toBe(leaf);
      }
    }
    expect(total).toBe(400);
  });

  it('respects max_depth and skips features left out of the tree', () => {
    const { grad, hess, fb, data } = setup();
    const grower = new TreeGrower(data, fb.mappers, { ...cfg, maxDepth: 1 });
    expect(grower.grow(grad, hess, null, new Uint8Array([1, 1])).numLeaves).toBe(2);
    const noise = new TreeGrower(data, fb.mappers, cfg).grow(grad, hess, null, new Uint8Array([1, 0]));
    for (let n = 0; n < noise.numLeaves - 1; n++) expect(noise.splitFeature[n]).toBe(0);
  });

  it('grows on the bagged rows only', () => {
    const { grad, hess, fb, data } = setup();
    const bag = Int32Array.from({ length: 200 }, (_, i) => i * 2);
    const tree = new TreeGrower(data, fb.mappers, cfg).grow(grad, hess, bag, new Uint8Array([1, 1]));
    let total = 0;
    for (let leaf = 0; leaf < tree.numLeaves; leaf++) total += tree.leafCount[leaf];
    expect(total).toBe(200);
  });
});
