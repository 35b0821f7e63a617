// Tests categorical splits: one-vs-rest for few categories, many-vs-many by gradient/hessian ratio, group sizes.
import { describe, expect, it } from 'vitest';
import { findBestCategoricalSplit } from './categorical-split.ts';
import { type SplitConfig, SplitInfo } from './split.ts';
import { MISSING_NONE } from './tree.ts';

const cfg: SplitConfig = {
  minDataInLeaf: 1,
  minSumHessianInLeaf: 0,
  lambdaL1: 0,
  lambdaL2: 0,
  minGainToSplit: 0,
  catSmooth: 1,
  catL2: 0,
  maxCatThreshold: 32,
  minDataPerGroup: 1,
  maxCatToOnehot: 4,
};

function totals(h: Float64Array): [number, number] {
  let g = 0;
  let s = 0;
  for (let k = 0; k < h.length; k += 2) {
    g += h[k];
    s += h[k + 1];
  }
  return [g, s];
}

describe('findBestCategoricalSplit', () => {
  it('puts the single most distinct category left when there are few categories', () => {
    // Bin 0 is the NaN/other bin; bins 1..3 are categories. Category bin 2 differs from the rest.
    const h = Float64Array.from([0, 0, 2, 10, -9, 10, 1, 10]);
    const [g, s] = totals(h);
    const out = new SplitInfo();
    expect(
      findBestCategoricalSplit(h, 0, { numBin: 4, missingType: MISSING_NONE, defaultBin: 0 }, g, s, s, cfg, out),
    ).toBe(true);
    expect(out.catBins).toEqual([2]);
    expect(out.defaultLeft).toBe(false);
  });

  it('groups categories with similar gradient/hessian ratios in a many-vs-many split', () => {
    // Bins 1, 3, 5 have negative gradients, bins 2, 4, 6 positive.
    const h = Float64Array.from([0, 0, -8, 10, 7, 10, -9, 10, 8, 10, -7, 10, 9, 10]);
    const [g, s] = totals(h);
    const out = new SplitInfo();
    findBestCategoricalSplit(h, 0, { numBin: 7, missingType: MISSING_NONE, defaultBin: 0 }, g, s, s, cfg, out);
    expect([...out.catBins!].sort()).toEqual([1, 3, 5]);
    expect(out.leftCount).toBe(30);
  });

  it('skips categories rarer than cat_smooth and respects max_cat_threshold', () => {
    const h = Float64Array.from([0, 0, -8, 10, 7, 10, -9, 10, 8, 10, -7, 10, 9, 10, -50, 0.5]);
    const [g, s] = totals(h);
    const out = new SplitInfo();
    findBestCategoricalSplit(
      h,
      0,
      { numBin: 8, missingType: MISSING_NONE, defaultBin: 0 },
      g,
      s,
      s,
      { ...cfg, catSmooth: 5 },
      out,
    );
    expect(out.catBins).not.toContain(7);
    findBestCategoricalSplit(
      h,
      0,
      { numBin: 8, missingType: MISSING_NONE, defaultBin: 0 },
      g,
      s,
      s,
      { ...cfg, catSmooth: 5, maxCatThreshold: 1 },
      out,
    );
    expect(out.catBins!.length).toBe(1);
  });
});
