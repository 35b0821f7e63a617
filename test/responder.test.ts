// Simulated fans answer real deliveries in the dev stack: the ground truth decides, and opens, clicks and unsubscribes arrive through the messages' links.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevStack, type DevStack } from '../dev/run-dev.ts';
import { useTestSchema } from '../testing/db.ts';
import { useTemporalDevServer } from '../testing/temporal.ts';

const temporal = useTemporalDevServer();
const db = useTestSchema('responder');
let stack: DevStack;

beforeAll(async () => {
  stack = await startDevStack({
    fans: 300,
    creators: 3,
    seed: 11,
    env: { DATABASE_URL: db().connectionString, TEMPORAL_ADDRESS: temporal().address },
    log: () => undefined,
    responseTimeScale: 0,
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('the responder', () => {
  it('opens, clicks and unsubscribes through the links in what each fan received, as the ground truth says', async () => {
    const res = await fetch(`${stack.apiUrl}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ creatorId: stack.creatorIds[0], kind: 'live', title: 'Live now', url: 'https://fans.example/creator001/live/1', audience: 'all', idempotencyKey: 'live-1' }),
    });
    expect(res.status).toBe(201);
    const { id } = await res.json();
    const { rows: expected } = await db().pool.query(`select channel, count(*)::int as n from decisions where event_id = $1::bigint group by 1`, [id]);
    const deadline = Date.now() + 60_000;
    const want = Object.fromEntries(expected.map((r) => [r.channel, r.n]));
    // Decisions are written page by page; wait for the workflow, then for every message to arrive.
    for (;;) {
      const { rows } = await db().pool.query(`select v.channel, count(*)::int as n from deliveries v join decisions d on d.id = v.decision_id where d.event_id = $1::bigint and v.status = 'sent' group by 1`, [id]);
      const sent = Object.fromEntries(rows.map((r) => [r.channel, r.n]));
      const { rows: decided } = await db().pool.query(`select channel, count(*)::int as n from decisions where event_id = $1::bigint group by 1`, [id]);
      Object.assign(want, Object.fromEntries(decided.map((r) => [r.channel, r.n])));
      if (want.email > 0 && sent.email === want.email && (sent.push ?? 0) === (want.push ?? 0) && stack.responder.answers.length >= want.email + (want.push ?? 0)) break;
      if (Date.now() > deadline) throw new Error(`timed out: sent ${JSON.stringify(sent)} of ${JSON.stringify(want)}, ${stack.responder.answers.length} answered`);
      await new Promise((r) => setTimeout(r, 250));
    }
    await stack.responder.idle();
    expect(stack.responder.failures).toEqual([]);

    const answers = stack.responder.answers;
    const opened = { email: answers.filter((a) => a.channel === 'email' && a.response.opened).length, push: answers.filter((a) => a.channel === 'push' && a.response.opened).length };
    const clicked = answers.filter((a) => a.channel === 'email' && a.response.clicked).length;
    expect(opened.email + opened.push).toBeGreaterThan(0);
    const { rows } = await db().pool.query(
      `select channel, kind, count(*)::int as n from engagement_events where event_id = $1::bigint group by 1, 2`,
      [id],
    );
    const count = (channel: string, kind: string) => rows.find((r) => r.channel === channel && r.kind === kind)?.n ?? 0;
    expect(count('email', 'open')).toBe(opened.email);
    expect(count('email', 'click')).toBe(clicked);
    // A tapped push is the open; its ping records the click that implies it.
    expect(count('push', 'open')).toBe(opened.push);
    const unsubscribed = answers.filter((a) => a.channel === 'email' && a.response.unsubscribed).length;
    const { rows: u } = await db().pool.query(`select count(*)::int as n from preferences where unsubscribed_at is not null`);
    expect(u[0].n).toBe(unsubscribed);
  });
});
