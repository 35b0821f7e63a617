// A short-lived pool for a command that reads or writes a few rows, ended whatever happens.
import { databaseUrl } from '../app/config.ts';
import { createPool, type Pool } from '../db/pool.ts';

/**
 * Runs fn with a two-connection pool on DATABASE_URL, named after the command ("policy set") in its error lines, and
 * ends the pool after it, also when fn throws.
 */
export async function withPool<T>(name: string, fn: (pool: Pool) => Promise<T>): Promise<T> {
  const pool = createPool(databaseUrl(), 2, { name });
  try {
    return await fn(pool);
  } finally {
    await pool.end();
  }
}
