// Through the whole stack: an event decided and delivered shows in the worker's /metrics and in Temporal's own.
import { beforeAll, describe, expect, it } from 'vitest';
import { type SeededAudience, seedAudience } from '../testing/audience.ts';
import { creatorAuthorization } from '../testing/creator-keys.ts';
import { freePort } from '../testing/free-port.ts';
import { parseMetrics, scrape } from '../testing/prometheus-text.ts';
import { useTestStack } from '../testing/stack.ts';
import { useTemporalDevServer } from '../testing/temporal.ts';

const temporal = useTemporalDevServer();
// The Temporal SDK's exporter binds when the worker starts; its port is picked before the stack reads this.
const env: Record<string, string> = {};
beforeAll(async () => {
  env.FANFARE_TEMPORAL_METRICS_ADDRESS = `127.0.0.1:${await freePort()}`;
});
const stack = useTestStack('metrics_stack', temporal, { env });
let audience: SeededAudience;
let authorization: string;

beforeAll(async () => {
  audience = await seedAudience(stack().db.pool, { fans: 3, subscribe: () => stack().subscribe() });
  authorization = await creatorAuthorization(stack().db.pool, audience.creatorId);
});

async function announce(key: string): Promise<{ id: number; workflowId: string }> {
  const { status, json } = await stack().post<{ id: number; workflowId: string }>(
    '/api/events',
    {
      creatorId: audience.creatorId,
      kind: 'post',
      title: 'Metrics',
      url: `https://creators.example/ana/${key}`,
      audience: 'all',
      idempotencyKey: key,
    },
    { authorization },
  );
  expect(status).toBe(201);
  return json;
}

describe('/metrics after an event is decided and delivered', () => {
  it('parses as Prometheus text and counts the decisions, deliveries, provider errors and latencies', async () => {
    const { smtp, push, client, db, metrics } = stack();
    const mailMark = smtp.messages.length;
    const pushMark = push.received.length;
    // One greylisting reply: a provider error with its status, then the message goes out on the next pass.
    smtp.failNext(1, 451, 'Greylisted, try again later');
    const event = await announce('metrics');
    await client.workflow.getHandle(event.workflowId).result();
    await smtp.waitFor(mailMark + 3, 60_000);
    await push.waitFor(pushMark + 3, 60_000);
    const settled = async () => {
      const r = await db.pool.query(`select count(*)::int as n from deliveries where status = 'sent'`);
      return r.rows[0].n;
    };
    for (let waited = 0; (await settled()) < 6 && waited < 20_000; waited += 200)
      await new Promise((r) => setTimeout(r, 200));

    const m = await scrape(metrics.server!.url);
    const decided = await db.pool.query(`select action, reason, count(*)::int as n from decisions group by 1, 2`);
    expect(decided.rows.length).toBeGreaterThan(0);
    for (const row of decided.rows)
      expect(m.value('fanfare_decisions_total', { action: row.action, reason: row.reason })).toBe(row.n);
    expect(decided.rows.reduce((sum, r) => sum + r.n, 0)).toBe(6);

    expect(m.value('fanfare_deliveries_total', { channel: 'email', outcome: 'sent' })).toBe(3);
    expect(m.value('fanfare_deliveries_total', { channel: 'push', outcome: 'sent' })).toBe(3);
    expect(m.value('fanfare_deliveries_total', { channel: 'email', outcome: 'retry' })).toBe(1);
    expect(m.value('fanfare_deliveries_total', { channel: 'email', outcome: 'failed' })).toBe(0);
    expect(
      m.value('fanfare_provider_errors_total', { channel: 'email', code: 'smtp_rejected_transient', status: '451' }),
    ).toBe(1);
    expect(m.histogram('fanfare_decision_to_delivery_seconds', { channel: 'email' }).count).toBe(3);
    expect(m.histogram('fanfare_decision_to_delivery_seconds', { channel: 'push' }).count).toBe(3);
    // One event, one first send, however many batches and partitions delivered it.
    const first = m.histogram('fanfare_event_to_first_send_seconds');
    expect(first.count).toBe(1);
    expect(first.sum).toBeGreaterThan(0);
    expect(first.sum).toBeLessThan(60);
    expect(m.value('fanfare_due_decisions')).toBe(0);
    expect(m.value('fanfare_due_decisions_oldest_age_seconds')).toBe(0);
    expect(m.value('fanfare_backlog_query_failures_total')).toBe(0);
    // The API's own requests, by route template: the announcement above was one 201 on /api/events.
    expect(m.value('fanfare_http_requests_total', { route: '/api/events', method: 'POST', status: '201' })).toBe(1);
    expect(m.histogram('fanfare_http_request_duration_seconds', { route: '/api/events', method: 'POST' }).count).toBe(
      1,
    );
  }, 120_000);

  it('names no fan: no address, id or endpoint in the text, and only bounded label names', async () => {
    const { metrics, db } = stack();
    const text = await (await fetch(metrics.server!.url)).text();
    for (const email of audience.emails) expect(text).not.toContain(email);
    const endpoints = await db.pool.query(`select endpoint from push_subscriptions`);
    for (const row of endpoints.rows) expect(text).not.toContain(row.endpoint);
    const labelNames = new Set(
      parseMetrics(text.replace(/^# TYPE .*$/gm, '')).families.flatMap((f) =>
        f.metrics.flatMap((s) => Object.keys(s.labels ?? {})),
      ),
    );
    const allowed = ['action', 'reason', 'channel', 'outcome', 'code', 'status', 'route', 'method', 'le', 'quantile'];
    // Node's process metrics add a few of their own (heap space, GC kind, version), none about fans.
    const processLabels = ['space', 'kind', 'version', 'major', 'minor', 'patch', 'type'];
    expect([...labelNames].filter((n) => !allowed.includes(n) && !processLabels.includes(n))).toEqual([]);
  });

  it('is not on the public API address; it listens on loopback only', async () => {
    const { api, metrics } = stack();
    expect((await fetch(`${api}/metrics`)).status).toBe(404);
    expect(new URL(metrics.server!.url).hostname).toBe('127.0.0.1');
  });

  it('counts API requests by route template, never by the path a client sent', async () => {
    const { api, metrics } = stack();
    const unmatched = { route: 'unmatched', method: 'GET', status: '404' };
    const before = (await scrape(metrics.server!.url)).value('fanfare_http_requests_total', unmatched);
    await fetch(`${api}/api/events/987654`);
    await fetch(`${api}/no/such/path/fan-secret@example.com`);
    const text = await (await fetch(metrics.server!.url)).text();
    expect(text).not.toContain('987654');
    expect(text).not.toContain('fan-secret');
    const m = parseMetrics(text);
    expect(m.value('fanfare_http_requests_total', { route: '/api/events/:id', method: 'GET', status: '401' })).toBe(1);
    expect(m.value('fanfare_http_requests_total', unmatched)).toBe(before + 1);
  });

  it("serves the Temporal SDK's own worker metrics on their address", async () => {
    const m = await scrape(`http://${env.FANFARE_TEMPORAL_METRICS_ADDRESS}/metrics`);
    const names = m.families.map((f) => f.name);
    expect(names.some((n) => n.startsWith('temporal_'))).toBe(true);
    // The ones docs/OPERATIONS.md tells an operator to watch, after the event above ran its workflows and activities.
    for (const name of [
      'temporal_worker_task_slots_available',
      'temporal_num_pollers',
      'temporal_workflow_task_schedule_to_start_latency',
      'temporal_activity_schedule_to_start_latency',
    ])
      expect(names).toContain(name);
  });
});
