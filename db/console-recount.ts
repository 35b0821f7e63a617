// The console's overview and fatigue figures counted from the log itself (decisions, deliveries, engagement_events),
// the exact answers the kept counts of db/console-overview.ts and db/console-fatigue.ts must equal. Seconds to tens of
// seconds on a large log: for tests and checks, never for a page.
import type { AlertsPerFanDay, BindingRule, CreatorVolume, FatigueSegment, SegmentVolume } from '../wire/fatigue.ts';
import { FATIGUE_SEGMENTS } from '../wire/fatigue.ts';
import type { Headline, OverviewRow, ReasonCount } from '../wire/overview.ts';
import {
  alertsHistogram,
  alertsPerFanDay,
  bindingRuleOf,
  bindingRules,
  CREATORS_OF_EVENTS,
  creatorVolumeOf,
  creatorVolumes,
  segmentPopulations,
  segmentVolumes,
} from './console-fatigue.ts';
import {
  headlineOf,
  LIVE_FANS,
  OVERVIEW_BY_KIND,
  overviewHeadline,
  overviewRowOf,
  overviewSeries,
  reasonCounts,
} from './console-overview.ts';
import type { Pool } from './pool.ts';

/** overviewSeries counted from the log. */
export async function recountOverviewSeries(pool: Pool, from: Date, to: Date, zone: string): Promise<OverviewRow[]> {
  const r = await pool.query(
    // An open is at most one row per decision (engagement_events_once), so the left join counts each sent delivery's
    // decision once.
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
     ),${OVERVIEW_BY_KIND}`,
    [from, to, zone],
  );
  return r.rows.map(overviewRowOf);
}

/** reasonCounts counted from the log. */
export async function recountReasons(pool: Pool, from: Date, to: Date): Promise<ReasonCount[]> {
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

/** overviewHeadline counted from the log. */
export async function recountHeadline(pool: Pool, from: Date, to: Date, days: number): Promise<Headline> {
  const r = await pool.query(
    `with sent as (
       select count(*)::int as sends, count(o.decision_id)::int as opened, count(c.decision_id)::int as clicked
       from deliveries dl
       left join engagement_events o on o.decision_id = dl.decision_id and o.kind = 'open'
       left join engagement_events c on c.decision_id = dl.decision_id and c.kind = 'click'
       where dl.status = 'sent' and dl.finished_at >= $1::timestamptz and dl.finished_at < $2::timestamptz
     )
     select ${LIVE_FANS} as fans, sent.sends, sent.opened, sent.clicked,
       (select count(*)::int from engagement_events g
        where g.kind = 'unsubscribe' and g.occurred_at >= $1::timestamptz and g.occurred_at < $2::timestamptz
       ) as unsubscribes
     from sent`,
    [from, to],
  );
  return headlineOf(r.rows[0], days);
}

/** bindingRules counted from the log. */
export async function recountBindingRules(
  pool: Pool,
  from: Date,
  to: Date,
): Promise<{ decisions: number; rules: BindingRule[] }> {
  const r = await pool.query(
    `select coalesce(reason_detail->'cap'->>'name', reason_detail->'gap'->>'name') as rule, reason,
            count(*)::int as count
     from decisions
     where decided_at >= $1::timestamptz and decided_at < $2::timestamptz
       and reason in ('digest_cap_reached', 'digest_slot_reserved_for_better', 'digest_min_gap')
     group by 1, 2
     order by 3 desc, 1, 2`,
    [from, to],
  );
  const all = await pool.query(
    `select count(*)::int as n from decisions where decided_at >= $1::timestamptz and decided_at < $2::timestamptz`,
    [from, to],
  );
  return { decisions: all.rows[0].n, rules: r.rows.map(bindingRuleOf) };
}

/**
 * alertsPerFanDay counted from the log, day by day in each fan's zone: live fan-days, and alerts per fan and day of
 * send_at.
 */
export async function recountAlertsPerFanDay(
  pool: Pool,
  firstDay: string,
  lastDay: string,
): Promise<AlertsPerFanDay[]> {
  const alerted = await pool.query(
    `select least(n, 5) as alerts, count(*)::int as fan_days
     from (
       select d.fan_id, (d.send_at at time zone f.time_zone)::date as day, count(*) as n
       from decisions d join fans f on f.id = d.fan_id
       where d.action = 'alert'
       group by 1, 2
     ) a
     where day >= $1::date and day <= $2::date
     group by 1`,
    [firstDay, lastDay],
  );
  const live = await pool.query(
    `select count(*)::int as fan_days
     from generate_series($1::date, $2::date, interval '1 day') as g(d)
     cross join fans f
     where exists (
       select 1 from memberships m
       where m.fan_id = f.id and m.started_at < ((g.d + interval '1 day')::timestamp at time zone f.time_zone)
         and (m.ended_at is null or m.ended_at > (g.d::timestamp at time zone f.time_zone))
     )`,
    [firstDay, lastDay],
  );
  return alertsHistogram(
    alerted.rows.map((row) => ({ alerts: row.alerts, fanDays: row.fan_days })),
    live.rows[0].fan_days,
  );
}

/** creatorVolumes counted from the log. */
export async function recountCreatorVolumes(pool: Pool, from: Date, to: Date): Promise<CreatorVolume[]> {
  const r = await pool.query(
    `with per_event as (
       select d.event_id,
              count(*) filter (where d.action = 'alert') as alerts,
              count(*) filter (where d.action = 'digest') as digests,
              count(*) filter (where d.action = 'suppress') as suppressions
       from decisions d
       where d.decided_at >= $1::timestamptz and d.decided_at < $2::timestamptz
       group by d.event_id
     )${CREATORS_OF_EVENTS}`,
    [from, to],
  );
  return r.rows.map(creatorVolumeOf);
}

/** segmentVolumes counted from the log, with the fan's membership and locale as they are now. */
export async function recountSegmentVolumes(
  pool: Pool,
  from: Date,
  to: Date,
  segment: FatigueSegment,
): Promise<SegmentVolume[]> {
  const r = await pool.query(
    `select case $3::text
              when 'membership' then coalesce(m.kind, 'none')
              when 'channel' then d.channel
              else f.locale
            end as segment,
            count(*) filter (where d.action = 'alert')::int as alerts,
            count(*) filter (where d.action = 'digest')::int as digests,
            count(*) filter (where d.action = 'suppress')::int as suppressions
     from decisions d
     join creator_events e on e.id = d.event_id
     join fans f on f.id = d.fan_id
     left join memberships m on m.fan_id = d.fan_id and m.creator_id = e.creator_id
     where d.decided_at >= $1::timestamptz and d.decided_at < $2::timestamptz
     group by 1
     order by alerts desc, 1`,
    [from, to, segment],
  );
  const populations = await segmentPopulations(pool, from, to, segment);
  return r.rows.map((row) => ({
    segment: row.segment,
    fans: populations.get(row.segment) ?? 0,
    alerts: row.alerts,
    digests: row.digests,
    suppressions: row.suppressions,
  }));
}

/** One console read from the kept counts and the same counted from the log, which must answer alike. */
export interface ConsoleReadPair {
  read: string;
  kept: () => Promise<unknown>;
  recount: () => Promise<unknown>;
}

/**
 * Every read of the overview and fatigue pages for a period: instants [start, end) of `days` days in `zone`, and the
 * whole days firstDay..lastDay the histogram covers (none: no histogram).
 */
export function consoleReadPairs(
  pool: Pool,
  p: { start: Date; end: Date; zone: string; days: number; firstDay?: string; lastDay?: string },
): ConsoleReadPair[] {
  const { start, end, zone, days, firstDay, lastDay } = p;
  const pairs: ConsoleReadPair[] = [
    {
      read: 'overviewSeries',
      kept: () => overviewSeries(pool, start, end, zone),
      recount: () => recountOverviewSeries(pool, start, end, zone),
    },
    {
      read: 'overviewHeadline',
      kept: () => overviewHeadline(pool, start, end, days),
      recount: () => recountHeadline(pool, start, end, days),
    },
    {
      read: 'reasonCounts',
      kept: () => reasonCounts(pool, start, end),
      recount: () => recountReasons(pool, start, end),
    },
    {
      read: 'bindingRules',
      kept: () => bindingRules(pool, start, end),
      recount: () => recountBindingRules(pool, start, end),
    },
    {
      read: 'creatorVolumes',
      kept: () => creatorVolumes(pool, start, end),
      recount: () => recountCreatorVolumes(pool, start, end),
    },
    ...FATIGUE_SEGMENTS.map((segment) => ({
      read: `segmentVolumes ${segment}`,
      kept: () => segmentVolumes(pool, start, end, segment),
      recount: () => recountSegmentVolumes(pool, start, end, segment),
    })),
  ];
  if (firstDay !== undefined && lastDay !== undefined)
    pairs.push({
      read: 'alertsPerFanDay',
      kept: () => alertsPerFanDay(pool, firstDay, lastDay),
      recount: () => recountAlertsPerFanDay(pool, firstDay, lastDay),
    });
  return pairs;
}
