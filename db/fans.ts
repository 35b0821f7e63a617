// Fans as a whole: their ids a keyset page at a time, their addresses by id, and the locale and zone of one.
import type { Pool } from './pool.ts';

/** Up to `limit` fan ids after `afterId`, in id order. */
export async function fanIdPage(pool: Pool, afterId: number, limit: number): Promise<number[]> {
  const { rows } = await pool.query<{ id: number }>(
    `select id from fans where id > $1::bigint order by id limit $2::int`,
    [afterId, limit],
  );
  return rows.map((r) => r.id);
}

/** Email addresses by fan id; ids that are not fans are left out. */
export async function fanEmails(pool: Pool, fanIds: readonly number[]): Promise<Map<number, string>> {
  const { rows } = await pool.query<{ id: number; email: string }>(
    `select id, email from fans where id = any($1::bigint[])`,
    [fanIds],
  );
  return new Map(rows.map((r) => [Number(r.id), r.email]));
}

/** A fan's locale tag and IANA zone (fans.locale, fans.time_zone), or null when the fan does not exist. */
export async function fanLocale(pool: Pool, fanId: number): Promise<{ locale: string; timeZone: string } | null> {
  const { rows } = await pool.query<{ locale: string; time_zone: string }>(
    `select locale, time_zone from fans where id = $1::bigint`,
    [fanId],
  );
  return rows[0] ? { locale: rows[0].locale, timeZone: rows[0].time_zone } : null;
}
