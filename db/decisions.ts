// Decisions: written a page at a time in one statement; each (event, fan, channel) is decided once.

import type { Action, Decision, DecisionArm, DecisionEvidence, ReasonCode } from '../domain/decision.ts';
import type { Channel } from '../domain/vocabulary.ts';
import type { Pool, PoolClient } from './pool.ts';

/** A decision as this insert wrote it: what the metrics count (a retried page's earlier rows are not repeated). */
export interface WrittenDecision {
  channel: Channel;
  action: Action;
  reason: ReasonCode;
  score: number | null;
}

/**
 * Inserts a page of decisions for one event; a decision already recorded (a retried page) is kept as it was.
 * Returns the rows this statement wrote.
 */
export async function insertDecisions(
  pool: Pool | PoolClient,
  eventId: number,
  decisions: readonly (Decision & Partial<DecisionEvidence> & Partial<DecisionArm>)[],
): Promise<WrittenDecision[]> {
  if (decisions.length === 0) return [];
  const features = featureBlock(decisions);
  const r = await pool.query(
    `insert into decisions (event_id, fan_id, channel, action, send_at, policy, reason, reason_detail, model_version,
                            score, contributions, experiment_id, arm, features)
     select $1::bigint, d.fan_id, d.channel, d.action, d.send_at, d.policy, d.reason, d.reason_detail, d.model_version,
            d.score, d.contributions, d.experiment_id, d.arm,
            substring($14::bytea from d.features_from + 1 for d.features_bytes)
       from unnest($2::bigint[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[],
                   array(select x from jsonb_array_elements($8::jsonb) with ordinality as j (x, n) order by n),
                   $9::int[], $10::float8[], $11::jsonb[], $12::bigint[], $13::text[], $15::int[], $16::int[])
            as d (fan_id, channel, action, send_at, policy, reason, reason_detail, model_version, score, contributions,
                  experiment_id, arm, features_from, features_bytes)
     on conflict (event_id, fan_id, channel) do nothing
     returning channel, action, reason, score`,
    [
      eventId,
      decisions.map((d) => d.fanId),
      decisions.map((d) => d.channel),
      decisions.map((d) => d.action),
      decisions.map((d) => d.sendAt),
      decisions.map((d) => d.policy),
      decisions.map((d) => d.reason),
      // One JSON array, not a jsonb[] of JSON texts: no element is quoted and escaped again as an array literal's.
      JSON.stringify(decisions.map((d) => d.reasonDetail)),
      decisions.map((d) => d.modelVersion ?? null),
      decisions.map((d) => d.score ?? null),
      decisions.map((d) => (d.contributions ? JSON.stringify(d.contributions) : null)),
      decisions.map((d) => d.experimentId ?? null),
      decisions.map((d) => d.arm ?? null),
      features.bytes,
      features.from,
      features.length,
    ],
  );
  return r.rows;
}

/**
 * Every decision's feature row in one buffer, sent as a binary parameter (no number is written out as text), with
 * where each row starts and how many bytes it takes; null for a decision without one.
 */
function featureBlock(decisions: readonly Partial<DecisionEvidence>[]): {
  bytes: Buffer;
  from: (number | null)[];
  length: (number | null)[];
} {
  let total = 0;
  for (const d of decisions) total += d.features?.length ?? 0;
  const values = new Float64Array(total);
  const from: (number | null)[] = [];
  const length: (number | null)[] = [];
  let at = 0;
  for (const d of decisions) {
    if (!d.features) {
      from.push(null);
      length.push(null);
      continue;
    }
    values.set(d.features, at);
    from.push(at * FEATURE_BYTES);
    length.push(d.features.length * FEATURE_BYTES);
    at += d.features.length;
  }
  return { bytes: Buffer.from(values.buffer, values.byteOffset, values.byteLength), from, length };
}

/** Bytes per feature value in decisions.features: an IEEE 754 double. */
const FEATURE_BYTES = 8;

/**
 * A decisions.features value as the numbers it holds: little-endian doubles, written from a Float64Array on the
 * little-endian machines Node runs on, so each reads back bit for bit.
 */
export function featureValues(bytes: Uint8Array): Float64Array {
  // A copy: the buffer pg hands back may start at an offset a Float64Array cannot view.
  const copy = new Uint8Array(bytes);
  return new Float64Array(copy.buffer, 0, copy.byteLength / FEATURE_BYTES);
}

/** The send times of an event's alerts for a set of fans: what the page's dispatchers must be told about. */
export async function alertSendTimes(pool: Pool, eventId: number, fanIds: readonly number[]): Promise<Date[]> {
  const r = await pool.query(
    `select distinct send_at from decisions
      where event_id = $1::bigint and fan_id = any($2::bigint[]) and action = 'alert'`,
    [eventId, fanIds],
  );
  return r.rows.map((row) => row.send_at);
}

/**
 * Alert decisions due in [from, to) that have no settled delivery, in id order after `afterId`.
 * 'retry' rows are included, and so are 'sending' rows: those are what a crashed attempt left behind,
 * and the delivery step resolves them. A partition (id modulo count) lets several batches of one slot run at once.
 */
export async function dueDecisionIds(
  pool: Pool,
  from: Date,
  to: Date,
  afterId: number,
  limit: number,
  partition = { index: 0, count: 1 },
): Promise<number[]> {
  const r = await pool.query(
    `select d.id from decisions d
      where d.action = 'alert' and d.send_at >= $1::timestamptz and d.send_at < $2::timestamptz and d.id > $3::bigint
        and d.id % $5::int = $6::int
        and not exists (select 1 from deliveries v
                         where v.decision_id = d.id and v.channel = d.channel
                           and v.status in ('sent', 'failed', 'skipped', 'possibly_sent'))
      order by d.id
      limit $4::int`,
    [from, to, afterId, limit, partition.count, partition.index],
  );
  return r.rows.map((row) => row.id);
}

/** Whether any decision was ever recorded: a database with history. */
export async function anyDecision(pool: Pool): Promise<boolean> {
  const r = await pool.query<{ x: boolean }>(`select exists (select 1 from decisions) as x`);
  return r.rows[0].x;
}

/** An event's decisions, in id order. */
export async function eventDecisions(
  pool: Pool,
  eventId: number,
): Promise<{ id: number; fanId: number; channel: Channel }[]> {
  const r = await pool.query(`select id, fan_id, channel from decisions where event_id = $1::bigint order by id`, [
    eventId,
  ]);
  return r.rows.map((row) => ({ id: row.id, fanId: row.fan_id, channel: row.channel }));
}
