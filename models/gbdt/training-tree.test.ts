// Tests the training-time tree: split bookkeeping, shrinkage and bias, categorical bitsets, flattening to a Tree.
import { describe, expect, it } from 'vitest';
import { predictReference } from './predict.ts';
import { bitsetOf, TrainingTree } from './training-tree.ts';
import type { Model } from './tree.ts';

function model(tree: ReturnType<TrainingTree['flatten']>): Model {
  return {
    numClass: 1,
    numTreePerIteration: 1,
    labelIndex: 0,
    maxFeatureIdx: 1,
    objective: 'regression',
    featureNames: ['a', 'b'],
    featureInfos: ['none', 'none'],
    trees: [tree],
    parameters: [],
  };
}

describe('TrainingTree', () => {
  it('records splits as LightGBM does and flattens to a tree the predictor walks the same way', () => {
    const t = new TrainingTree(4);
    const right = t.splitNumerical(0, 0, 0, 3, 0.5, -1, 1, 10, 20, 10, 20, 5, 2, true);
    expect(right).toBe(1);
    t.splitCategorical(1, 1, 1, [1, 2], [4, 33], 2, 3, 12, 8, 12, 8, 4, 0);
    expect(t.internalCount[0]).toBe(30);
    expect(t.leafCount[1]).toBe(12);
    expect(t.leafDepth[2]).toBe(2);
    t.applyShrinkage(0.5);
    t.addBias(1);
    const flat = t.flatten();
    expect(flat.numLeaves).toBe(3);
    expect(flat.numCat).toBe(1);
    expect([...flat.leafValue]).toEqual([0.5, 2, 2.5]);
    expect([...flat.catBoundaries]).toEqual([0, 2]);
    expect([...flat.catThreshold]).toEqual(bitsetOf([4, 33]));
    expect(flat.shrinkage).toBe(1);
    const rows = Float64Array.from([0.2, 4, NaN, 33, 0.7, 4, 0.7, 5]);
    expect([...predictReference(model(flat), rows, { raw: true })]).toEqual([0.5, 0.5, 2, 2.5]);
  });

  it('builds category bitsets word by word', () => {
    expect(bitsetOf([0, 31])).toEqual([0x80000001]);
    expect(bitsetOf([32])).toEqual([0, 1]);
  });

  it('walks binned rows with the missing direction for NaN bins', () => {
    const t = new TrainingTree(2);
    t.splitNumerical(0, 0, 0, 1, 0.5, -1, 1, 1, 1, 1, 1, 1, 2, false);
    const defaultBins = Int32Array.from([0]);
    const numBins = Int32Array.from([4]);
    expect(t.leafOfBinnedRow(Uint8Array.from([1]), 0, defaultBins, numBins)).toBe(0);
    expect(t.leafOfBinnedRow(Uint8Array.from([2]), 0, defaultBins, numBins)).toBe(1);
    expect(t.leafOfBinnedRow(Uint8Array.from([3]), 0, defaultBins, numBins)).toBe(1);
  });
});
