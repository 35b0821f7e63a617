// What the features read of a page of fans, one query per table: fans, memberships, sends, opens, clicks (epoch ms).

import type { Channel, EventKind } from '../domain/vocabulary.ts';
import type { Pool } from './pool.ts';

/** Timestamps travel as epoch milliseconds (float8): parsing hundreds of thousands of Dates per page costs seconds. */
const EPOCH_MS = (column: string) => `floor(extract(epoch from ${column}) * 1000)::float8`;

/** Fans' time zones, sign-up times and digest hours; fans not found are left out. */
export async function historyFans(pool: Pool, fanIds: readonly number[]) {
  const { rows } = await pool.query<{ id: number; time_zone: string; created_ms: number; digest_hour: number | null }>(
    `select f.id, f.time_zone, ${EPOCH_MS('f.created_at')} as created_ms, p.digest_hour
       from fans f left join preferences p on p.fan_id = f.id
      where f.id = any($1::bigint[])`,
    [fanIds],
  );
  return rows;
}

export async function historyMemberships(pool: Pool, fanIds: readonly number[]) {
  const { rows } = await pool.query<{
    fan_id: number;
    creator_id: number;
    kind: string;
    tier: number;
    started_ms: number;
  }>(
    `select fan_id, creator_id, kind, tier, ${EPOCH_MS('started_at')} as started_ms
       from memberships where fan_id = any($1::bigint[])`,
    [fanIds],
  );
  return rows;
}

/** Delivered notifications (status sent), by fan and send time. */
export async function historySends(pool: Pool, fanIds: readonly number[], fromMs: number, toMs: number) {
  const { rows } = await pool.query<{
    decision_id: number;
    fan_id: number;
    event_id: number;
    creator_id: number;
    kind: EventKind;
    event_created_ms: number;
    channel: Channel;
    decided_ms: number;
    sent_ms: number;
  }>(
    `select d.id as decision_id, d.fan_id, d.event_id, e.creator_id, e.kind,
            ${EPOCH_MS('e.created_at')} as event_created_ms,
            v.channel, ${EPOCH_MS('d.decided_at')} as decided_ms, ${EPOCH_MS('v.started_at')} as sent_ms
       from decisions d
       join deliveries v on v.decision_id = d.id and v.channel = d.channel
       join creator_events e on e.id = d.event_id
      where d.fan_id = any($1::bigint[]) and v.status = 'sent'
        and v.started_at >= $2::timestamptz and v.started_at < $3::timestamptz
      order by d.fan_id, v.started_at, d.id`,
    [fanIds, new Date(fromMs), new Date(toMs)],
  );
  return rows;
}

/** Opens of the fans' notifications, by fan and time. */
export async function historyOpens(pool: Pool, fanIds: readonly number[], fromMs: number, toMs: number) {
  const { rows } = await pool.query<{
    decision_id: number;
    fan_id: number;
    creator_id: number;
    channel: Channel;
    occurred_ms: number;
  }>(
    `select g.decision_id, g.fan_id, e.creator_id, g.channel, ${EPOCH_MS('g.occurred_at')} as occurred_ms
       from engagement_events g
       join creator_events e on e.id = g.event_id
      where g.fan_id = any($1::bigint[]) and g.kind = 'open' and g.decision_id is not null
        and g.occurred_at >= $2::timestamptz and g.occurred_at < $3::timestamptz
      order by g.fan_id, g.occurred_at, g.decision_id`,
    [fanIds, new Date(fromMs), new Date(toMs)],
  );
  return rows;
}

/** Clicks on the fans' notifications (a link in them followed), by fan and time. */
export async function historyClicks(pool: Pool, fanIds: readonly number[], fromMs: number, toMs: number) {
  const { rows } = await pool.query<{ decision_id: number; fan_id: number; occurred_ms: number }>(
    `select g.decision_id, g.fan_id, ${EPOCH_MS('g.occurred_at')} as occurred_ms
       from engagement_events g
      where g.fan_id = any($1::bigint[]) and g.kind = 'click' and g.decision_id is not null
        and g.occurred_at >= $2::timestamptz and g.occurred_at < $3::timestamptz
      order by g.fan_id, g.occurred_at, g.decision_id`,
    [fanIds, new Date(fromMs), new Date(toMs)],
  );
  return rows;
}
