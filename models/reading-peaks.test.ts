import { describe, expect, it } from 'vitest';
import {
  expectedPeakProximity,
  MIN_SEPARATION_HOURS,
  PEAK_PAIRS,
  peakPosterior,
  peakPosteriorWithSends,
  QUARTERS_PER_DAY,
  quarterOfDay,
} from './reading-peaks.ts';

const opensAt = (...hours: number[]): Float64Array => {
  const q = new Float64Array(QUARTERS_PER_DAY);
  for (const h of hours) q[quarterOfDay(h)]++;
  return q;
};

describe('reading-peak posterior', () => {
  it('covers every pair of hours at least the minimum separation apart, once', () => {
    const keys = new Set(PEAK_PAIRS.map(([a, b]) => `${a}-${b}`));
    expect(keys.size).toBe(PEAK_PAIRS.length);
    for (const [a, b] of PEAK_PAIRS) expect(Math.min(b - a, 24 - (b - a))).toBeGreaterThanOrEqual(MIN_SEPARATION_HOURS);
    // 24 hours, each paired with the 24 - 1 - 2·3 hours at least 4 apart, each pair counted once.
    expect(PEAK_PAIRS.length).toBe((24 * 17) / 2);
  });

  it('with no opens and no digest hour gives every hour the same proximity', () => {
    const post = peakPosterior(opensAt(), null);
    expect(post.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const at = Array.from({ length: 24 }, (_, h) => expectedPeakProximity(post, h));
    for (const p of at) expect(p).toBeCloseTo(at[0], 12);
  });

  it('places the peaks where the opens cluster, near and far hours apart', () => {
    const post = peakPosterior(opensAt(8.2, 8.7, 8.4, 20.3, 20.9, 13.1), null);
    const near8 = expectedPeakProximity(post, 8);
    const near20 = expectedPeakProximity(post, 20);
    const far = expectedPeakProximity(post, 2);
    const stray = expectedPeakProximity(post, 13);
    expect(near8).toBeGreaterThan(0.7);
    expect(near20).toBeGreaterThan(0.7);
    expect(far).toBeLessThan(0.1);
    // One open at 13:00 among five near 8 and 20 is read as a stray open, not a third peak.
    expect(stray).toBeLessThan(0.4);
  });

  it('counts the digest hour as evidence of one peak', () => {
    const none = expectedPeakProximity(peakPosterior(opensAt(), null), 7);
    const digest = expectedPeakProximity(peakPosterior(opensAt(), 7), 7);
    expect(digest).toBeGreaterThan(none + 0.2);
    expect(expectedPeakProximity(peakPosterior(opensAt(), 7), 7)).toBeGreaterThan(
      expectedPeakProximity(peakPosterior(opensAt(), 7), 12),
    );
  });

  it('wraps around midnight', () => {
    const post = peakPosterior(opensAt(23.6, 23.9, 0.2, 23.8), null);
    expect(expectedPeakProximity(post, 23)).toBeGreaterThan(0.7);
    expect(expectedPeakProximity(post, 0)).toBeGreaterThan(0.6);
    expect(expectedPeakProximity(post, 0)).toBeGreaterThan(expectedPeakProximity(post, 11));
  });

  it('depends on the counts alone, not the order the opens came in', () => {
    const a = peakPosterior(opensAt(9, 21, 9.5, 14), 9);
    const b = peakPosterior(opensAt(14, 9.5, 21, 9), 9);
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it('with sends, reads opened send hours as near a peak and unopened ones as far from one', () => {
    const hourSends = new Float64Array(24);
    const hourOpens = new Float64Array(24);
    hourSends[8] = 6;
    hourOpens[8] = 5;
    hourSends[15] = 6;
    const post = peakPosteriorWithSends(opensAt(), null, hourSends, hourOpens, 0.4);
    expect(post.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(expectedPeakProximity(post, 8)).toBeGreaterThan(expectedPeakProximity(post, 15) + 0.3);
    // Without sends it is the open-time posterior.
    const none = peakPosteriorWithSends(opensAt(9, 21), 9, new Float64Array(24), new Float64Array(24), 0.4);
    const opensOnly = peakPosterior(opensAt(9, 21), 9);
    none.forEach((w, k) => {
      expect(w).toBeCloseTo(opensOnly[k], 12);
    });
  });
});
