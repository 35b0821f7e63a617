// Wrong bearer tokens are counted per client address, shared through PostgreSQL; a locked address is refused every
// bearer token, the right one included, so a guesser cannot tell a hit.

import type { Pool } from '../db/pool.ts';
import { postgresCounter } from '../db/rate-limits.ts';
import { retryAfterSeconds } from './rate-limit.ts';
import type { AuthSettings } from './settings.ts';
import { counterKey } from './throttle.ts';

export interface TokenThrottle {
  /**
   * Seconds until the address's bearer tokens are looked at again, or null. Reads the store only for an address
   * this process has counted a wrong token from within the last window or lockout, so a right token from an address
   * with no failures costs no query.
   */
  lockedFor(address: string): Promise<number | null>;
  /**
   * Counts a wrong token from the address; the one that reaches the limit starts the lockout (and is answered as any
   * wrong token). The seconds left of a lockout already in force (a failure that came past the limit), else null.
   */
  failed(address: string): Promise<number | null>;
}

/** Addresses remembered as having failed; past this, the oldest are forgotten (they then skip the pre-check only). */
const MAX_REMEMBERED = 10_000;

export function createTokenThrottle(
  pool: Pool,
  t: AuthSettings['tokenThrottle'],
  now: () => number = Date.now,
): TokenThrottle {
  const counter = postgresCounter(pool, {
    keyPrefix: 'token-address',
    points: t.perAddress,
    windowSeconds: t.windowSeconds,
  });
  // Address → until when a failure counted here may still hold it locked. A hint only: PostgreSQL keeps the count.
  const failedHere = new Map<string, number>();
  const rememberMs = Math.max(t.windowSeconds, t.lockoutSeconds) * 1000;

  const remember = (key: string) => {
    failedHere.delete(key);
    failedHere.set(key, now() + rememberMs);
    if (failedHere.size <= MAX_REMEMBERED) return;
    const at = now();
    for (const [k, until] of failedHere) if (until <= at) failedHere.delete(k);
    for (const k of failedHere.keys()) {
      if (failedHere.size <= MAX_REMEMBERED) break;
      failedHere.delete(k);
    }
  };

  return {
    async lockedFor(address) {
      const key = counterKey(address);
      const until = failedHere.get(key);
      if (until === undefined) return null;
      if (until <= now()) {
        failedHere.delete(key);
        return null;
      }
      const res = await counter.get(key);
      if (res === null) {
        failedHere.delete(key);
        return null;
      }
      return res.consumedPoints >= counter.points ? retryAfterSeconds(res.msBeforeNext) : null;
    },
    async failed(address) {
      const key = counterKey(address);
      remember(key);
      // penalty adds a point in one statement and never rejects, so concurrent failures all count.
      const res = await counter.penalty(key);
      if (res.consumedPoints > counter.points) return retryAfterSeconds(res.msBeforeNext);
      // Exactly one failure is the one that reaches the limit: it turns the rest of the window into the lockout.
      if (res.consumedPoints === counter.points) await counter.block(key, t.lockoutSeconds);
      return null;
    },
  };
}
