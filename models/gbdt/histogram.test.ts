// Tests histograms: compiled builder equals generic one, subtraction gives the sibling, most frequent bin from totals.
import { describe, expect, it } from 'vitest';
import { buildHistogram, compileHistogramBuilder, fixMostFrequentBins, subtractHistogram } from './histogram.ts';

const numRows = 50;
const numUsed = 3;
const binOffsets = Int32Array.from([0, 4, 6, 9]);
const bins = Uint8Array.from({ length: numRows * numUsed }, (_, i) => (i * 7 + (i >> 2)) % [4, 2, 3][i % 3]);
const grad = Float32Array.from({ length: numRows }, (_, i) => Math.sin(i));
const hess = Float32Array.from({ length: numRows }, (_, i) => 0.1 + (i % 5) / 10);

function gathered(indices: Int32Array): [Float32Array, Float32Array] {
  return [Float32Array.from(indices, (r) => grad[r]), Float32Array.from(indices, (r) => hess[r])];
}

describe('histograms', () => {
  it('sums gradients and hessians per bin, the compiled builder matching the generic loop', () => {
    const indices = Int32Array.from({ length: numRows }, (_, i) => i);
    const [og, oh] = gathered(indices);
    const a = new Float64Array(18);
    buildHistogram(a, bins, numUsed, binOffsets, indices, 0, numRows, og, oh);
    const b = new Float64Array(18).fill(7);
    compileHistogramBuilder(numUsed, binOffsets, numRows)(b, bins, indices, 0, numRows, og, oh);
    expect([...b]).toEqual([...a]);
    let g = 0;
    for (let r = 0; r < numRows; r++) if (bins[r * numUsed + 1] === 1) g += grad[r];
    expect(a[(4 + 1) * 2]).toBeCloseTo(g, 12);
  });

  it('gives the larger child as parent minus smaller child', () => {
    const all = Int32Array.from({ length: numRows }, (_, i) => i);
    const left = all.filter((r) => r % 3 === 0);
    const right = all.filter((r) => r % 3 !== 0);
    const build = (idx: Int32Array) => {
      const h = new Float64Array(18);
      const [og, oh] = gathered(idx);
      buildHistogram(h, bins, numUsed, binOffsets, idx, 0, idx.length, og, oh);
      return h;
    };
    const parent = build(all);
    subtractHistogram(parent, build(left));
    const direct = build(right);
    parent.forEach((v, k) => {
      expect(v).toBeCloseTo(direct[k], 12);
    });
  });

  it('derives the most frequent bin from the leaf totals', () => {
    const h = Float64Array.from([1, 1, 2, 2, 99, 99, 3, 3]);
    fixMostFrequentBins(h, Int32Array.from([0, 4]), Int32Array.from([2]), 10, 20, false);
    expect([h[4], h[5]]).toEqual([10 - 6, 20 - 6]);
  });
});
