// Wrong passwords are throttled per username and per client address, with counters shared through PostgreSQL.
import { createHash } from 'node:crypto';
import type { Pool } from '../db/pool.ts';
import { postgresCounter } from '../db/rate-limits.ts';
import { retryAfterSeconds } from './rate-limit.ts';
import type { AuthSettings } from './settings.ts';

export interface LoginThrottle {
  /** Seconds until this username or address may try again; null when neither is locked out. */
  lockedFor(username: string, address: string): Promise<number | null>;
  /** Counts a wrong password against both; the attempt that reaches a limit starts the lockout. */
  failed(username: string, address: string): Promise<void>;
  /** A right password clears the username's count (the address's stays: it may be guessing many accounts). */
  succeeded(username: string): Promise<void>;
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
  const counters = (username: string, address: string) =>
    [
      [byAccount, counterKey(username)],
      [byAddress, counterKey(address)],
    ] as const;

  return {
    async lockedFor(username, address) {
      let wait = 0;
      for (const [counter, key] of counters(username, address)) {
        const res = await counter.get(key);
        // Reaching the limit locks: the N-th wrong password is the last one tried.
        if (res && res.consumedPoints >= counter.points) wait = Math.max(wait, retryAfterSeconds(res.msBeforeNext));
      }
      return wait > 0 ? wait : null;
    },
    async failed(username, address) {
      for (const [counter, key] of counters(username, address)) {
        // penalty adds a point and never rejects; block then holds the key for the whole lockout.
        const res = await counter.penalty(key);
        if (res.consumedPoints >= counter.points) await counter.block(key, t.lockoutSeconds);
      }
    },
    async succeeded(username) {
      await byAccount.delete(counterKey(username));
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
