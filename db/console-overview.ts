// Console overview numbers per day (in a zone), channel and kind, the period's headline figures, and held reasons,
// read from the counts the log's triggers keep per 15-minute bucket (migrations/0010_console_counts.sql). Periods
// start and end at a zone's midnight, which is always a bucket boundary. db/console-recount.ts counts the same from
// the log itself.
import type { Headline, OverviewRow, ReasonCount } from '../wire/overview.ts';
import type { Pool } from './pool.ts';

/** A row of the series' SQL as the wire has it, field by field: a renamed wire field fails to compile here. */
export const overviewRowOf = (row: OverviewRow): OverviewRow => ({
  day: row.day,
  channel: row.channel,
  kind: row.kind,
  sends: row.sends,
  opened: row.opened,
  unsubscribes: row.unsubscribes,
  digests: row.digests,
});

/**
 * The series' last step, shared with the recount: `sent`, `unsubscribed` and `digested` (day, channel, event_id and
 * their counts) joined to the events (a few thousand) and grouped by day, channel and kind.
 */
export const OVERVIEW_BY_KIND = `
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
     order by 1, 2, 3`;

/** Per day in `zone` (an IANA name the caller checked), channel and kind, for instants in [from, to). */
export async function overviewSeries(pool: Pool, from: Date, to: Date, zone: string): Promise<OverviewRow[]> {
  const r = await pool.query(
    `with sent as (
       select (bucket at time zone $3)::date as day, channel, event_id,
              sum(sends)::int as sends, sum(opened)::int as opened
       from send_counts
       where bucket >= $1::timestamptz and bucket < $2::timestamptz
       group by 1, 2, 3
       having sum(sends) > 0
     ),
     unsubscribed as (
       select (bucket at time zone $3)::date as day, channel, event_id, sum(n)::int as unsubscribes
       from unsubscribe_counts
       where bucket >= $1::timestamptz and bucket < $2::timestamptz and event_id is not null
       group by 1, 2, 3
       having sum(n) > 0
     ),
     digested as (
       select (bucket at time zone $3)::date as day, channel, event_id, sum(n)::int as digests
       from decision_counts
       where action = 'digest' and bucket >= $1::timestamptz and bucket < $2::timestamptz
       group by 1, 2, 3
       having sum(n) > 0
     ),${OVERVIEW_BY_KIND}`,
    [from, to, zone],
  );
  return r.rows.map(overviewRowOf);
}

/** Why decisions in the window went to the digest or were suppressed, most frequent first. */
export async function reasonCounts(pool: Pool, from: Date, to: Date): Promise<ReasonCount[]> {
  const r = await pool.query(
    `select action, reason, sum(n)::int as count
     from decision_counts
     where action in ('digest', 'suppress') and bucket >= $1::timestamptz and bucket < $2::timestamptz
     group by action, reason
     having sum(n) > 0
     order by count desc, action, reason`,
    [from, to],
  );
  return r.rows.map((row) => ({ action: row.action, reason: row.reason, count: row.count }));
}

/** The headline of `days` days from its SQL row (fans, sends, opened, clicked, unsubscribes). */
export function headlineOf(
  row: Pick<Headline, 'fans' | 'sends' | 'opened' | 'clicked' | 'unsubscribes'>,
  days: number,
): Headline {
  const { fans, sends, opened, clicked, unsubscribes } = row;
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

/** Fans with a membership live at some time in [$1, $2): the headline's `fans`, read from memberships. */
export const LIVE_FANS = `(select count(*)::int from (select m.fan_id from memberships m
        where m.started_at < $2::timestamptz and (m.ended_at is null or m.ended_at > $1::timestamptz)
        group by 1) live)`;

/** The headline figures of [from, to), a period of `days` days (see Headline in wire/overview.ts). */
export async function overviewHeadline(pool: Pool, from: Date, to: Date, days: number): Promise<Headline> {
  const r = await pool.query(
    `select ${LIVE_FANS} as fans,
       coalesce(sum(sends), 0)::int as sends, coalesce(sum(opened), 0)::int as opened,
       coalesce(sum(clicked), 0)::int as clicked,
       (select coalesce(sum(n), 0)::int from unsubscribe_counts
        where bucket >= $1::timestamptz and bucket < $2::timestamptz) as unsubscribes
     from send_counts
     where bucket >= $1::timestamptz and bucket < $2::timestamptz`,
    [from, to],
  );
  return headlineOf(r.rows[0], days);
}

/** Folds the console counts' delta rows of buckets before `before` into one row per group; the rows removed. */
export async function compactConsoleCounts(pool: Pool, before: Date): Promise<number> {
  const r = await pool.query('select compact_console_counts($1::timestamptz)::int as removed', [before]);
  return r.rows[0].removed;
}

/** Rows in each of the console's count tables named (for benchmarks and operators). */
export async function countRows(pool: Pool, tables: readonly string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of tables) {
    if (!COUNT_TABLES.includes(table)) throw new Error(`not a console count table: ${table}`);
    const r = await pool.query(`select count(*)::int as n from ${table}`);
    out[table] = r.rows[0].n;
  }
  return out;
}

/** The tables the log's triggers keep for the console (migrations/0010_console_counts.sql). */
export const COUNT_TABLES: readonly string[] = [
  'decision_counts',
  'send_counts',
  'unsubscribe_counts',
  'segment_counts',
  'fan_day_alerts',
  'alerts_per_fan_day',
  'fan_membership_days',
];
