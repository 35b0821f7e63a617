// Sends and opens per creator, channel and UTC day, from one query: what the engagement snapshots are summed from.

import { DAY_MS } from '../domain/time.ts';
import type { Channel } from '../domain/vocabulary.ts';
import type { Pool } from './pool.ts';

/** Sends and opens of one creator on one channel on one UTC day (day = days since the epoch). */
export interface DailyEngagement {
  creatorId: number;
  channel: Channel;
  day: number;
  sends: number;
  opens: number;
}

/**
 * Daily sends (by send time) and opens (by the time they happened) per creator and channel, for
 * days in [fromDay, toDay). Opens are counted on the day they were seen, so a day's snapshot
 * never uses an open that had not happened yet.
 */
export async function dailyEngagement(pool: Pool, fromDay: number, toDay: number): Promise<DailyEngagement[]> {
  const { rows } = await pool.query<{
    creator_id: number;
    channel: Channel;
    day: number;
    sends: number;
    opens: number;
  }>(
    `select creator_id, channel, day, sum(sends)::int as sends, sum(opens)::int as opens
       from (select e.creator_id, v.channel, floor(extract(epoch from v.started_at) / 86400)::int as day,
                    count(*) as sends, 0 as opens
               from deliveries v
               join decisions d on d.id = v.decision_id
               join creator_events e on e.id = d.event_id
              where v.status = 'sent' and v.started_at >= $1::timestamptz and v.started_at < $2::timestamptz
              group by 1, 2, 3
             union all
             select e.creator_id, g.channel, floor(extract(epoch from g.occurred_at) / 86400)::int, 0, count(*)
               from engagement_events g
               join creator_events e on e.id = g.event_id
              where g.kind = 'open' and g.occurred_at >= $1::timestamptz and g.occurred_at < $2::timestamptz
              group by 1, 2, 3) t
      group by 1, 2, 3`,
    [new Date(fromDay * DAY_MS), new Date(toDay * DAY_MS)],
  );
  return rows.map((r) => ({
    creatorId: Number(r.creator_id),
    channel: r.channel,
    day: r.day,
    sends: r.sends,
    opens: r.opens,
  }));
}
