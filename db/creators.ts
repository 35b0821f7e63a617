// Creators as a whole: their handles by id.
import type { Pool } from './pool.ts';

/** Handles by creator id; ids that are not creators are left out. */
export async function creatorHandles(pool: Pool, creatorIds: readonly number[]): Promise<Map<number, string>> {
  const { rows } = await pool.query<{ id: number; handle: string }>(
    `select id, handle from creators where id = any($1::bigint[])`,
    [creatorIds],
  );
  return new Map(rows.map((r) => [Number(r.id), r.handle]));
}

/**
 * Of these creators, the one with the largest audience that heard no alert from it in the last day (so per-creator
 * caps leave its next announcement free to go out at once); null when every one of them alerted.
 */
export async function quietestCreator(pool: Pool, creatorIds: readonly number[]): Promise<number | null> {
  const r = await pool.query(
    `select c.id from creators c
      where c.id = any($1::bigint[])
        and not exists (select 1 from creator_events e join decisions d on d.event_id = e.id
                         where e.creator_id = c.id and d.action = 'alert'
                           and d.decided_at > now() - interval '24 hours')
      order by (select count(*) from memberships m where m.creator_id = c.id) desc, c.id
      limit 1`,
    [creatorIds],
  );
  return r.rows[0]?.id ?? null;
}

/** The creator with the most members (the lowest id among equals), with that count; null without memberships. */
export async function largestCreator(pool: Pool): Promise<{ creatorId: number; members: number } | null> {
  const r = await pool.query(
    `select creator_id, count(*)::int as n from memberships
      group by creator_id order by count(*) desc, creator_id limit 1`,
  );
  return r.rows[0] ? { creatorId: r.rows[0].creator_id, members: r.rows[0].n } : null;
}

/** The id of the creator with this handle; null when there is none. */
export async function creatorIdByHandle(pool: Pool, handle: string): Promise<number | null> {
  const r = await pool.query<{ id: number }>(`select id from creators where handle = $1::text`, [handle]);
  return r.rows[0]?.id ?? null;
}
