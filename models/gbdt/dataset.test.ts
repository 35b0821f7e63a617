// Tests binning a data set: which features are used, row- and feature-major bins agree, validation uses train bins.
import { describe, expect, it } from 'vitest';
import { valueToBin } from './binning.ts';
import { binRows, findFeatureBins } from './dataset.ts';

const opts = {
  maxBin: 255,
  minDataInBin: 1,
  useMissing: true,
  zeroAsMissing: false,
  preFilter: true,
  binConstructSampleCnt: 200000,
  dataRandomSeed: 1,
  minDataInLeaf: 2,
  categorical: new Set([2]),
  ignored: new Set([3]),
};

describe('dataset binning', () => {
  it('bins used features in both layouts and leaves out constant and ignored ones', () => {
    const n = 40;
    const rows = new Float64Array(n * 5);
    for (let r = 0; r < n; r++) rows.set([r % 7, 5, r % 3, r, r % 2 ? NaN : r], r * 5);
    const fb = findFeatureBins(rows, n, 5, opts);
    expect([...fb.realFeature]).toEqual([0, 2, 4]);
    expect(fb.mappers[1]!.isTrivial).toBe(true);
    expect(fb.mappers[3]).toBeUndefined();
    const d = binRows(rows, n, 5, fb, true);
    for (let r = 0; r < n; r++) {
      fb.realFeature.forEach((f, j) => {
        const bin = valueToBin(fb.mappers[f]!, rows[r * 5 + f]);
        expect(d.bins[r * d.numUsed + j]).toBe(bin);
        expect(d.columns![j * n + r]).toBe(bin);
      });
    }
    expect(d.binOffsets[d.numUsed]).toBe(d.totalBins);
  });

  it('samples bin_construct_sample_cnt rows when the data is larger', () => {
    const n = 1000;
    const rows = Float64Array.from({ length: n }, (_, i) => i);
    const fb = findFeatureBins(rows, n, 1, {
      ...opts,
      categorical: new Set(),
      ignored: new Set(),
      binConstructSampleCnt: 100,
      minDataInBin: 3,
    });
    expect(fb.mappers[0]!.numBin).toBeLessThanOrEqual(100 / 3 + 2);
  });
});
