// Creators as a whole: their handles by id.
import type { Pool } from './pool.ts';

/** Handles by creator id; ids that are not creators are left out. */
export async function creatorHandles(pool: Pool, creatorIds: readonly number[]): Promise<Map<number, string>> {
  const { rows } = await pool.query<{ id: number; handle: string }>(`select id, handle from creators where id = any($1::bigint[])`, [
    creatorIds,
  ]);
  return new Map(rows.map((r) => [Number(r.id), r.handle]));
}
