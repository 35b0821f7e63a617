import { describe, expect, it } from 'vitest';
import { binCounts, featureDrift, populationStabilityIndex, psiOfCounts, quantileEdges } from './drift.ts';

/** A deterministic stream of uniforms in [0, 1). */
function uniforms(n: number, seed: number): Float64Array {
  let s = seed >>> 0;
  return Float64Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  });
}

describe('population stability index', () => {
  it('is near zero for two samples of one distribution and grows with a shift', () => {
    const reference = uniforms(20_000, 1);
    expect(populationStabilityIndex(reference, uniforms(20_000, 2))).toBeLessThan(0.01);
    const shifted = uniforms(20_000, 3).map((x) => x * 0.7 + 0.3);
    const psi = populationStabilityIndex(reference, shifted);
    expect(psi).toBeGreaterThan(0.25);
    // Further moved, further drifted.
    expect(
      populationStabilityIndex(
        reference,
        uniforms(20_000, 4).map((x) => x * 0.5 + 0.5),
      ),
    ).toBeGreaterThan(psi);
  });

  it('matches the textbook sum over bins', () => {
    // Reference 50/50, current 80/20: (0.3)·ln(0.8/0.5) + (−0.3)·ln(0.2/0.5) ≈ 0.4159, give or take the smoothing.
    expect(psiOfCounts([50, 50], [80, 20])).toBeCloseTo(0.3 * Math.log(0.8 / 0.5) - 0.3 * Math.log(0.2 / 0.5), 3);
  });

  it('bins at the reference quantiles, merging repeated values, with missing values apart', () => {
    expect(quantileEdges([0, 0, 0, 0, 1, 1, 1, 2, 2, 2], 10)).toEqual([0, 1, 2]);
    expect([...binCounts([-1, 0, 0.5, 1, 2, 5, Number.NaN], [0, 1, 2])]).toEqual([1, 2, 1, 2, 1]);
    // A category seen only now (or a value gone missing) counts as drift, not as an error.
    expect(populationStabilityIndex([0, 0, 1, 1], [0, 0, 1, Number.NaN])).toBeGreaterThan(0.5);
  });

  it('refuses an empty side rather than answering a number', () => {
    expect(() => psiOfCounts([0, 0], [1, 1])).toThrow(/at least one value/);
    expect(() => psiOfCounts([1, 1], [1, 1, 1])).toThrow(/bins/);
  });

  it('reads row-major samples feature by feature', () => {
    const n = 5_000;
    const a = uniforms(2 * n, 5);
    const b = uniforms(2 * n, 6);
    // Shift only the second column of the current sample.
    for (let i = 0; i < n; i++) b[i * 2 + 1] = b[i * 2 + 1] * 0.5;
    const drift = featureDrift(a, b, ['steady', 'moved']);
    expect(drift[0].feature).toBe('steady');
    expect(drift[0].psi).toBeLessThan(0.02);
    expect(drift[1].psi).toBeGreaterThan(0.5);
    expect(() => featureDrift(new Float64Array(3), b, ['x', 'y'])).toThrow(/whole rows/);
  });
});
