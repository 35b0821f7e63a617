// How far an event has got: decisions by action and deliveries by channel and status.
import type { Pool } from './pool.ts';

export interface EventProgress {
  decisions: Record<string, number>;
  deliveries: Record<string, Record<string, number>>;
}

export async function eventProgress(pool: Pool, eventId: number): Promise<EventProgress> {
  const [d, v] = await Promise.all([
    pool.query(`select action, count(*)::int as n from decisions where event_id = $1::bigint group by action`, [
      eventId,
    ]),
    pool.query(
      `select v.channel, v.status, count(*)::int as n
         from deliveries v join decisions d on d.id = v.decision_id
        where d.event_id = $1::bigint group by v.channel, v.status`,
      [eventId],
    ),
  ]);
  const progress: EventProgress = { decisions: {}, deliveries: {} };
  for (const r of d.rows) progress.decisions[r.action] = r.n;
  for (const r of v.rows) {
    progress.deliveries[r.channel] ??= {};
    progress.deliveries[r.channel][r.status] = r.n;
  }
  return progress;
}
