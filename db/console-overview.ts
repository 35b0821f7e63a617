// Console overview numbers per UTC day, channel and kind: sends, opens, unsubscribes, digests and suppression reasons.
import type { OverviewRow, ReasonCount } from '../wire/overview.ts';
import type { Pool } from './pool.ts';

export async function overviewSeries(pool: Pool, from: Date, to: Date): Promise<OverviewRow[]> {
  const r = await pool.query(
    `with sent as (
       select date_trunc('day', dl.finished_at at time zone 'utc') as day, d.channel, e.kind,
              count(*)::int as sends,
              count(*) filter (where exists (
                select 1 from engagement_events g where g.decision_id = d.id and g.kind = 'open'))::int as opened
       from deliveries dl
       join decisions d on d.id = dl.decision_id
       join creator_events e on e.id = d.event_id
       where dl.status = 'sent' and dl.finished_at >= $1::timestamptz and dl.finished_at < $2::timestamptz
       group by 1, 2, 3
     ),
     unsubscribed as (
       select date_trunc('day', g.occurred_at at time zone 'utc') as day, coalesce(g.channel, 'email') as channel,
              e.kind, count(*)::int as unsubscribes
       from engagement_events g
       join creator_events e on e.id = g.event_id
       where g.kind = 'unsubscribe' and g.occurred_at >= $1::timestamptz and g.occurred_at < $2::timestamptz
       group by 1, 2, 3
     ),
     digested as (
       select date_trunc('day', d.decided_at at time zone 'utc') as day, d.channel, e.kind, count(*)::int as digests
       from decisions d
       join creator_events e on e.id = d.event_id
       where d.action = 'digest' and d.decided_at >= $1::timestamptz and d.decided_at < $2::timestamptz
       group by 1, 2, 3
     )
     select to_char(day, 'YYYY-MM-DD') as day, channel, kind,
            coalesce(s.sends, 0) as sends, coalesce(s.opened, 0) as opened,
            coalesce(u.unsubscribes, 0) as unsubscribes, coalesce(g.digests, 0) as digests
     from sent s
     full join unsubscribed u using (day, channel, kind)
     full join digested g using (day, channel, kind)
     order by 1, 2, 3`,
    [from, to],
  );
  // Field by field, so that a renamed wire field fails to compile here instead of leaving the SQL's name on the wire.
  return r.rows.map((row) => ({
    day: row.day,
    channel: row.channel,
    kind: row.kind,
    sends: row.sends,
    opened: row.opened,
    unsubscribes: row.unsubscribes,
    digests: row.digests,
  }));
}

/** Why decisions in the window went to the digest or were suppressed, most frequent first. */
export async function reasonCounts(pool: Pool, from: Date, to: Date): Promise<ReasonCount[]> {
  const r = await pool.query(
    `select action, reason, count(*)::int as count
     from decisions
     where action in ('digest', 'suppress') and decided_at >= $1::timestamptz and decided_at < $2::timestamptz
     group by action, reason
     order by count desc, action, reason`,
    [from, to],
  );
  return r.rows.map((row) => ({ action: row.action, reason: row.reason, count: row.count }));
}
