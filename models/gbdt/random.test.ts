// Tests for LightGBM's generator: the same seed repeats, samples are sorted, distinct and of the requested size.
import { describe, expect, it } from 'vitest';
import { LcgRandom } from './random.ts';

describe('LcgRandom', () => {
  it('repeats for a seed and follows the 214013/2531011 recurrence', () => {
    const a = new LcgRandom(7);
    const b = new LcgRandom(7);
    const xs = Array.from({ length: 5 }, () => a.nextInt(0, 1000));
    expect(Array.from({ length: 5 }, () => b.nextInt(0, 1000))).toEqual(xs);
    expect(new LcgRandom(0).nextShort(0, 32768)).toBe((2531011 >>> 16) & 0x7fff);
  });

  it('samples K sorted distinct indices by either of its two methods', () => {
    for (const [n, k] of [
      [1000, 900],
      [100000, 50],
    ]) {
      const s = new LcgRandom(3).sample(n, k);
      expect(new Set(s).size).toBe(s.length);
      for (let i = 1; i < s.length; i++) expect(s[i]).toBeGreaterThan(s[i - 1]);
      expect(Math.abs(s.length - k)).toBeLessThanOrEqual(k === 50 ? 0 : 60);
    }
    expect([...new LcgRandom(3).sample(4, 4)]).toEqual([0, 1, 2, 3]);
  });
});
