// Tests numerical split finding: best threshold, min_data/min_hessian, L1/L2 in gain and output, missing direction.
import { describe, expect, it } from 'vitest';
import { findBestNumericalSplit, leafGain, leafOutput, type SplitConfig, SplitInfo, thresholdL1 } from './split.ts';
import { MISSING_NAN, MISSING_NONE } from './tree.ts';

const cfg: SplitConfig = {
  minDataInLeaf: 1,
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

/** A histogram of (gradient, hessian) pairs with one row of hessian 1 per unit of count. */
function hist(pairs: [number, number][]): { h: Float64Array; g: number; hs: number; n: number } {
  const h = Float64Array.from(pairs.flat());
  let g = 0;
  let hs = 0;
  for (const [a, b] of pairs) {
    g += a;
    hs += b;
  }
  return { h, g, hs, n: hs };
}

describe('findBestNumericalSplit', () => {
  it('splits where the gradient changes sign and reports outputs and sums', () => {
    const { h, g, hs, n } = hist([
      [-4, 4],
      [-4, 4],
      [6, 6],
      [6, 6],
    ]);
    const out = new SplitInfo();
    expect(
      findBestNumericalSplit(h, 0, { numBin: 4, missingType: MISSING_NONE, defaultBin: 0 }, g, hs, n, cfg, out),
    ).toBe(true);
    expect(out.threshold).toBe(1);
    expect(out.leftCount).toBe(8);
    expect(out.leftOutput).toBeCloseTo(1, 12);
    expect(out.rightOutput).toBeCloseTo(-1, 12);
    expect(out.gain).toBeCloseTo(leafGain(-8, 8, 0, 0) + leafGain(12, 12, 0, 0) - leafGain(4, 20, 0, 0), 9);
  });

  it('refuses splits that leave fewer than min_data_in_leaf rows on a side', () => {
    const { h, g, hs, n } = hist([
      [-4, 2],
      [5, 10],
      [5, 10],
    ]);
    const out = new SplitInfo();
    expect(
      findBestNumericalSplit(
        h,
        0,
        { numBin: 3, missingType: MISSING_NONE, defaultBin: 0 },
        g,
        hs,
        n,
        { ...cfg, minDataInLeaf: 3 },
        out,
      ),
    ).toBe(true);
    expect(out.threshold).toBe(1);
    expect(
      findBestNumericalSplit(
        h,
        0,
        { numBin: 3, missingType: MISSING_NONE, defaultBin: 0 },
        g,
        hs,
        n,
        { ...cfg, minDataInLeaf: 11 },
        out,
      ),
    ).toBe(false);
  });

  it('sends NaN rows to the side that gains most', () => {
    // Bins 0..2 are values, bin 3 is NaN; the NaN rows look like bin 0's rows, so they should go left.
    const { h, g, hs, n } = hist([
      [-5, 5],
      [1, 5],
      [5, 5],
      [-5, 5],
    ]);
    const out = new SplitInfo();
    findBestNumericalSplit(h, 0, { numBin: 4, missingType: MISSING_NAN, defaultBin: 0 }, g, hs, n, cfg, out);
    expect(out.threshold).toBe(0);
    expect(out.defaultLeft).toBe(true);
    // Now the NaN rows look like bin 2's: threshold 1 with NaN sent right (gain 3.6 + 10) beats every NaN-left split.
    const mirrored = hist([
      [5, 5],
      [1, 5],
      [-5, 5],
      [-5, 5],
    ]);
    findBestNumericalSplit(
      mirrored.h,
      0,
      { numBin: 4, missingType: MISSING_NAN, defaultBin: 0 },
      mirrored.g,
      mirrored.hs,
      mirrored.n,
      cfg,
      out,
    );
    expect(out.threshold).toBe(1);
    expect(out.defaultLeft).toBe(false);
  });

  it('shrinks gains and outputs with lambda_l1 and lambda_l2, and needs gain above min_gain_to_split', () => {
    expect(thresholdL1(-3, 1)).toBe(-2);
    expect(thresholdL1(0.5, 1)).toBe(0);
    expect(leafOutput(-6, 2, 1, 3)).toBeCloseTo(1, 12);
    const { h, g, hs, n } = hist([
      [-4, 4],
      [6, 6],
    ]);
    const out = new SplitInfo();
    const meta = { numBin: 2, missingType: MISSING_NONE, defaultBin: 0 };
    findBestNumericalSplit(h, 0, meta, g, hs, n, cfg, out);
    const plain = out.gain;
    findBestNumericalSplit(h, 0, meta, g, hs, n, { ...cfg, lambdaL2: 5 }, out);
    expect(out.gain).toBeLessThan(plain);
    expect(findBestNumericalSplit(h, 0, meta, g, hs, n, { ...cfg, minGainToSplit: plain + 1 }, out)).toBe(false);
  });
});
