// A fan's preferences and muted creators: read with their defaults, replaced as a whole in one transaction.

import type { FanPreferences } from '../domain/fan.ts';
import { type Pool, withTransaction } from './pool.ts';

export interface StoredPreferences extends FanPreferences {
  fanId: number;
  /** Set by an unsubscribe; cleared when the fan turns email back on. */
  unsubscribedAt: Date | null;
  /** The creators the fan follows, so a form can offer each one to mute. */
  creators: { id: number; displayName: string }[];
}

/** Null when the fan does not exist; a fan without a preferences row gets the column defaults. */
export async function getPreferences(pool: Pool, fanId: number): Promise<StoredPreferences | null> {
  const r = await pool.query(
    `select f.id, coalesce(p.email_enabled, true) as email_enabled, coalesce(p.push_enabled, true) as push_enabled,
            coalesce(p.digest_cadence, 'daily') as digest_cadence, p.digest_hour,
            p.quiet_start, p.quiet_end, p.unsubscribed_at,
            coalesce((select json_agg(m.creator_id order by m.creator_id) from muted_creators m where m.fan_id = f.id),
                     '[]'::json) as muted,
            coalesce((select json_agg(json_build_object('id', c.id, 'displayName', c.display_name)
                                      order by c.display_name, c.id)
                        from memberships ms join creators c on c.id = ms.creator_id
                       where ms.fan_id = f.id and ms.ended_at is null), '[]'::json) as creators
       from fans f left join preferences p on p.fan_id = f.id
      where f.id = $1::bigint`,
    [fanId],
  );
  if (r.rowCount === 0) return null;
  const row = r.rows[0];
  return {
    fanId: row.id,
    // An unsubscribed fan gets no email whatever email_enabled says (see loadDeliveryJobs), so show it as off.
    emailEnabled: row.email_enabled && row.unsubscribed_at === null,
    pushEnabled: row.push_enabled,
    digestCadence: row.digest_cadence,
    digestHour: row.digest_hour,
    quietHours:
      row.quiet_start === null || row.quiet_end === null ? null : { start: row.quiet_start, end: row.quiet_end },
    mutedCreatorIds: row.muted.map(Number),
    unsubscribedAt: row.unsubscribed_at,
    creators: row.creators.map((c: { id: number | string; displayName: string }) => ({
      id: Number(c.id),
      displayName: c.displayName,
    })),
  };
}

export class UnknownCreatorsError extends Error {
  constructor(readonly creatorIds: number[]) {
    super(`mutedCreatorIds: no creators with ids ${creatorIds.join(', ')}`);
  }
}

/**
 * Replaces the fan's preferences. Turning email on is the fan's explicit choice through a signed link, so it also
 * lifts an earlier unsubscribe.
 */
export async function putPreferences(pool: Pool, fanId: number, p: FanPreferences): Promise<void> {
  await withTransaction(pool, async (client) => {
    const known = await client.query(`select id from creators where id = any($1::bigint[])`, [p.mutedCreatorIds]);
    const found = new Set(known.rows.map((row) => Number(row.id)));
    const missing = p.mutedCreatorIds.filter((id) => !found.has(id));
    if (missing.length) throw new UnknownCreatorsError(missing);
    await client.query(
      `insert into preferences (fan_id, email_enabled, push_enabled, digest_cadence, digest_hour, quiet_start,
                                quiet_end, unsubscribed_at, updated_at)
       values ($1::bigint, $2::bool, $3::bool, $4::text, $5::int, $6::int, $7::int, null, now())
       on conflict (fan_id) do update
          set email_enabled = excluded.email_enabled, push_enabled = excluded.push_enabled,
              digest_cadence = excluded.digest_cadence, digest_hour = excluded.digest_hour,
              quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end,
              unsubscribed_at = case when excluded.email_enabled then null else preferences.unsubscribed_at end,
              updated_at = now()`,
      [
        fanId,
        p.emailEnabled,
        p.pushEnabled,
        p.digestCadence,
        p.digestHour,
        p.quietHours?.start ?? null,
        p.quietHours?.end ?? null,
      ],
    );
    await client.query(`delete from muted_creators where fan_id = $1::bigint and creator_id <> all($2::bigint[])`, [
      fanId,
      p.mutedCreatorIds,
    ]);
    await client.query(
      `insert into muted_creators (fan_id, creator_id)
       select $1::bigint, c from unnest($2::bigint[]) as c on conflict do nothing`,
      [fanId, p.mutedCreatorIds],
    );
  });
}
