// The engagement log: opens, clicks, unsubscribes and bounces, each tied to the decision (and delivery) it answers.
import type { Pool } from './pool.ts';

/**
 * Records one engagement fact for a decision, at most once per (decision, kind) for opens, clicks and bounces
 * (migration 0002). Returns false when the decision does not exist or the fact was already recorded.
 */
async function recordOnce(
  pool: Pool,
  decisionId: number,
  kind: 'open' | 'click' | 'bounce',
  detail: object,
): Promise<boolean> {
  const r = await pool.query(
    `insert into engagement_events (delivery_id, decision_id, fan_id, event_id, channel, kind, detail)
     select v.id, d.id, d.fan_id, d.event_id, d.channel, $2::text, $3::jsonb
       from decisions d left join deliveries v on v.decision_id = d.id and v.channel = d.channel
      where d.id = $1::bigint
     on conflict (decision_id, kind) where kind in ('open', 'click', 'bounce') do nothing`,
    [decisionId, kind, JSON.stringify(detail)],
  );
  return r.rowCount === 1;
}

export function recordOpen(pool: Pool, decisionId: number): Promise<boolean> {
  return recordOnce(pool, decisionId, 'open', {});
}

export function recordBounce(
  pool: Pool,
  decisionId: number,
  detail: { code: string; status?: number; message: string },
): Promise<boolean> {
  return recordOnce(pool, decisionId, 'bounce', detail);
}

/**
 * Records a click and returns where it leads: the event's own URL, read from the database, never from the request.
 * A click also counts as an open, because mail clients that block images never load the pixel. Null when the
 * decision does not exist.
 */
export async function recordClick(pool: Pool, decisionId: number): Promise<string | null> {
  const r = await pool.query(
    `select e.url from decisions d join creator_events e on e.id = d.event_id where d.id = $1::bigint`,
    [decisionId],
  );
  if (r.rowCount === 0) return null;
  await recordOnce(pool, decisionId, 'click', {});
  await recordOnce(pool, decisionId, 'open', { implied_by: 'click' });
  return r.rows[0].url;
}

export class UnknownFanError extends Error {
  constructor(readonly fanId: number) {
    super(`fanId: no fan with id ${fanId}`);
  }
}

/**
 * Stops all email to the fan (preferences.unsubscribed_at) and, if they were subscribed until now, records an
 * 'unsubscribe' engagement event tied to the message they unsubscribed from (when it is the fan's). Returns whether
 * this call changed anything; a repeated one-click POST changes nothing and records nothing.
 */
export async function unsubscribeFan(
  pool: Pool,
  fanId: number,
  decisionId: number | undefined,
  via: 'one_click' | 'page' | 'mailto' | 'complaint',
): Promise<boolean> {
  try {
    const r = await pool.query(
      `with changed as (
         insert into preferences (fan_id, unsubscribed_at) values ($1::bigint, now())
         on conflict (fan_id) do update set unsubscribed_at = now(), updated_at = now()
           where preferences.unsubscribed_at is null
         returning fan_id)
       insert into engagement_events (delivery_id, decision_id, fan_id, event_id, channel, kind, detail)
       select v.id, d.id, c.fan_id, d.event_id, d.channel, 'unsubscribe', jsonb_build_object('via', $3::text)
         from changed c
         left join decisions d on d.id = $2::bigint and d.fan_id = c.fan_id
         left join deliveries v on v.decision_id = d.id and v.channel = d.channel`,
      [fanId, decisionId ?? null, via],
    );
    return r.rowCount === 1;
  } catch (err) {
    if ((err as { code?: string }).code === '23503') throw new UnknownFanError(fanId);
    throw err;
  }
}
