// Fans as a whole: their ids a keyset page at a time, and their addresses by id.
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
