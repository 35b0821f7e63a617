// Simulated fans answer real deliveries in the dev stack: opens, clicks and unsubscribes arrive through the links.
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateCapPolicy } from '../db/cap-policies.ts';
import { type DevStack, startDevStack } from '../dev/run-dev.ts';
import { type CapPolicy, DEFAULT_CAP_POLICY } from '../policy/cap-policy.ts';
import { creatorAuthorization } from '../testing/creator-keys.ts';
import { useTestSchema } from '../testing/db.ts';
import { useTemporalDevServer } from '../testing/temporal.ts';

/**
 * This test is about the responder, not the policy: every fan in the audience is alerted now, whatever the hour
 * (no quiet hours, no caps, thresholds at zero), so enough messages go out for the ground truth to open some.
 */
const EVERYONE_NOW: CapPolicy = {
  ...DEFAULT_CAP_POLICY,
  name: 'everyone_now',
  quietHours: null,
  rules: [],
  segments: [],
  valueAware: false,
  kinds: {
    post: { priority: 'standard', weight: 1, alertThreshold: { email: 0, push: 0 } },
    live: { priority: 'urgent', weight: 1.5, alertThreshold: { email: 0, push: 0 } },
    announcement: { priority: 'standard', weight: 1.2, alertThreshold: { email: 0, push: 0 } },
  },
  digest: { ...DEFAULT_CAP_POLICY.digest, minScore: 0 },
};

const temporal = useTemporalDevServer();
const db = useTestSchema('responder');
let stack: DevStack;

beforeAll(async () => {
  stack = await startDevStack({
    fans: 400,
    creators: 8,
    seed: 11,
    anyPorts: true,
    env: { DATABASE_URL: db().connectionString, TEMPORAL_ADDRESS: temporal().address },
    log: () => undefined,
    responseTimeScale: 0,
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('the responder', () => {
  it('opens, clicks and unsubscribes through the links each fan received, as the ground truth says', async () => {
    await activateCapPolicy(db().pool, EVERYONE_NOW, 'responder-test');
    const authorization = await creatorAuthorization(db().pool, stack.creatorIds[0]);
    const res = await fetch(`${stack.apiUrl}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({
        creatorId: stack.creatorIds[0],
        kind: 'live',
        title: 'Live now',
        url: 'https://fans.example/creator001/live/1',
        audience: 'all',
        idempotencyKey: 'live-1',
      }),
    });
    expect(res.status).toBe(201);
    const { id } = await res.json();
    const url = 'https://fans.example/creator001/live/1';
    const client = new Client({ connection: await Connection.connect({ address: temporal().address }) });
    await client.workflow.getHandle(`announce-event-${id}`).result();
    await client.connection.close();
    // Every decision is made now; wait until each alert due by now is delivered and answered.
    const mine = () => stack.responder.answers.filter((a) => a.eventUrl === url);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { rows } = await db().pool.query(
        `select count(*) filter (where d.send_at <= now())::int as due,
                count(v.id) filter (where v.status = 'sent')::int as sent
           from decisions d left join deliveries v on v.decision_id = d.id and v.channel = d.channel
          where d.event_id = $1::bigint and d.action = 'alert'`,
        [id],
      );
      if (rows[0].sent > 0 && rows[0].sent >= rows[0].due && mine().length >= rows[0].sent) break;
      if (Date.now() > deadline) throw new Error(`timed out: ${JSON.stringify(rows[0])}, ${mine().length} answered`);
      await new Promise((r) => setTimeout(r, 250));
    }
    await stack.responder.idle();
    expect(stack.responder.failures).toEqual([]);

    const answers = mine();
    const opened = {
      email: answers.filter((a) => a.channel === 'email' && a.response.opened).length,
      push: answers.filter((a) => a.channel === 'push' && a.response.opened).length,
    };
    const clicked = answers.filter((a) => a.channel === 'email' && a.response.clicked).length;
    expect(opened.email + opened.push).toBeGreaterThan(0);
    await stack.responder.idle();
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
    expect(count('email', 'unsubscribe')).toBe(unsubscribed);
  });
});
