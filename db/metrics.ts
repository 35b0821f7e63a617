// The queries behind the Prometheus metrics that are read from the log: the due backlog and events' first sends.
import type { Pool } from './pool.ts';

/** Alert decisions due and not yet settled, in the window the gauge looks back over. */
export interface DueBacklog {
  count: number;
  /** The earliest send time among them, or null when there are none. */
  oldestSendAt: Date | null;
}

/**
 * Counts the alert decisions due (send time in [since, now]) with no settled delivery, as `dueDecisionIds` sees them,
 * under a statement timeout so that a slow database makes a scrape fail fast rather than hang.
 */
export async function dueBacklog(pool: Pool, since: Date, now: Date, timeoutMs: number): Promise<DueBacklog> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query(`select set_config('statement_timeout', $1::text, true)`, [String(timeoutMs)]);
    const r = await client.query(
      `select count(*)::int as count, min(d.send_at) as oldest
         from decisions d
        where d.action = 'alert' and d.send_at >= $1::timestamptz and d.send_at <= $2::timestamptz
          and not exists (select 1 from deliveries v
                           where v.decision_id = d.id and v.channel = d.channel
                             and v.status in ('sent', 'failed', 'skipped', 'possibly_sent'))`,
      [since, now],
    );
    await client.query('commit');
    return { count: r.rows[0].count, oldestSendAt: r.rows[0].oldest };
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** An event whose first message out was among a batch's deliveries. */
export interface FirstSend {
  eventId: number;
  createdAt: Date;
  firstSentAt: Date;
}

/**
 * Of the events whose deliveries among `decisionIds` were sent, those whose first send this batch records: the batch
 * that sets an event's `first_sent_at` while it is null reports it. A concurrent batch of the same event waits on the
 * row and then finds it set, so each event's first send is reported once, whichever worker sends it.
 */
export async function firstSends(pool: Pool, decisionIds: readonly number[]): Promise<FirstSend[]> {
  if (decisionIds.length === 0) return [];
  const r = await pool.query(
    `with batch as (
       select d.event_id, min(v.finished_at) as first_at
         from deliveries v join decisions d on d.id = v.decision_id and d.channel = v.channel
        where v.decision_id = any($1::bigint[]) and v.status = 'sent' and v.finished_at is not null
        group by d.event_id)
     update creator_events e set first_sent_at = b.first_at
       from batch b
      where e.id = b.event_id and e.first_sent_at is null
      returning e.id as event_id, e.created_at, b.first_at`,
    [decisionIds],
  );
  return r.rows.map((row) => ({ eventId: row.event_id, createdAt: row.created_at, firstSentAt: row.first_at }));
}
