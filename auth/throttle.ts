// Wrong passwords are throttled per username and per client address, with counters shared through PostgreSQL.
import { createHash } from 'node:crypto';
import type { Pool } from '../db/pool.ts';
import { postgresCounter } from '../db/rate-limits.ts';
import { retryAfterSeconds } from './rate-limit.ts';
import type { AuthSettings } from './settings.ts';

export interface LoginThrottle {
  /**
   * Counts a login attempt against the username and the address before its password is checked, so parallel guesses
   * cannot slip past the limit; returns the seconds until either may try again when the attempt is one too many
   * (the first such attempt starts the lockout), else null.
   */
  attempt(username: string, address: string): Promise<number | null>;
  /**
   * A right password gives its attempt back: the username's count is cleared, the address's lowered by one (it
   * keeps its wrong ones: it may be guessing many accounts).
   */
  succeeded(username: string, address: string): Promise<void>;
}

export function createLoginThrottle(pool: Pool, t: AuthSettings['loginThrottle']): LoginThrottle {
  const byAccount = postgresCounter(pool, {
    keyPrefix: 'login-account',
    points: t.perAccount,
    windowSeconds: t.windowSeconds,
  });
  const byAddress = postgresCounter(pool, {
    keyPrefix: 'login-address',
    points: t.perAddress,
    windowSeconds: t.windowSeconds,
  });

  return {
    async attempt(username, address) {
      let wait = 0;
      for (const [counter, key] of [
        [byAccount, counterKey(username)],
        [byAddress, counterKey(address)],
      ] as const) {
        // penalty adds a point in one statement and never rejects, so concurrent attempts all count.
        let res = await counter.penalty(key);
        if (res.consumedPoints <= counter.points) continue;
        // Exactly one attempt is the first past the limit: it turns the rest of the window into the whole lockout.
        if (res.consumedPoints === counter.points + 1) res = await counter.block(key, t.lockoutSeconds);
        wait = Math.max(wait, retryAfterSeconds(res.msBeforeNext));
      }
      return wait > 0 ? wait : null;
    },
    async succeeded(username, address) {
      await byAccount.delete(counterKey(username));
      await byAddress.reward(counterKey(address));
    },
  };
}

/**
 * A counter's key as stored (rate_limits.key is varchar(255) text): a short printable name as it is, anything else
 * (a megabyte-long username, a NUL byte) by its SHA-256, so no input can make the store fail.
 */
export function counterKey(name: string): string {
  if (name.length <= 100 && /^[\x21-\x7e]*$/.test(name)) return name;
  return `sha256:${createHash('sha256').update(name, 'utf8').digest('hex')}`;
}
