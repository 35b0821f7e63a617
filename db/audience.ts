// An event's audience, a keyset page at a time: matching members, not muted, with the channels that reach them.

import type { AudienceMember } from '../domain/decision.ts';
import type { Channel } from '../domain/vocabulary.ts';
import type { Pool } from './pool.ts';

/**
 * Email needs: the channel enabled, no unsubscribe, a deliverable address.
 * Push needs: the channel enabled and at least one active subscription.
 * A fan with neither is left out of the page. `throughFanId` (inclusive) ends a range of the audience; null, none.
 */
export async function audiencePage(
  pool: Pool,
  eventId: number,
  afterFanId: number,
  limit: number,
  throughFanId: number | null = null,
): Promise<AudienceMember[]> {
  const r = await pool.query(
    `select m.fan_id,
            coalesce(p.email_enabled, true) and p.unsubscribed_at is null and f.email_status = 'active' as email,
            coalesce(p.push_enabled, true)
              and exists (select 1 from push_subscriptions s where s.fan_id = m.fan_id and s.status = 'active') as push
       from creator_events e
       join memberships m on m.creator_id = e.creator_id and m.ended_at is null
       join fans f on f.id = m.fan_id
       left join preferences p on p.fan_id = m.fan_id
      where e.id = $1::bigint
        and m.fan_id > $2::bigint
        and ($4::bigint is null or m.fan_id <= $4::bigint)
        and (e.audience = 'all'
             or (e.audience = 'paid' and m.kind = 'paid')
             or (e.audience = 'tier' and m.tier >= e.min_tier))
        and not exists (select 1 from muted_creators mc where mc.fan_id = m.fan_id and mc.creator_id = e.creator_id)
      order by m.fan_id
      limit $3::int`,
    [eventId, afterFanId, limit, throughFanId],
  );
  return r.rows.map((row) => {
    const channels: Channel[] = [];
    if (row.email) channels.push('email');
    if (row.push) channels.push('push');
    return { fanId: row.fan_id, channels };
  });
}

/** Where an event's audience can be cut into ranges, read from the members after `afterFanId`. */
export interface AudienceCuts {
  /** The fan id of every `rangeSize`-th member, in order: the inclusive ends of full ranges. */
  bounds: number[];
  /** Members read, at most rangeSize × maxRanges; fewer means the audience ends within them. */
  members: number;
}

/**
 * Reads at most `rangeSize × maxRanges` of the event's members after `afterFanId` (memberships matching the event's
 * audience rule, off the memberships primary key; mutes and reachability are left to each page) and returns every
 * `rangeSize`-th fan id, so ranges hold about equal numbers of members whatever the gaps between fan ids.
 */
export async function audienceCuts(
  pool: Pool,
  eventId: number,
  afterFanId: number,
  rangeSize: number,
  maxRanges: number,
): Promise<AudienceCuts> {
  const r = await pool.query(
    `with members as (
       select m.fan_id, row_number() over (order by m.fan_id) as n
         from creator_events e
         join memberships m on m.creator_id = e.creator_id and m.ended_at is null
        where e.id = $1::bigint
          and m.fan_id > $2::bigint
          and (e.audience = 'all'
               or (e.audience = 'paid' and m.kind = 'paid')
               or (e.audience = 'tier' and m.tier >= e.min_tier))
        order by m.fan_id
        limit $3::int * $4::int
     )
     select fan_id, n::int, (select count(*)::int from members) as members
       from members where n % $3::int = 0
      union all
     select null, null, (select count(*)::int from members)
      order by n nulls last`,
    [eventId, afterFanId, rangeSize, maxRanges],
  );
  const bounds = r.rows.filter((row) => row.fan_id !== null).map((row) => row.fan_id as number);
  return { bounds, members: r.rows[0].members };
}
