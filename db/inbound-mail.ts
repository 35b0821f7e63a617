// The inbound mail table: what the listener received, what it was taken for and what was done, and counts per day.
import type { Pool } from './pool.ts';

export const INBOUND_KINDS = ['unsubscribe', 'bounce', 'complaint', 'other'] as const;
export type InboundKind = (typeof INBOUND_KINDS)[number];

export interface InboundMailRow {
  kind: InboundKind;
  outcome: string;
  envelopeFrom: string;
  envelopeTo: readonly string[];
  messageId: string | null;
  subject: string | null;
  fanId: number | null;
  decisionId: number | null;
  detail: object;
  raw: string;
}

/** Whether a message with this Message-ID was stored already (a redelivered report is not acted on twice). */
export async function inboundMailSeen(pool: Pool, messageId: string): Promise<boolean> {
  const r = await pool.query(`select 1 from inbound_mail where message_id = $1::text`, [messageId]);
  return (r.rowCount ?? 0) > 0;
}

/** Stores one received message; returns its id, or null when one with the same Message-ID is already there. */
export async function insertInboundMail(pool: Pool, row: InboundMailRow): Promise<number | null> {
  const r = await pool.query<{ id: number }>(
    `insert into inbound_mail (kind, outcome, envelope_from, envelope_to, message_id, subject, fan_id, decision_id,
                               detail, raw)
     values ($1::text, $2::text, $3::text, $4::text[], $5::text, $6::text, $7::bigint, $8::bigint, $9::jsonb, $10::text)
     on conflict (message_id) where message_id is not null do nothing
     returning id`,
    [
      row.kind,
      row.outcome,
      row.envelopeFrom,
      row.envelopeTo,
      row.messageId,
      row.subject,
      row.fanId,
      row.decisionId,
      JSON.stringify(row.detail),
      row.raw,
    ],
  );
  return r.rows[0]?.id ?? null;
}

/** One UTC day of mail that came back, beside the emails sent that day (the complaint rate's denominator). */
export interface InboundDay {
  /** YYYY-MM-DD, UTC. */
  day: string;
  emailsSent: number;
  hardBounces: number;
  softBounces: number;
  complaints: number;
  unsubscribes: number;
  /** Stored for a person: kind 'other', and reports no signature tied to a message of ours. */
  kept: number;
}

/** Counts per UTC day from `since` to `until` (exclusive), every day present, newest first. */
export async function inboundDays(pool: Pool, since: Date, until: Date): Promise<InboundDay[]> {
  const r = await pool.query(
    `with days as (
       select d::date as day
         from generate_series(date_trunc('day', $1::timestamptz at time zone 'UTC'),
                              ($2::timestamptz at time zone 'UTC') - interval '1 microsecond', interval '1 day') d),
     sent as (
       select (finished_at at time zone 'UTC')::date as day, count(*)::int as n
         from deliveries
        where channel = 'email' and status = 'sent' and finished_at >= $1::timestamptz and finished_at < $2::timestamptz
        group by 1),
     inbound as (
       select (received_at at time zone 'UTC')::date as day,
              count(*) filter (where outcome = 'hard_bounce')::int as hard,
              count(*) filter (where outcome = 'soft_bounce')::int as soft,
              count(*) filter (where outcome = 'complaint')::int as complaints,
              count(*) filter (where outcome = 'unsubscribed')::int as unsubscribes,
              count(*) filter (where outcome in ('kept', 'unsigned', 'mismatch'))::int as kept
         from inbound_mail
        where received_at >= $1::timestamptz and received_at < $2::timestamptz
        group by 1)
     select to_char(d.day, 'YYYY-MM-DD') as day, coalesce(s.n, 0) as sent, coalesce(i.hard, 0) as hard,
            coalesce(i.soft, 0) as soft, coalesce(i.complaints, 0) as complaints,
            coalesce(i.unsubscribes, 0) as unsubscribes, coalesce(i.kept, 0) as kept
       from days d left join sent s on s.day = d.day left join inbound i on i.day = d.day
      order by d.day desc`,
    [since, until],
  );
  return r.rows.map((row) => ({
    day: row.day,
    emailsSent: row.sent,
    hardBounces: row.hard,
    softBounces: row.soft,
    complaints: row.complaints,
    unsubscribes: row.unsubscribes,
    kept: row.kept,
  }));
}

/** Complaints received since `since` and emails sent since then, for the complaint-rate gauge. */
export async function complaintsSince(pool: Pool, since: Date): Promise<{ complaints: number; emailsSent: number }> {
  const r = await pool.query(
    `select (select count(*)::int from inbound_mail
              where outcome = 'complaint' and received_at >= $1::timestamptz) as complaints,
            (select count(*)::int from deliveries
              where channel = 'email' and status = 'sent' and finished_at >= $1::timestamptz) as sent`,
    [since],
  );
  return { complaints: r.rows[0].complaints, emailsSent: r.rows[0].sent };
}

/** A stored message a person may want to read: not acted on, or refused. */
export interface KeptInboundMail {
  id: number;
  receivedAt: Date;
  kind: InboundKind;
  outcome: string;
  envelopeFrom: string;
  subject: string | null;
}

/** The newest messages kept for a person (kind 'other', or reports that changed nothing), newest first. */
export async function keptInboundMail(pool: Pool, limit: number): Promise<KeptInboundMail[]> {
  const r = await pool.query(
    `select id, received_at, kind, outcome, envelope_from, subject
       from inbound_mail where outcome in ('kept', 'unsigned', 'mismatch')
      order by received_at desc, id desc limit $1::int`,
    [limit],
  );
  return r.rows.map((row) => ({
    id: row.id,
    receivedAt: row.received_at,
    kind: row.kind,
    outcome: row.outcome,
    envelopeFrom: row.envelope_from,
    subject: row.subject,
  }));
}
