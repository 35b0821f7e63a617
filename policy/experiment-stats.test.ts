// Tests the results' statistics: means, the delta-method intervals by hand, and their coverage on simulated arms.
import { describe, expect, it } from 'vitest';
import type { FanResult } from '../domain/experiment.ts';
import { compareArms, difference, meanEstimate, relativeDifference, Z95 } from './experiment-stats.ts';

/** A seeded generator (mulberry32), so the coverage check is the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Poisson draw by inversion: counts per fan like alerts or opens. */
function poisson(random: () => number, mean: number): number {
  let k = 0;
  let p = Math.exp(-mean);
  let s = p;
  const u = random();
  while (u > s) {
    k++;
    p *= mean / k;
    s += p;
  }
  return k;
}

describe('meanEstimate, difference, relativeDifference', () => {
  it('compute the mean, the variance of the mean and the intervals as written by hand', () => {
    const a = meanEstimate([1, 2, 3, 4]); // mean 2.5, s² = 5/3
    expect(a.mean).toBe(2.5);
    expect(a.varianceOfMean).toBeCloseTo(5 / 3 / 4, 12);
    const b = meanEstimate([2, 4, 6, 8]); // mean 5, s² = 20/3
    const d = difference(b, a);
    const se = Math.sqrt(20 / 3 / 4 + 5 / 3 / 4);
    expect(d.estimate).toBe(2.5);
    expect(d.low).toBeCloseTo(2.5 - Z95 * se, 12);
    expect(d.high).toBeCloseTo(2.5 + Z95 * se, 12);
    const r = relativeDifference(b, a);
    const seR = Math.sqrt(20 / 3 / 4 / 2.5 ** 2 + (25 * (5 / 3 / 4)) / 2.5 ** 4);
    expect(r.estimate).toBe(1);
    expect(r.low).toBeCloseTo(1 - Z95 * seR, 12);
  });

  it('gives no bounds it cannot compute: one fan, or a control mean of zero', () => {
    expect(difference(meanEstimate([1]), meanEstimate([1, 2]))).toEqual({ estimate: -0.5, low: null, high: null });
    expect(relativeDifference(meanEstimate([1, 2]), meanEstimate([0, 0]))).toEqual({
      estimate: null,
      low: null,
      high: null,
    });
    expect(meanEstimate([]).fans).toBe(0);
  });

  it('covers the true difference about 95% of the time over 400 simulated experiments of 500 fans per arm', () => {
    const random = rng(17);
    let covered = 0;
    let coveredRelative = 0;
    const runs = 400;
    for (let run = 0; run < runs; run++) {
      const control = Array.from({ length: 500 }, () => poisson(random, 2));
      const variant = Array.from({ length: 500 }, () => poisson(random, 1.6));
      const d = difference(meanEstimate(variant), meanEstimate(control));
      if (d.low! <= -0.4 && -0.4 <= d.high!) covered++;
      const r = relativeDifference(meanEstimate(variant), meanEstimate(control));
      if (r.low! <= -0.2 && -0.2 <= r.high!) coveredRelative++;
    }
    expect(covered / runs).toBeGreaterThan(0.92);
    expect(covered / runs).toBeLessThan(0.98);
    expect(coveredRelative / runs).toBeGreaterThan(0.92);
    expect(coveredRelative / runs).toBeLessThan(0.98);
  });
});

describe('compareArms', () => {
  const fan = (fanId: number, arm: string, alerts: number, unsubscribes = 0): FanResult => ({
    fanId,
    arm,
    alerts,
    alertOpens: 0,
    digestOpens: 0,
    clicks: 0,
    unsubscribes,
  });
  it('lists every arm with its fans, means and differences to the control; the control has none', () => {
    const rows = [fan(1, 'control', 4), fan(2, 'control', 6, 1), fan(3, 'tight', 2), fan(4, 'tight', 2)];
    const [control, tight, empty] = compareArms(rows, ['control', 'tight', 'holdout'], 'control');
    expect(control).toMatchObject({ arm: 'control', fans: 2, metrics: { alerts: { mean: 5, difference: null } } });
    expect(tight.fans).toBe(2);
    expect(tight.metrics.alerts.mean).toBe(2);
    expect(tight.metrics.alerts.difference?.estimate).toBe(-3);
    expect(tight.metrics.alerts.relative?.estimate).toBeCloseTo(-0.6, 12);
    expect(tight.metrics.unsubscribes.difference?.estimate).toBe(-0.5);
    expect(empty).toMatchObject({ arm: 'holdout', fans: 0, metrics: { alerts: { mean: null } } });
    expect(() => compareArms(rows, ['tight'], 'control')).toThrow(/control/);
  });
});
