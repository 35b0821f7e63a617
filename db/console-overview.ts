// Console overview numbers per day (in a zone), channel and kind, the period's headline figures, and held reasons.
import type { Headline, OverviewRow, ReasonCount } from '../wire/overview.ts';
import type { Pool } from './pool.ts';

/** Per day in `zone` (an IANA name the caller checked), channel and kind, for instants in [from, to). */
export async function overviewSeries(pool: Pool, from: Date, to: Date, zone: string): Promise<OverviewRow[]> {
  const r = await pool.query(
    `with sent as (
       select to_char(dl.finished_at at time zone $3, 'YYYY-MM-DD') as day, d.channel, e.kind,
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
       select to_char(g.occurred_at at time zone $3, 'YYYY-MM-DD') as day, coalesce(g.channel, 'email') as channel,
              e.kind, count(*)::int as unsubscribes
       from engagement_events g
       join creator_events e on e.id = g.event_id
       where g.kind = 'unsubscribe' and g.occurred_at >= $1::timestamptz and g.occurred_at < $2::timestamptz
       group by 1, 2, 3
     ),
     digested as (
       select to_char(d.decided_at at time zone $3, 'YYYY-MM-DD') as day, d.channel, e.kind, count(*)::int as digests
       from decisions d
       join creator_events e on e.id = d.event_id
       where d.action = 'digest' and d.decided_at >= $1::timestamptz and d.decided_at < $2::timestamptz
       group by 1, 2, 3
     )
     select day, channel, kind,
            coalesce(s.sends, 0) as sends, coalesce(s.opened, 0) as opened,
            coalesce(u.unsubscribes, 0) as unsubscribes, coalesce(g.digests, 0) as digests
     from sent s
     full join unsubscribed u using (day, channel, kind)
     full join digested g using (day, channel, kind)
     order by 1, 2, 3`,
    [from, to, zone],
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

/** The headline figures of [from, to), a period of `days` days (see Headline in wire/overview.ts). */
export async function overviewHeadline(pool: Pool, from: Date, to: Date, days: number): Promise<Headline> {
  const r = await pool.query(
    `with sent as (
       select dl.decision_id
       from deliveries dl
       where dl.status = 'sent' and dl.finished_at >= $1::timestamptz and dl.finished_at < $2::timestamptz
     )
     select
       (select count(distinct m.fan_id)::int from memberships m
        where m.started_at < $2::timestamptz and (m.ended_at is null or m.ended_at > $1::timestamptz)) as fans,
       (select count(*)::int from sent) as sends,
       (select count(*)::int from sent s where exists (
          select 1 from engagement_events g where g.decision_id = s.decision_id and g.kind = 'open')) as opened,
       (select count(*)::int from sent s where exists (
          select 1 from engagement_events g where g.decision_id = s.decision_id and g.kind = 'click')) as clicked,
       (select count(*)::int from engagement_events g
        where g.kind = 'unsubscribe' and g.occurred_at >= $1::timestamptz and g.occurred_at < $2::timestamptz
       ) as unsubscribes`,
    [from, to],
  );
  const { fans, sends, opened, clicked, unsubscribes } = r.rows[0];
  const rate = (n: number) => (sends > 0 ? n / sends : null);
  return {
    fans,
    days,
    sends,
    opened,
    clicked,
    unsubscribes,
    sendsPerFanPerDay: fans > 0 && days > 0 ? sends / fans / days : null,
    openRate: rate(opened),
    clickRate: rate(clicked),
    unsubscribeRate: rate(unsubscribes),
  };
}
