// Tests the expected best remaining candidate against its closed forms and its promised shape.
import { describe, expect, it } from 'vitest';
import { Rng } from '../simulator/random.ts';
import { expectedBestRemaining, fanCandidateStats } from './value-aware.ts';

const HOUR = 3_600_000;

describe('expectedBestRemaining', () => {
  it('is zero with no history, no rate or no time left', () => {
    expect(expectedBestRemaining(null, 24 * HOUR)).toBe(0);
    expect(expectedBestRemaining({ pastValues: [], ratePerHour: 1 }, 24 * HOUR)).toBe(0);
    expect(expectedBestRemaining({ pastValues: [0.3], ratePerHour: 0 }, 24 * HOUR)).toBe(0);
    expect(expectedBestRemaining({ pastValues: [0.3], ratePerHour: 1 }, 0)).toBe(0);
  });

  it('with one past value v is v times P(at least one candidate arrives)', () => {
    const e = expectedBestRemaining({ pastValues: [0.4], ratePerHour: 0.5 }, 4 * HOUR);
    expect(e).toBeCloseTo(0.4 * (1 - Math.exp(-2)), 12);
  });

  it('matches a Monte Carlo estimate of the best of a Poisson number of draws', () => {
    const stats = { pastValues: [0.05, 0.1, 0.1, 0.2, 0.6], ratePerHour: 0.25 };
    const rng = new Rng(7);
    let sum = 0;
    const runs = 100_000;
    for (let r = 0; r < runs; r++) {
      const n = rng.poisson(0.25 * 6);
      let best = 0;
      for (let k = 0; k < n; k++) best = Math.max(best, stats.pastValues[rng.int(5)]);
      sum += best;
    }
    expect(expectedBestRemaining(stats, 6 * HOUR)).toBeCloseTo(sum / runs, 2);
  });

  it('rises with time left and never exceeds the best past value', () => {
    const stats = { pastValues: [0.02, 0.3, 0.11, 0.07], ratePerHour: 0.3 };
    let last = 0;
    for (let h = 1; h <= 200; h++) {
      const e = expectedBestRemaining(stats, h * HOUR);
      expect(e).toBeGreaterThanOrEqual(last);
      expect(e).toBeLessThanOrEqual(0.3);
      last = e;
    }
    expect(last).toBeCloseTo(0.3, 6);
  });
});

describe('fanCandidateStats', () => {
  it('keeps the lookback and turns the count into a rate', () => {
    const now = new Date('2026-03-01T00:00:00Z');
    const at = (h: number) => new Date(now.getTime() - h * HOUR);
    const s = fanCandidateStats(
      [
        { at: at(1), value: 0.1 },
        { at: at(30), value: 0.2 },
        { at: at(49), value: 0.9 },
        { at: at(-1), value: 0.5 },
      ],
      now,
      48 * HOUR,
    );
    expect(s).toEqual({ pastValues: [0.1, 0.2], ratePerHour: 2 / 48 });
  });
});
