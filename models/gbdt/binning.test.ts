// Tests bin boundaries: LightGBM's greedy quantile bins, zero's own bin, the NaN bin, min_data_in_bin, categoricals.
import { describe, expect, it } from 'vitest';
import {
  type BinOptions,
  featureInfo,
  findBins,
  greedyFindBin,
  nextUp,
  valueToBin,
  ZERO_THRESHOLD,
} from './binning.ts';
import { MISSING_NAN, MISSING_NONE } from './tree.ts';

const opts: BinOptions = {
  maxBin: 255,
  minDataInBin: 3,
  minSplitData: 0,
  preFilter: false,
  useMissing: true,
  zeroAsMissing: false,
};

/** Sample as LightGBM passes it: only non-zero or NaN values, the zeros implied by the total count. */
function sample(values: number[]): [Float64Array, number] {
  return [Float64Array.from(values.filter((v) => v !== 0)), values.length];
}

describe('greedyFindBin', () => {
  it('puts a boundary just above the midpoint of neighbouring values once a bin holds min_data_in_bin', () => {
    const bounds = greedyFindBin([1, 2, 3, 4], [3, 1, 5, 3], 0, 4, 255, 12, 3);
    expect(bounds).toEqual([nextUp(1.5), nextUp(3.5), Infinity]);
  });

  it('caps the number of bins at total / min_data_in_bin and at max_bin', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i);
    const counts = values.map(() => 1);
    expect(greedyFindBin(values, counts, 0, 1000, 255, 1000, 10).length).toBeLessThanOrEqual(100);
    expect(greedyFindBin(values, counts, 0, 1000, 16, 1000, 1).length).toBeLessThanOrEqual(16);
  });
});

describe('findBins', () => {
  it('keeps zero in a bin of its own between -1e-35 and 1e-35', () => {
    const [s, n] = sample([-2, -1, 0, 0, 0, 1, 2, 3, -3, 0]);
    const m = findBins(s, n, false, { ...opts, minDataInBin: 1 });
    if (m.kind !== 'numerical') throw new Error('expected numerical bins');
    expect([...m.upperBounds]).toContain(-ZERO_THRESHOLD);
    expect([...m.upperBounds]).toContain(ZERO_THRESHOLD);
    const zeroBin = valueToBin(m, 0);
    expect(valueToBin(m, -0.5)).toBe(zeroBin - 1);
    expect(valueToBin(m, 0.5)).toBe(zeroBin + 1);
    expect(m.missingType).toBe(MISSING_NONE);
  });

  it('gives NaN the last bin and marks the feature missing-type NaN', () => {
    const [s, n] = sample([1, 2, NaN, 3, NaN, 4, 5, 6]);
    const m = findBins(s, n, false, { ...opts, minDataInBin: 1 });
    expect(m.missingType).toBe(MISSING_NAN);
    expect(valueToBin(m, NaN)).toBe(m.numBin - 1);
    expect(valueToBin(m, 6)).toBe(m.numBin - 2);
    expect(featureInfo(m)).toBe('[1:6]');
  });

  it('marks a feature trivial when no split can leave min_data_in_leaf on both sides', () => {
    const [s, n] = sample([...Array(98).fill(1), 2, 3]);
    expect(findBins(s, n, false, { ...opts, minDataInBin: 1, preFilter: true, minSplitData: 5 }).isTrivial).toBe(true);
    expect(findBins(s, n, false, { ...opts, minDataInBin: 1, preFilter: true, minSplitData: 1 }).isTrivial).toBe(false);
  });

  it('bins categories most frequent first, with bin 0 for NaN, negative and unseen categories', () => {
    const [s, n] = sample([5, 5, 5, 2, 2, 7, 7, 7, 7, 2, 5, 7]);
    const m = findBins(s, n, true, { ...opts, minDataInBin: 1 });
    if (m.kind !== 'categorical') throw new Error('expected categorical bins');
    expect([...m.binToCategory]).toEqual([-1, 7, 5, 2]);
    expect(valueToBin(m, 5)).toBe(2);
    expect(valueToBin(m, NaN)).toBe(0);
    expect(valueToBin(m, -3)).toBe(0);
    expect(valueToBin(m, 99)).toBe(0);
    expect(featureInfo(m)).toBe('-1:7:5:2');
  });
});
