// Tests writing baseline history into real PostgreSQL: rows match the in-memory run, and a rewrite is a no-op.
import { describe, expect, it } from 'vitest';
import { useTestSchema } from '../testing/db.ts';
import { simulateBaseline } from './baseline.ts';
import { scheduleEvents } from './events.ts';
import { writeHistory } from './history.ts';
import { seedWorld } from './seed.ts';
import { parseWorldSpec } from './spec.ts';
import { generateWorld } from './world.ts';

const db = useTestSchema('simulator_history');
const world = generateWorld(
  parseWorldSpec({
    seed: 13,
    creators: { count: 12 },
    fans: { count: 600 },
    response: { unsubscribeBase: { email: 0.01, push: 0.02 } },
  }),
);
const fromMs = world.startMs;
const toMs = fromMs + 7 * 86_400_000;

async function counts(): Promise<Record<string, number>> {
  const { rows } = await db().pool.query(
    `select (select count(*) from creator_events)::int as events,
            (select count(*) from decisions)::int as decisions,
            (select count(*) from decisions
              where policy = 'baseline_send_now' and reason = 'baseline_send_now' and action = 'alert'
            )::int as baseline,
            (select count(*) from deliveries where status = 'sent')::int as sent,
            (select count(*) from engagement_events where kind = 'open')::int as opens,
            (select count(*) from engagement_events where kind = 'click')::int as clicks,
            (select count(*) from engagement_events where kind = 'unsubscribe')::int as unsubscribes,
            (select count(*) from preferences
              where unsubscribed_at is not null or not push_enabled)::int as changed_preferences`,
  );
  return rows[0];
}

describe('writeHistory', () => {
  it('writes the events, decisions, deliveries and engagement of the baseline run', async () => {
    const ids = await seedWorld(db().pool, world);
    const pushOffBefore = world.fans.count - world.fans.hasPush.reduce((s, x) => s + x, 0);
    const started = performance.now();
    const told: number[][] = [];
    const onProgress = (played: number, of: number, atMs: number) => void told.push([played, of, atMs]);
    const result = await writeHistory(db().pool, world, ids, { fromMs, toMs, pageSize: 1000, onProgress });
    const elapsed = performance.now() - started;

    const events = scheduleEvents(world, { fromMs, toMs });
    let opens = 0;
    let clicks = 0;
    let unsubscribes = 0;
    const summary = simulateBaseline(world, events, ({ response: r }) => {
      if (r.openedAtMs !== null && r.openedAtMs < toMs) opens++;
      if (r.clickedAtMs !== null && r.clickedAtMs < toMs) clicks++;
      if (r.unsubscribedAtMs !== null && r.unsubscribedAtMs < toMs) unsubscribes++;
    });
    expect(result).toEqual({ ...summary, events: events.length, written: summary.sends });
    expect(told).toEqual(events.map((e, i) => [i + 1, events.length, e.atMs]));
    const c = await counts();
    expect(c).toMatchObject({
      events: events.length,
      decisions: summary.sends,
      baseline: summary.sends,
      sent: summary.sends,
      opens,
      clicks,
      unsubscribes,
    });
    expect(unsubscribes).toBeGreaterThan(0);
    expect(c.changed_preferences).toBeGreaterThan(pushOffBefore);
    expect(elapsed).toBeLessThan(20_000);

    const { rows } = await db().pool.query(
      `select count(*)::int as wrong from engagement_events g
       join decisions d on d.id = g.decision_id join deliveries dl on dl.id = g.delivery_id
       where dl.decision_id <> d.id or g.fan_id <> d.fan_id or g.event_id <> d.event_id or g.channel <> d.channel
          or g.occurred_at < d.send_at`,
    );
    expect(rows[0].wrong).toBe(0);
  });

  it('changes nothing when the same history is written again', async () => {
    const before = await counts();
    const ids = await seedWorld(db().pool, world);
    const again = await writeHistory(db().pool, world, ids, { fromMs, toMs });
    expect(again.written).toBe(0);
    expect(await counts()).toEqual(before);
  });
});
