// Counters in the rate_limits table through rate-limiter-flexible's RateLimiterPostgres, shared by every process.
import { RateLimiterPostgres } from 'rate-limiter-flexible';
import type { Pool } from './pool.ts';

export interface CounterOptions {
  /** Names the counter in its keys ("announce" → "announce:<creator id>"). */
  keyPrefix: string;
  /** Points a key may use within one window. */
  points: number;
  windowSeconds: number;
}

/**
 * A limiter over the table migration 0004 creates (so the library never runs DDL) in the pool's search_path.
 * The library keeps its SQL inside it; this module is where it meets our database.
 */
export function postgresCounter(pool: Pool, o: CounterOptions): RateLimiterPostgres {
  return new RateLimiterPostgres({
    storeClient: pool,
    storeType: 'pool',
    tableName: 'rate_limits',
    tableCreated: true,
    keyPrefix: o.keyPrefix,
    points: o.points,
    duration: o.windowSeconds,
  });
}
