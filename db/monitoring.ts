// The log as the relevance monitor reads it: scored sends with their 24-hour open labels, the day's rates, reports.
import type { Pool } from './pool.ts';

/** The sends of alert decisions scored by a model, in send order, with whether each was opened within the horizon. */
export interface ScoredSends {
  scores: Float64Array;
  labels: Float64Array;
}

/**
 * Alert decisions with a model score whose delivery was sent in [from, to), labelled 1 when the fan opened them within
 * `horizonMs` of the send (the label training uses), in one query.
 */
export async function scoredSends(pool: Pool, from: Date, to: Date, horizonMs: number): Promise<ScoredSends> {
  const r = await pool.query<{ score: number; opened: boolean }>(
    `select d.score, exists (select 1 from engagement_events e
                              where e.decision_id = d.id and e.kind = 'open'
                                and e.occurred_at < v.finished_at + $3::double precision * interval '1 millisecond'
                            ) as opened
       from deliveries v join decisions d on d.id = v.decision_id and d.channel = v.channel
      where v.status = 'sent' and v.finished_at >= $1::timestamptz and v.finished_at < $2::timestamptz
        and d.action = 'alert' and d.score is not null
      order by v.finished_at, v.id`,
    [from, to, horizonMs],
  );
  return {
    scores: Float64Array.from(r.rows, (row) => row.score),
    labels: Float64Array.from(r.rows, (row) => (row.opened ? 1 : 0)),
  };
}

/** What happened in a window: messages sent, deliveries failed, and the fans' answers. */
export interface WindowCounts {
  /** Deliveries sent, both channels. */
  sent: number;
  /** Email deliveries sent or failed: what a bounce rate is over. */
  emailSettled: number;
  /** Deliveries settled as failed, both channels. */
  failed: number;
  opens: number;
  unsubscribes: number;
  bounces: number;
}

/** Counts of deliveries settled, and of opens, unsubscribes and bounces that happened, in [from, to). */
export async function windowCounts(pool: Pool, from: Date, to: Date): Promise<WindowCounts> {
  const r = await pool.query(
    `select
       (select count(*) from deliveries
         where status = 'sent' and finished_at >= $1::timestamptz and finished_at < $2::timestamptz)::int as sent,
       (select count(*) from deliveries
         where channel = 'email' and status in ('sent', 'failed')
           and finished_at >= $1::timestamptz and finished_at < $2::timestamptz)::int as email_settled,
       (select count(*) from deliveries
         where status = 'failed' and finished_at >= $1::timestamptz and finished_at < $2::timestamptz)::int as failed,
       (select count(*) filter (where kind = 'open') from engagement_events
         where occurred_at >= $1::timestamptz and occurred_at < $2::timestamptz)::int as opens,
       (select count(*) filter (where kind = 'unsubscribe') from engagement_events
         where occurred_at >= $1::timestamptz and occurred_at < $2::timestamptz)::int as unsubscribes,
       (select count(*) filter (where kind = 'bounce') from engagement_events
         where occurred_at >= $1::timestamptz and occurred_at < $2::timestamptz)::int as bounces`,
    [from, to],
  );
  const row = r.rows[0];
  return {
    sent: row.sent,
    emailSettled: row.email_settled,
    failed: row.failed,
    opens: row.opens,
    unsubscribes: row.unsubscribes,
    bounces: row.bounces,
  };
}

/** The active model's version and the window it was trained on, or null when none is active. */
export async function activeModelWindow(
  pool: Pool,
): Promise<{ version: number; trainFrom: Date; trainTo: Date } | null> {
  const r = await pool.query(
    `select version, train_from, train_to from models
      where status = 'active' and train_from is not null and train_to is not null`,
  );
  return r.rows.length
    ? { version: r.rows[0].version, trainFrom: r.rows[0].train_from, trainTo: r.rows[0].train_to }
    : null;
}

/** A stored relevance report. */
export interface StoredRelevanceReport<T> {
  id: number;
  asOf: Date;
  modelVersion: number | null;
  report: T;
  createdAt: Date;
}

export async function insertRelevanceReport(
  pool: Pool,
  asOf: Date,
  modelVersion: number | null,
  report: object,
): Promise<number> {
  const r = await pool.query(
    `insert into relevance_reports (as_of, model_version, report) values ($1::timestamptz, $2::int, $3::jsonb)
     returning id`,
    [asOf, modelVersion, JSON.stringify(report)],
  );
  return r.rows[0].id;
}

/** The report of the latest run (by the time it describes), or null before the first. */
export async function latestRelevanceReport<T>(pool: Pool): Promise<StoredRelevanceReport<T> | null> {
  const r = await pool.query(
    `select id, as_of, model_version, report, created_at from relevance_reports order by as_of desc, id desc limit 1`,
  );
  if (!r.rows.length) return null;
  const row = r.rows[0];
  return {
    id: row.id,
    asOf: row.as_of,
    modelVersion: row.model_version,
    report: row.report,
    createdAt: row.created_at,
  };
}
