// Console fatigue figures: the cap rules that bound, alerts per fan per day, decisions by creator and by segment, read
// from the counts the log's triggers keep (migrations/0010_console_counts.sql); db/console-recount.ts counts the same
// from the log itself.
import type { AlertsPerFanDay, BindingRule, CreatorVolume, FatigueSegment, SegmentVolume } from '../wire/fatigue.ts';
import type { Pool } from './pool.ts';

/** Decisions made in [from, to), all of them and per binding rule named in the reason's detail, most frequent first. */
export async function bindingRules(
  pool: Pool,
  from: Date,
  to: Date,
): Promise<{ decisions: number; rules: BindingRule[] }> {
  const r = await pool.query(
    `select rule, reason, sum(n)::int as count
     from decision_counts
     where bucket >= $1::timestamptz and bucket < $2::timestamptz
       and reason in ('digest_cap_reached', 'digest_slot_reserved_for_better', 'digest_min_gap')
     group by 1, 2
     having sum(n) > 0
     order by 3 desc, 1, 2`,
    [from, to],
  );
  const all = await pool.query(
    `select coalesce(sum(n), 0)::int as n from decision_counts
     where bucket >= $1::timestamptz and bucket < $2::timestamptz`,
    [from, to],
  );
  return { decisions: all.rows[0].n, rules: r.rows.map(bindingRuleOf) };
}

export const bindingRuleOf = (row: { rule: string | null; reason: BindingRule['reason']; count: number }) => ({
  rule: row.rule ?? '(unnamed)',
  reason: row.reason,
  count: row.count,
});

/**
 * The histogram from its SQL rows (alerts 1 to 5 and their fan-days) and the live fan-days of the same days: every
 * bucket 0 to 5, 0 being the live fan-days without an alert.
 */
export function alertsHistogram(
  alerted: { alerts: number; fanDays: number }[],
  liveFanDays: number,
): AlertsPerFanDay[] {
  const counts = [0, 0, 0, 0, 0, 0];
  for (const { alerts, fanDays } of alerted) counts[alerts] += fanDays;
  counts[0] = liveFanDays - counts.reduce((a, b) => a + b, 0);
  return counts.map((fanDays, alerts) => ({ alerts, fanDays }));
}

/**
 * For the days `firstDay` to `lastDay` (YYYY-MM-DD), each day in each fan's own time zone: fan-days (a fan with a
 * membership live some time that day) by the alerts sent to the fan that day, 0 to 5, 5 meaning five or more. Every
 * bucket is present. Fan-days with alerts come from alerts_per_fan_day; the live fan-days from fan_membership_days,
 * each fan's runs of days with a live membership, kept by the memberships' triggers.
 */
export async function alertsPerFanDay(pool: Pool, firstDay: string, lastDay: string): Promise<AlertsPerFanDay[]> {
  const [alerted, live] = await Promise.all([
    pool.query(
      `select alerts, sum(fan_days)::int as fan_days from alerts_per_fan_day
       where day >= $1::date and day <= $2::date group by 1 having sum(fan_days) <> 0`,
      [firstDay, lastDay],
    ),
    pool.query(
      `select coalesce(sum(least(last, $2::date) - greatest(first, $1::date) + 1), 0)::int as fan_days
       from fan_membership_days where first <= $2::date and last >= $1::date`,
      [firstDay, lastDay],
    ),
  ]);
  return alertsHistogram(
    alerted.rows.map((row) => ({ alerts: row.alerts, fanDays: row.fan_days })),
    live.rows[0].fan_days,
  );
}

export const creatorVolumeOf = (row: {
  creator_id: string | number;
  handle: string;
  display_name: string;
  alerts: number;
  digests: number;
  suppressions: number;
}): CreatorVolume => ({
  creatorId: Number(row.creator_id),
  handle: row.handle,
  displayName: row.display_name,
  alerts: row.alerts,
  digests: row.digests,
  suppressions: row.suppressions,
});

/** The creators' part shared with the recount: `per_event` (event_id, alerts, digests, suppressions) by creator. */
export const CREATORS_OF_EVENTS = `
     select c.id as creator_id, c.handle, c.display_name,
            sum(p.alerts)::int as alerts, sum(p.digests)::int as digests, sum(p.suppressions)::int as suppressions
     from per_event p
     join creator_events e on e.id = p.event_id
     join creators c on c.id = e.creator_id
     group by c.id
     order by alerts desc, c.handle
     limit 50`;

/** Decisions made in [from, to) by the event's creator and action, the 50 creators with most alerts. */
export async function creatorVolumes(pool: Pool, from: Date, to: Date): Promise<CreatorVolume[]> {
  const r = await pool.query(
    `with per_event as (
       select event_id,
              coalesce(sum(n) filter (where action = 'alert'), 0) as alerts,
              coalesce(sum(n) filter (where action = 'digest'), 0) as digests,
              coalesce(sum(n) filter (where action = 'suppress'), 0) as suppressions
       from decision_counts
       where bucket >= $1::timestamptz and bucket < $2::timestamptz
       group by event_id
       having sum(n) > 0
     )${CREATORS_OF_EVENTS}`,
    [from, to],
  );
  return r.rows.map(creatorVolumeOf);
}

/**
 * Each segment's population in [from, to): fans with a membership live some time in it, by membership kind (none:
 * fans with no live membership), by the channels they can be reached on now (email: an address not marked
 * undeliverable; push: an active subscription), or by locale.
 */
export async function segmentPopulations(
  pool: Pool,
  from: Date,
  to: Date,
  segment: FatigueSegment,
): Promise<Map<string, number>> {
  // Grouped rather than count(distinct): hash aggregates over the ~190,000 memberships instead of a sort.
  const isLive = 'm.started_at < $2::timestamptz and (m.ended_at is null or m.ended_at > $1::timestamptz)';
  const live = `live_fans as (select m.fan_id from memberships m where ${isLive} group by 1)`;
  const sql = {
    membership: `with live as (select m.fan_id, m.kind from memberships m where ${isLive} group by 1, 2)
       select kind as segment, count(*)::int as fans from live group by 1
       union all
       select 'none', count(*)::int from fans f where f.id not in (select fan_id from live)`,
    channel: `with ${live}
       select 'email' as segment, count(*)::int as fans
       from fans f join live_fans l on l.fan_id = f.id where f.email_status = 'active'
       union all
       select 'push', count(*)::int from live_fans l
       where l.fan_id in (select p.fan_id from push_subscriptions p where p.status = 'active')`,
    locale: `with ${live}
       select f.locale as segment, count(*)::int as fans from fans f join live_fans l on l.fan_id = f.id group by 1`,
  }[segment];
  const r = await pool.query(sql, [from, to]);
  return new Map(r.rows.map((row) => [row.segment, row.fans]));
}

/**
 * Decisions made in [from, to) by segment and action, each with its population (segmentPopulations): `membership`
 * is the fan's membership kind with the event's creator when the decision was made (free or paid; none without
 * one), `channel` the decision's, `locale` the fan's then.
 */
export async function segmentVolumes(
  pool: Pool,
  from: Date,
  to: Date,
  segment: FatigueSegment,
): Promise<SegmentVolume[]> {
  const [r, populations] = await Promise.all([
    pool.query(
      `select case $3::text when 'membership' then membership when 'channel' then channel else locale end as segment,
              coalesce(sum(n) filter (where action = 'alert'), 0)::int as alerts,
              coalesce(sum(n) filter (where action = 'digest'), 0)::int as digests,
              coalesce(sum(n) filter (where action = 'suppress'), 0)::int as suppressions
       from segment_counts
       where bucket >= $1::timestamptz and bucket < $2::timestamptz
       group by 1
       having sum(n) > 0
       order by alerts desc, 1`,
      [from, to, segment],
    ),
    segmentPopulations(pool, from, to, segment),
  ]);
  return r.rows.map((row) => ({
    segment: row.segment,
    fans: populations.get(row.segment) ?? 0,
    alerts: row.alerts,
    digests: row.digests,
    suppressions: row.suppressions,
  }));
}
