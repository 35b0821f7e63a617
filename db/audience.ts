// An event's audience, a keyset page at a time: matching members, not muted, with the channels that reach them.

import type { AudienceMember } from '../domain/decision.ts';
import type { Channel } from '../domain/vocabulary.ts';
import type { Pool } from './pool.ts';

/**
 * Email needs: the channel enabled, no unsubscribe, a deliverable address.
 * Push needs: the channel enabled and at least one active subscription.
 * A fan with neither is left out of the page.
 */
export async function audiencePage(
  pool: Pool,
  eventId: number,
  afterFanId: number,
  limit: number,
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
        and (e.audience = 'all'
             or (e.audience = 'paid' and m.kind = 'paid')
             or (e.audience = 'tier' and m.tier >= e.min_tier))
        and not exists (select 1 from muted_creators mc where mc.fan_id = m.fan_id and mc.creator_id = e.creator_id)
      order by m.fan_id
      limit $3::int`,
    [eventId, afterFanId, limit],
  );
  return r.rows.map((row) => {
    const channels: Channel[] = [];
    if (row.email) channels.push('email');
    if (row.push) channels.push('push');
    return { fanId: row.fan_id, channels };
  });
}
