// The console's creator view: recent events, and one event's reach by channel, scheduled sends over time and opens.
import type { CreatorTotals, EventListItem, EventOutcome } from '../wire/events.ts';
import type { Pool } from './pool.ts';

/** The latest events, newest first; with `creator`, only that creator's announced from `from` to before `to`. */
export async function listRecentEvents(
  pool: Pool,
  limit: number,
  creator?: { id: number; from: Date; to: Date },
): Promise<EventListItem[]> {
  const r = await pool.query(
    `select e.id, e.creator_id, c.handle, e.kind, e.title, e.created_at,
            (select count(*)::int from decisions d where d.event_id = e.id) as decisions
     from creator_events e join creators c on c.id = e.creator_id
     where $2::bigint is null
        or (e.creator_id = $2::bigint and e.created_at >= $3::timestamptz and e.created_at < $4::timestamptz)
     order by e.created_at desc, e.id desc
     limit $1::int`,
    [limit, creator?.id ?? null, creator?.from ?? null, creator?.to ?? null],
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

/**
 * One event's report. Reach (per channel) and schedule (per hour of send_at, alerts only: a decision has send_at
 * exactly when it is an alert) come from one pass over the event's decisions, each with its sent delivery on its
 * channel and its open (engagement_events_once) looked up by their unique indexes (a join would let the planner scan
 * every delivery); opens by hour read the event's opens alone (engagement_events_event_idx).
 */
export async function eventReport(pool: Pool, eventId: number): Promise<EventOutcome> {
  const [decided, opens] = await Promise.all([
    pool.query(
      `select grouping(x.channel) = 0 as by_channel, x.channel, x.hour, count(*)::int as decisions,
              count(*) filter (where x.action = 'alert')::int as alerts,
              count(*) filter (where x.action = 'digest')::int as digests,
              count(*) filter (where x.action = 'suppress')::int as suppressed,
              count(*) filter (where x.sent)::int as sent,
              count(*) filter (where x.opened)::int as opened
         from (select d.channel, d.action,
                      to_char(date_trunc('hour', d.send_at at time zone 'utc'), 'YYYY-MM-DD"T"HH24:00:00"Z"') as hour,
                      exists (select 1 from deliveries dl
                               where dl.decision_id = d.id and dl.channel = d.channel and dl.status = 'sent') as sent,
                      exists (select 1 from engagement_events g
                               where g.decision_id = d.id and g.kind = 'open') as opened
                 from decisions d
                where d.event_id = $1::bigint) x
        group by grouping sets ((x.channel), (x.hour))
        order by by_channel desc, x.channel, x.hour`,
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
  const reach = decided.rows.filter((r) => r.by_channel);
  const schedule = decided.rows.filter((r) => !r.by_channel && r.hour !== null);
  // Field by field, so that a renamed wire field fails to compile here instead of leaving the SQL's name on the wire.
  return {
    reach: reach.map((r) => ({
      channel: r.channel,
      decisions: r.decisions,
      alerts: r.alerts,
      digests: r.digests,
      suppressed: r.suppressed,
      sent: r.sent,
      opened: r.opened,
    })),
    schedule: schedule.map((r) => ({ hour: r.hour, scheduled: r.decisions, sent: r.sent, opened: r.opened })),
    opens: opens.rows.map((r) => ({ hour: r.hour, opens: r.opens })),
  };
}

/**
 * One creator's events announced from `from` to before `to`, and what their decisions came to, summed. The decisions
 * and sends come from the counts kept per event as they are written (`kept`: decision_counts and send_counts,
 * migrations 0010 and 0012), or from the log itself (`log`: the recount that checks them, db/console-recount.ts).
 */
export async function creatorTotals(
  pool: Pool,
  creatorId: number,
  from: Date,
  to: Date,
  source: 'kept' | 'log' = 'kept',
): Promise<CreatorTotals> {
  const events = `select id from creator_events
                   where creator_id = $1::bigint and created_at >= $2::timestamptz and created_at < $3::timestamptz`;
  const args = [creatorId, from, to];
  const decisions =
    source === 'kept'
      ? `select c.channel, sum(c.n)::int as decisions,
                coalesce(sum(c.n) filter (where c.action = 'alert'), 0)::int as alerts,
                coalesce(sum(c.n) filter (where c.action = 'digest'), 0)::int as digests,
                coalesce(sum(c.n) filter (where c.action = 'suppress'), 0)::int as suppressed
           from decision_counts c where c.event_id in (${events}) group by c.channel`
      : `select d.channel, count(*)::int as decisions,
                count(*) filter (where d.action = 'alert')::int as alerts,
                count(*) filter (where d.action = 'digest')::int as digests,
                count(*) filter (where d.action = 'suppress')::int as suppressed
           from decisions d where d.event_id in (${events}) group by d.channel`;
  const sends =
    source === 'kept'
      ? `select s.channel, sum(s.sends)::int as sent from send_counts s where s.event_id in (${events}) group by 1`
      : `select d.channel, count(*)::int as sent
           from decisions d join deliveries dl on dl.decision_id = d.id and dl.channel = d.channel
          where d.event_id in (${events}) and dl.status = 'sent' group by 1`;
  const [counts, decided, sent, engaged] = await Promise.all([
    pool.query(`select count(*)::int as events from (${events}) e`, args),
    pool.query(decisions, args),
    pool.query(sends, args),
    pool.query(
      `select g.kind, count(*)::int as n from engagement_events g where g.event_id in (${events}) group by g.kind`,
      args,
    ),
  ]);
  const totals: CreatorTotals = {
    events: counts.rows[0].events,
    decisions: 0,
    alerts: { email: 0, push: 0 },
    sent: { email: 0, push: 0 },
    digests: 0,
    suppressed: 0,
    opens: 0,
    clicks: 0,
    unsubscribes: 0,
  };
  for (const r of decided.rows) {
    const channel = r.channel as keyof CreatorTotals['alerts'];
    totals.decisions += r.decisions;
    totals.alerts[channel] = r.alerts;
    totals.digests += r.digests;
    totals.suppressed += r.suppressed;
  }
  for (const r of sent.rows) totals.sent[r.channel as keyof CreatorTotals['sent']] = r.sent;
  const engagement = new Map<string, number>(engaged.rows.map((r) => [r.kind, r.n]));
  totals.opens = engagement.get('open') ?? 0;
  totals.clicks = engagement.get('click') ?? 0;
  totals.unsubscribes = engagement.get('unsubscribe') ?? 0;
  return totals;
}
