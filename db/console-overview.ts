// Console overview numbers per day (in a zone), channel and kind, the period's headline figures, and held reasons.
import type { Headline, OverviewRow, ReasonCount } from '../wire/overview.ts';
import type { Pool } from './pool.ts';

/** Per day in `zone` (an IANA name the caller checked), channel and kind, for instants in [from, to). */
export async function overviewSeries(pool: Pool, from: Date, to: Date, zone: string): Promise<OverviewRow[]> {
  const r = await pool.query(
    // Each part is counted per event first and joined to the events (a few thousand) after, so no row of the log is
    // joined to its event; days are dates until the few groups are formatted. An open is at most one row per decision
    // (engagement_events_once), so the left join counts each sent delivery's decision once.
    `with sent as (
       select (dl.finished_at at time zone $3)::date as day, d.channel, d.event_id,
              count(*)::int as sends, count(o.decision_id)::int as opened
       from deliveries dl
       join decisions d on d.id = dl.decision_id
       left join engagement_events o on o.decision_id = d.id and o.kind = 'open'
       where dl.status = 'sent' and dl.finished_at >= $1::timestamptz and dl.finished_at < $2::timestamptz
       group by 1, 2, 3
     ),
     unsubscribed as (
       select (g.occurred_at at time zone $3)::date as day, coalesce(g.channel, 'email') as channel, g.event_id,
              count(*)::int as unsubscribes
       from engagement_events g
       where g.kind = 'unsubscribe' and g.occurred_at >= $1::timestamptz and g.occurred_at < $2::timestamptz
       group by 1, 2, 3
     ),
     digested as (
       select (d.decided_at at time zone $3)::date as day, d.channel, d.event_id, count(*)::int as digests
       from decisions d
       where d.action = 'digest' and d.decided_at >= $1::timestamptz and d.decided_at < $2::timestamptz
       group by 1, 2, 3
     ),
     by_kind as (
       select s.day, s.channel, e.kind, sum(s.sends)::int as sends, sum(s.opened)::int as opened,
              null::int as unsubscribes, null::int as digests
       from sent s join creator_events e on e.id = s.event_id group by 1, 2, 3
       union all
       select u.day, u.channel, e.kind, null, null, sum(u.unsubscribes)::int, null
       from unsubscribed u join creator_events e on e.id = u.event_id group by 1, 2, 3
       union all
       select g.day, g.channel, e.kind, null, null, null, sum(g.digests)::int
       from digested g join creator_events e on e.id = g.event_id group by 1, 2, 3
     )
     select to_char(day, 'YYYY-MM-DD') as day, channel, kind,
            coalesce(max(sends), 0) as sends, coalesce(max(opened), 0) as opened,
            coalesce(max(unsubscribes), 0) as unsubscribes, coalesce(max(digests), 0) as digests
     from by_kind
     group by day, channel, kind
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
    // Opens and clicks are at most one row per decision (engagement_events_once): left joins count each once.
    `with sent as (
       select count(*)::int as sends, count(o.decision_id)::int as opened, count(c.decision_id)::int as clicked
       from deliveries dl
       left join engagement_events o on o.decision_id = dl.decision_id and o.kind = 'open'
       left join engagement_events c on c.decision_id = dl.decision_id and c.kind = 'click'
       where dl.status = 'sent' and dl.finished_at >= $1::timestamptz and dl.finished_at < $2::timestamptz
     )
     select
       (select count(distinct m.fan_id)::int from memberships m
        where m.started_at < $2::timestamptz and (m.ended_at is null or m.ended_at > $1::timestamptz)) as fans,
       sent.sends, sent.opened, sent.clicked,
       (select count(*)::int from engagement_events g
        where g.kind = 'unsubscribe' and g.occurred_at >= $1::timestamptz and g.occurred_at < $2::timestamptz
       ) as unsubscribes
     from sent`,
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
