// Console fatigue figures: the cap rules that bound, alerts per fan per day, decisions by creator and by segment.
import type { AlertsPerFanDay, BindingRule, CreatorVolume, FatigueSegment, SegmentVolume } from '../wire/fatigue.ts';
import type { Pool } from './pool.ts';

/** Decisions made in [from, to), all of them and per binding rule named in the reason's detail, most frequent first. */
export async function bindingRules(
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
  return {
    decisions: all.rows[0].n,
    rules: r.rows.map((row) => ({ rule: row.rule ?? '(unnamed)', reason: row.reason, count: row.count })),
  };
}

/**
 * For the days `firstDay` to `lastDay` (YYYY-MM-DD) in `zone`: fan-days (a fan with a membership live some time that
 * day) by the alerts sent to the fan that day, 0 to 5, 5 meaning five or more. Every bucket is present.
 */
export async function alertsPerFanDay(
  pool: Pool,
  firstDay: string,
  lastDay: string,
  zone: string,
): Promise<AlertsPerFanDay[]> {
  const r = await pool.query(
    `with days as (
       select d::date as day, (d::timestamp at time zone $3) as starts,
              ((d + interval '1 day')::timestamp at time zone $3) as ends
       from generate_series($1::date, $2::date, interval '1 day') d
     ),
     fan_days as (
       select distinct days.day, m.fan_id
       from days
       join memberships m on m.started_at < days.ends and (m.ended_at is null or m.ended_at > days.starts)
     ),
     alerted as (
       select (d.send_at at time zone $3)::date as day, d.fan_id, count(*)::int as n
       from decisions d
       where d.action = 'alert'
         and d.send_at >= ($1::date::timestamp at time zone $3)
         and d.send_at < (($2::date + 1)::timestamp at time zone $3)
       group by 1, 2
     )
     select b.alerts, count(f.fan_id)::int as fan_days
     from generate_series(0, 5) b(alerts)
     left join (fan_days f left join alerted a using (day, fan_id)) on least(coalesce(a.n, 0), 5) = b.alerts
     group by 1
     order by 1`,
    [firstDay, lastDay, zone],
  );
  return r.rows.map((row) => ({ alerts: row.alerts, fanDays: row.fan_days }));
}

/** Decisions made in [from, to) by the event's creator and action, the 50 creators with most alerts. */
export async function creatorVolumes(pool: Pool, from: Date, to: Date): Promise<CreatorVolume[]> {
  const r = await pool.query(
    // Counted per event first, then summed per creator: no row of the log is joined to its event.
    `with per_event as (
       select d.event_id,
              count(*) filter (where d.action = 'alert') as alerts,
              count(*) filter (where d.action = 'digest') as digests,
              count(*) filter (where d.action = 'suppress') as suppressions
       from decisions d
       where d.decided_at >= $1::timestamptz and d.decided_at < $2::timestamptz
       group by d.event_id
     )
     select c.id as creator_id, c.handle, c.display_name,
            sum(p.alerts)::int as alerts, sum(p.digests)::int as digests, sum(p.suppressions)::int as suppressions
     from per_event p
     join creator_events e on e.id = p.event_id
     join creators c on c.id = e.creator_id
     group by c.id
     order by alerts desc, c.handle
     limit 50`,
    [from, to],
  );
  return r.rows.map((row) => ({
    creatorId: Number(row.creator_id),
    handle: row.handle,
    displayName: row.display_name,
    alerts: row.alerts,
    digests: row.digests,
    suppressions: row.suppressions,
  }));
}

/**
 * Decisions made in [from, to) by segment and action, with the fans decided for: `membership` is the fan's membership
 * kind with the event's creator (free or paid; none without one), `channel` the decision's, `locale` the fan's.
 */
export async function segmentVolumes(
  pool: Pool,
  from: Date,
  to: Date,
  segment: FatigueSegment,
): Promise<SegmentVolume[]> {
  const r = await pool.query(
    // Counted per fan, creator and channel first (a fan hears from a few creators), then joined to the membership
    // and the fan: no row of the log is joined to more than its event.
    `with per_fan as (
       select d.fan_id, e.creator_id, d.channel,
              count(*) filter (where d.action = 'alert') as alerts,
              count(*) filter (where d.action = 'digest') as digests,
              count(*) filter (where d.action = 'suppress') as suppressions
       from decisions d
       join creator_events e on e.id = d.event_id
       where d.decided_at >= $1::timestamptz and d.decided_at < $2::timestamptz
       group by 1, 2, 3
     )
     select case $3::text
              when 'membership' then coalesce(m.kind, 'none')
              when 'channel' then p.channel
              else f.locale
            end as segment,
            count(distinct p.fan_id)::int as fans,
            sum(p.alerts)::int as alerts,
            sum(p.digests)::int as digests,
            sum(p.suppressions)::int as suppressions
     from per_fan p
     join fans f on f.id = p.fan_id
     left join memberships m on m.fan_id = p.fan_id and m.creator_id = p.creator_id
     group by 1
     order by alerts desc, 1`,
    [from, to, segment],
  );
  return r.rows.map((row) => ({
    segment: row.segment,
    fans: row.fans,
    alerts: row.alerts,
    digests: row.digests,
    suppressions: row.suppressions,
  }));
}
