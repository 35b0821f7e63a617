// The first send of an event is reported once, by whichever delivery batch records it first, also when batches race.
import { describe, expect, it } from 'vitest';
import { useTestSchema } from '../testing/db.ts';
import { firstSends } from './metrics.ts';

const db = useTestSchema('first_sends');

async function q(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  return (await db().pool.query(sql, params)).rows;
}

describe('firstSends', () => {
  it('reports each event once, with its batch’s earliest send, however many batches race', async () => {
    await q(`insert into creators (id, handle, display_name) values (1, 'ada', 'Ada')`);
    await q(`insert into fans (id, email) select i, 'fan' || i || '@example.com' from generate_series(1, 8) i`);
    const [{ id: eventId }] = await q(
      `insert into creator_events (creator_id, kind, title, url, audience, idempotency_key)
       values (1, 'post', 'e', 'https://creators.example/e', 'all', 'e1') returning id`,
    );
    const sent = async (fan: number, channel: string, finished: string) => {
      const [{ id }] = await q(
        `insert into decisions (event_id, fan_id, channel, action, send_at, policy, reason, reason_detail)
         values ($1, $2, $3, 'alert', now(), 'test', 'alert_best_time', '{}') returning id`,
        [eventId, fan, channel],
      );
      await q(
        `insert into deliveries (decision_id, channel, status, started_at, finished_at)
         values ($1, $2, 'sent', $3, $3)`,
        [id, channel, finished],
      );
      return Number(id);
    };
    const batches: number[][] = [];
    for (let b = 0; b < 4; b++)
      batches.push([
        await sent(b * 2 + 1, 'email', `2026-03-01T10:0${b}:00Z`),
        await sent(b * 2 + 2, 'push', `2026-03-01T10:0${b}:30Z`),
      ]);

    const reported = (await Promise.all(batches.map((ids) => firstSends(db().pool, ids)))).flat();
    expect(reported).toHaveLength(1);
    expect(reported[0].eventId).toBe(Number(eventId));
    const [{ first_sent_at: recorded }] = await q('select first_sent_at from creator_events where id = $1', [eventId]);
    expect(reported[0].firstSentAt).toEqual(recorded);
    // A later batch of the same event reports nothing.
    expect(await firstSends(db().pool, [await sent(1, 'push', '2026-03-01T10:09:00Z')])).toEqual([]);
  });
});
