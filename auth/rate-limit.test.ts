// Tests the announce rate limit on a real PostgreSQL: per creator, and shared by processes with their own pools.
import { describe, expect, it } from 'vitest';
import { createPool } from '../db/pool.ts';
import { useTestSchema } from '../testing/db.ts';
import { createAnnounceLimiter, retryAfterSeconds } from './rate-limit.ts';

describe('announce rate limit', () => {
  const db = useTestSchema('announce_rate');

  it('rounds the wait up to whole seconds, at least one', () => {
    expect([0, 1, 999, 1000, 1001].map(retryAfterSeconds)).toEqual([1, 1, 1, 1, 2]);
  });

  it('allows N announcements per window per creator, then answers with the seconds to wait', async () => {
    const limiter = createAnnounceLimiter(db().pool, { points: 3, windowSeconds: 60 });
    const taken = [];
    for (let i = 0; i < 3; i++) taken.push(await limiter.take(1));
    expect(taken).toEqual([
      { allowed: true, remaining: 2 },
      { allowed: true, remaining: 1 },
      { allowed: true, remaining: 0 },
    ]);
    const refused = await limiter.take(1);
    expect(refused.allowed).toBe(false);
    if (!refused.allowed) expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(59);
    if (!refused.allowed) expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(await limiter.take(2)).toEqual({ allowed: true, remaining: 2 });
  });

  it('is shared by two pools, as by two API processes', async () => {
    const other = createPool(db().connectionString, 2);
    try {
      const a = createAnnounceLimiter(db().pool, { points: 4, windowSeconds: 60 });
      const b = createAnnounceLimiter(other, { points: 4, windowSeconds: 60 });
      const answers = await Promise.all([a.take(7), b.take(7), a.take(7), b.take(7), a.take(7), b.take(7)]);
      expect(answers.filter((x) => x.allowed)).toHaveLength(4);
      expect(answers.filter((x) => !x.allowed)).toHaveLength(2);
      expect((await b.take(7)).allowed).toBe(false);
      const row = await db().pool.query(`select points from rate_limits where key = 'announce:7'`);
      expect(row.rows[0].points).toBe(7);
    } finally {
      await other.end();
    }
  });

  it('opens again when the window ends', async () => {
    const limiter = createAnnounceLimiter(db().pool, { points: 1, windowSeconds: 60 });
    expect((await limiter.take(9)).allowed).toBe(true);
    expect((await limiter.take(9)).allowed).toBe(false);
    await db().pool.query(`update rate_limits set expire = $1 where key = 'announce:9'`, [Date.now() - 1]);
    expect((await limiter.take(9)).allowed).toBe(true);
  });
});
