// Creators as a whole: their handles by id, the console's picker, the largest and the quietest.
import type { CreatorMatch } from '../wire/access.ts';
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

/** The creator whose member count is nearest `members` (the lowest id among equals), with its count. */
export async function creatorOfSize(
  pool: Pool,
  members: number,
): Promise<{ creatorId: number; members: number } | null> {
  const r = await pool.query(
    `select creator_id, count(*)::int as n from memberships
      group by creator_id order by abs(count(*) - $1::int), creator_id limit 1`,
    [members],
  );
  return r.rows[0] ? { creatorId: Number(r.rows[0].creator_id), members: r.rows[0].n } : null;
}

/** The id of the creator with this handle; null when there is none. */
export async function creatorIdByHandle(pool: Pool, handle: string): Promise<number | null> {
  const r = await pool.query<{ id: number }>(`select id from creators where handle = $1::text`, [handle]);
  return r.rows[0]?.id ?? null;
}

/**
 * Creators for the console's picker: by id, or by part of the handle or display name (every creator, up to `limit`,
 * when `q` is empty), ordered by handle, each with how many of its API keys are live.
 */
export async function searchCreators(pool: Pool, q: string, limit: number): Promise<CreatorMatch[]> {
  // Up to 18 digits always fit a bigint; a longer number is searched as text, never cast into an out-of-range error.
  const byId = /^\d{1,18}$/.test(q);
  const r = await pool.query(
    `select c.id, c.handle, c.display_name,
            (select count(*)::int from creator_keys k where k.creator_id = c.id and k.revoked_at is null) as live_keys
       from creators c
      where case when $1::bigint is not null then c.id = $1::bigint
                 else c.handle ilike '%' || $2::text || '%' or c.display_name ilike '%' || $2::text || '%' end
      order by c.handle limit $3::int`,
    [byId ? q : null, q.replace(/[\\%_]/g, (c) => `\\${c}`), limit],
  );
  return r.rows.map((row) => ({
    id: Number(row.id),
    handle: row.handle,
    displayName: row.display_name,
    liveKeys: row.live_keys,
  }));
}
