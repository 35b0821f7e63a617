// The console's creator view: recent events, and one event's reach by channel, scheduled sends over time and opens.
import type { EventListItem, EventOutcome } from '../wire/events.ts';
import type { Pool } from './pool.ts';

export async function listRecentEvents(pool: Pool, limit: number): Promise<EventListItem[]> {
  const r = await pool.query(
    `select e.id, e.creator_id, c.handle, e.kind, e.title, e.created_at,
            (select count(*)::int from decisions d where d.event_id = e.id) as decisions
     from creator_events e join creators c on c.id = e.creator_id
     order by e.created_at desc, e.id desc
     limit $1::int`,
    [limit],
  );
  return r.rows.map((row) => ({
    id: row.id,
    creatorId: row.creator_id,
    creatorHandle: row.handle,
    kind: row.kind,
    title: row.title,
    createdAt: row.created_at.toISOString(),
    decisions: row.decisions,
  }));
}

export async function eventReport(pool: Pool, eventId: number): Promise<EventOutcome> {
  const opened = `exists (select 1 from engagement_events g where g.decision_id = d.id and g.kind = 'open')`;
  const [reach, schedule, opens] = await Promise.all([
    pool.query(
      `select d.channel, count(*)::int as decisions,
              count(*) filter (where d.action = 'alert')::int as alerts,
              count(*) filter (where d.action = 'digest')::int as digests,
              count(*) filter (where d.action = 'suppress')::int as suppressed,
              count(dl.id) filter (where dl.status = 'sent')::int as sent,
              count(*) filter (where ${opened})::int as opened
       from decisions d left join deliveries dl on dl.decision_id = d.id and dl.channel = d.channel
       where d.event_id = $1::bigint
       group by d.channel order by d.channel`,
      [eventId],
    ),
    pool.query(
      `select to_char(date_trunc('hour', d.send_at at time zone 'utc'), 'YYYY-MM-DD"T"HH24:00:00"Z"') as hour,
              count(*)::int as scheduled,
              count(dl.id) filter (where dl.status = 'sent')::int as sent,
              count(*) filter (where ${opened})::int as opened
       from decisions d left join deliveries dl on dl.decision_id = d.id and dl.channel = d.channel
       where d.event_id = $1::bigint and d.action = 'alert'
       group by 1 order by 1`,
      [eventId],
    ),
    pool.query(
      `select to_char(date_trunc('hour', g.occurred_at at time zone 'utc'), 'YYYY-MM-DD"T"HH24:00:00"Z"') as hour,
              count(*)::int as opens
       from engagement_events g where g.event_id = $1::bigint and g.kind = 'open'
       group by 1 order by 1`,
      [eventId],
    ),
  ]);
  // Field by field, so that a renamed wire field fails to compile here instead of leaving the SQL's name on the wire.
  return {
    reach: reach.rows.map((r) => ({
      channel: r.channel,
      decisions: r.decisions,
      alerts: r.alerts,
      digests: r.digests,
      suppressed: r.suppressed,
      sent: r.sent,
      opened: r.opened,
    })),
    schedule: schedule.rows.map((r) => ({ hour: r.hour, scheduled: r.scheduled, sent: r.sent, opened: r.opened })),
    opens: opens.rows.map((r) => ({ hour: r.hour, opens: r.opens })),
  };
}
