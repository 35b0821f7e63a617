// Tests the reference tree walk: LightGBM's decisions on hand-built trees, and parity on the golden models.
import { describe, expect, it } from 'vitest';
import { parseModel } from './model-text-parse.ts';
import { decision, leafIndex, predictReference } from './predict.ts';
import { GOLDEN_CASES, loadGolden } from './testdata/cases.ts';
import type { Tree } from './tree.ts';

/** A one-split tree: feature 0 against `threshold`, leaves ~0 (left) and ~1 (right). */
function stump(decisionType: number, threshold: number, catThreshold: number[] = []): Tree {
  return {
    numLeaves: 2,
    numCat: catThreshold.length > 0 ? 1 : 0,
    splitFeature: Int32Array.of(0),
    splitGain: Float64Array.of(1),
    threshold: Float64Array.of(threshold),
    decisionType: Uint8Array.of(decisionType),
    leftChild: Int32Array.of(-1),
    rightChild: Int32Array.of(-2),
    leafValue: Float64Array.of(-1, 1),
    leafWeight: new Float64Array(2),
    leafCount: Int32Array.of(1, 1),
    internalValue: new Float64Array(1),
    internalWeight: new Float64Array(1),
    internalCount: Int32Array.of(2),
    catBoundaries: catThreshold.length > 0 ? Int32Array.of(0, catThreshold.length) : new Int32Array(0),
    catThreshold: Uint32Array.from(catThreshold),
    shrinkage: 1,
  };
}

const LEFT = -1;
const RIGHT = -2;

describe('decision', () => {
  it('numerical, missing type none: NaN counts as 0', () => {
    expect(decision(stump(0, 0.5), 0, NaN)).toBe(LEFT);
    expect(decision(stump(0, -0.5), 0, NaN)).toBe(RIGHT);
    expect(decision(stump(0, 0.5), 0, 0.5)).toBe(LEFT);
    expect(decision(stump(0, 0.5), 0, 0.50001)).toBe(RIGHT);
  });

  it('numerical, missing type zero: zero and NaN take the default direction', () => {
    const defaultLeft = 4 | 2;
    const defaultRight = 4;
    expect(decision(stump(defaultLeft, -5), 0, 0)).toBe(LEFT);
    expect(decision(stump(defaultLeft, -5), 0, NaN)).toBe(LEFT);
    expect(decision(stump(defaultLeft, -5), 0, 1e-36)).toBe(LEFT);
    expect(decision(stump(defaultLeft, -5), 0, 1e-30)).toBe(RIGHT);
    expect(decision(stump(defaultRight, 5), 0, 0)).toBe(RIGHT);
    expect(decision(stump(defaultRight, 5), 0, NaN)).toBe(RIGHT);
    expect(decision(stump(defaultRight, 5), 0, 1)).toBe(LEFT);
  });

  it('numerical, missing type NaN: only NaN takes the default direction', () => {
    const defaultLeft = 8 | 2;
    expect(decision(stump(defaultLeft, -5), 0, NaN)).toBe(LEFT);
    expect(decision(stump(8, 5), 0, NaN)).toBe(RIGHT);
    expect(decision(stump(8, 5), 0, 0)).toBe(LEFT);
    expect(decision(stump(defaultLeft, -5), 0, 0)).toBe(RIGHT);
  });

  it('categorical: bitset membership, with NaN, negatives and unseen categories going right', () => {
    // Categories 1 and 33 go left (bit 1 of word 0, bit 1 of word 1).
    const tree = stump(1, 0, [2, 2]);
    expect(decision(tree, 0, 1)).toBe(LEFT);
    expect(decision(tree, 0, 33)).toBe(LEFT);
    expect(decision(tree, 0, 1.9)).toBe(LEFT);
    expect(decision(tree, 0, 2)).toBe(RIGHT);
    expect(decision(tree, 0, 64)).toBe(RIGHT);
    expect(decision(tree, 0, -1)).toBe(RIGHT);
    expect(decision(tree, 0, NaN)).toBe(RIGHT);
    expect(decision(tree, 0, 2 ** 40)).toBe(RIGHT);
  });

  it('walks to a leaf index', () => {
    expect(leafIndex(stump(0, 0.5), [0.7])).toBe(1);
    expect(leafIndex(stump(0, 0.5), [9, 0.2], 1)).toBe(0);
  });
});

describe('reference prediction matches LightGBM', () => {
  const close = (got: number, want: number) =>
    expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(want)));
  it.each(GOLDEN_CASES.map((c) => c.name))('%s: raw and transformed outputs within 1e-10', (name) => {
    const g = loadGolden(name);
    const model = parseModel(g.modelText, name);
    const k = model.numTreePerIteration;
    const raw = predictReference(model, g.rows, { raw: true });
    const pred = predictReference(model, g.rows);
    expect(raw.length).toBe(g.numRows * k);
    for (let r = 0; r < g.numRows; r += 1) {
      expect(g.raw[r].length).toBe(k);
      for (let j = 0; j < k; j += 1) {
        close(raw[r * k + j], g.raw[r][j]);
        close(pred[r * k + j], g.pred[r][j]);
      }
    }
  });

  it('rejects a batch whose length is not a whole number of rows', () => {
    const model = parseModel(loadGolden('tiny').modelText);
    expect(() => predictReference(model, new Float64Array(4))).toThrow(/not a multiple of the model's 3 features/);
  });
});
