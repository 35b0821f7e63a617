// Tests bagging and feature sampling: fractions honoured, bags redrawn every bagging_freq iterations, seeds repeat.
import { describe, expect, it } from 'vitest';
import { Bagger, FeatureSampler } from './sampling.ts';

describe('Bagger', () => {
  it('keeps about bagging_fraction of the rows and redraws every bagging_freq iterations', () => {
    const bagger = new Bagger(10000, 0.7, 2, 3);
    const first = bagger.next(0)!;
    expect(Math.abs(first.bag.length - 7000)).toBeLessThan(300);
    expect(first.bag.length + first.outOfBag.length).toBe(10000);
    const kept = [...first.bag];
    expect([...bagger.next(1)!.bag]).toEqual(kept);
    expect([...bagger.next(2)!.bag]).not.toEqual(kept);
    expect([...new Bagger(10000, 0.7, 2, 3).next(0)!.bag]).toEqual(kept);
  });

  it('is off without a frequency or with fraction 1', () => {
    expect(new Bagger(10, 0.5, 0, 1).next(0)).toBeNull();
    expect(new Bagger(10, 1, 3, 1).next(0)).toBeNull();
  });
});

describe('FeatureSampler', () => {
  it('uses round(fraction × features) per tree, at least one', () => {
    const s = new FeatureSampler(10, 0.3, 2);
    const count = (u: Uint8Array) => u.reduce((a, b) => a + b, 0);
    expect(count(s.next())).toBe(3);
    expect(count(new FeatureSampler(10, 0.01, 2).next())).toBe(1);
    expect(count(new FeatureSampler(10, 1, 2).next())).toBe(10);
  });
});
