// Process-wide settings generated once and kept in PostgreSQL, such as the VAPID key pair.
import type { Pool } from './pool.ts';

/**
 * Returns the stored value for key, or stores and returns make()'s value if there is none.
 * Two processes racing both get the value that won.
 */
export async function getOrCreateSetting<T>(pool: Pool, key: string, make: () => T): Promise<T> {
  const existing = await pool.query(`select value from settings where key = $1::text`, [key]);
  if (existing.rowCount) return existing.rows[0].value as T;
  await pool.query(`insert into settings (key, value) values ($1::text, $2::jsonb) on conflict (key) do nothing`, [key, JSON.stringify(make())]);
  const stored = await pool.query(`select value from settings where key = $1::text`, [key]);
  return stored.rows[0].value as T;
}
