// Tests the seeded PRNG: same seed same stream, and each draw's distribution has the mean it promises.
import { describe, expect, it } from 'vitest';
import { cumulativeWeights, mixSeed, Rng, zipfWeights } from './random.ts';

function mean(draw: () => number, n = 40_000): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += draw();
  return sum / n;
}

describe('Rng', () => {
  it('repeats its stream for the same seed and differs for another', () => {
    const a = new Rng(7);
    const b = new Rng(7);
    const c = new Rng(8);
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
    for (const x of seqA) expect(x >= 0 && x < 1).toBe(true);
  });

  it('draws normal, lognormal, exponential and poisson with the right means', () => {
    const rng = new Rng(123);
    expect(mean(() => rng.normal(3, 2))).toBeCloseTo(3, 1);
    expect(mean(() => rng.lognormal(0, 0.5))).toBeCloseTo(Math.exp(0.125), 1);
    expect(mean(() => rng.exponential(4))).toBeCloseTo(0.25, 1);
    expect(mean(() => rng.poisson(2.5))).toBeCloseTo(2.5, 1);
    expect(mean(() => rng.poisson(80))).toBeCloseTo(80, 0);
  });

  it('picks weighted indexes in proportion to their weights', () => {
    const rng = new Rng(5);
    const cumulative = cumulativeWeights([1, 0, 3]);
    const counts = [0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[rng.weighted(cumulative)]++;
    expect(counts[1]).toBe(0);
    expect(counts[2] / counts[0]).toBeGreaterThan(2.7);
    expect(counts[2] / counts[0]).toBeLessThan(3.3);
  });
});

describe('mixSeed', () => {
  it('is stable, order-sensitive and keeps the high bits of large numbers', () => {
    expect(mixSeed(1, 'a', 2)).toBe(mixSeed(1, 'a', 2));
    expect(mixSeed(1, 2)).not.toBe(mixSeed(2, 1));
    expect(mixSeed(1_700_000_000_000)).not.toBe(mixSeed(1_700_000_000_000 + 2 ** 32));
  });
});

describe('zipfWeights', () => {
  it('gives rank r the weight r^-s', () => {
    const w = zipfWeights(4, 1);
    expect(Array.from(w)).toEqual([1, 1 / 2, 1 / 3, 1 / 4]);
  });
});
