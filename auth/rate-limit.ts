// Announcing is rate-limited per creator, with counters in PostgreSQL so every API process shares them.
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { Pool } from '../db/pool.ts';
import { postgresCounter } from '../db/rate-limits.ts';
import type { AuthSettings } from './settings.ts';

/** Either the request may go on, or it must wait: answer 429 with `Retry-After: retryAfterSeconds`. */
export type RateDecision = { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

export interface AnnounceLimiter {
  /** Takes one announcement from the creator's allowance. */
  take(creatorId: number): Promise<RateDecision>;
}

/** Whole seconds to wait, at least 1, from the library's milliseconds. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

export function createAnnounceLimiter(pool: Pool, rate: AuthSettings['announceRate']): AnnounceLimiter {
  const counter = postgresCounter(pool, { keyPrefix: 'announce', ...rate });
  return {
    async take(creatorId) {
      try {
        const res = await counter.consume(String(creatorId));
        return { allowed: true, remaining: res.remainingPoints };
      } catch (err) {
        // The library rejects with a RateLimiterRes when the allowance is spent, with an Error when the store fails.
        if (err instanceof RateLimiterRes)
          return { allowed: false, retryAfterSeconds: retryAfterSeconds(err.msBeforeNext) };
        throw err;
      }
    },
  };
}
