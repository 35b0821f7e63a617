// Process-wide settings kept in PostgreSQL by key, such as the VAPID key pair or the spec of a simulated world.
import type { Pool } from './pool.ts';

/**
 * Returns the stored value for key, or stores and returns make()'s value if there is none.
 * Two processes racing both get the value that won.
 */
export async function getOrCreateSetting<T>(pool: Pool, key: string, make: () => T): Promise<T> {
  const existing = await pool.query(`select value from settings where key = $1::text`, [key]);
  if (existing.rowCount) return existing.rows[0].value as T;
  await pool.query(`insert into settings (key, value) values ($1::text, $2::jsonb) on conflict (key) do nothing`, [
    key,
    JSON.stringify(make()),
  ]);
  const stored = await pool.query(`select value from settings where key = $1::text`, [key]);
  return stored.rows[0].value as T;
}

/** The stored value for key, or undefined when there is none. */
export async function getSetting(pool: Pool, key: string): Promise<unknown> {
  const { rows } = await pool.query<{ value: unknown }>(`select value from settings where key = $1::text`, [key]);
  return rows.length === 0 ? undefined : rows[0].value;
}

/** Stores value under key, replacing what was there. */
export async function putSetting(pool: Pool, key: string, value: unknown): Promise<void> {
  await pool.query(
    `insert into settings (key, value) values ($1::text, $2::jsonb)
     on conflict (key) do update set value = excluded.value`,
    [key, JSON.stringify(value)],
  );
}
