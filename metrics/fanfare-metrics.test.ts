import { describe, expect, it } from 'vitest';
import { createPool } from '../db/pool.ts';
import { seedAudience } from '../testing/audience.ts';
import { useTestSchema } from '../testing/db.ts';
import { decideAlerts } from '../testing/deliveries.ts';
import { scrape } from '../testing/prometheus-text.ts';
import { BACKLOG_TIMEOUT_MS, createMetrics } from './fanfare-metrics.ts';
import { serveMetrics } from './server.ts';

const db = useTestSchema('metrics');

/** Serves a registry on a free loopback port for one scrape. */
async function scrapeOnce(metrics: ReturnType<typeof createMetrics>) {
  const server = await serveMetrics(metrics.registry, '127.0.0.1', 0);
  try {
    return await scrape(server.url);
  } finally {
    await server.close();
  }
}

describe('the counters', () => {
  it('count decisions by action and reason, with unknown values as "other", and their scores', async () => {
    const metrics = createMetrics({ processMetrics: false });
    metrics.decisionsWritten([
      { action: 'alert', reason: 'alert_best_hour', score: 0.42 },
      { action: 'alert', reason: 'alert_best_hour', score: 0.07 },
      { action: 'digest', reason: 'digest_cap_reached', score: 0.3 },
      { action: 'suppress', reason: 'a-reason-from-a-newer-release', score: null },
    ]);
    const m = await scrapeOnce(metrics);
    expect(m.value('fanfare_decisions_total', { action: 'alert', reason: 'alert_best_hour' })).toBe(2);
    expect(m.value('fanfare_decisions_total', { action: 'digest', reason: 'digest_cap_reached' })).toBe(1);
    expect(m.value('fanfare_decisions_total', { action: 'suppress', reason: 'other' })).toBe(1);
    // Every known pair is there from the start, at zero, so a rate() has a series before the first one happens.
    expect(m.value('fanfare_decisions_total', { action: 'suppress', reason: 'suppress_deadline_passed' })).toBe(0);
    const score = m.histogram('fanfare_model_score');
    expect(score.count).toBe(3);
    expect(score.sum).toBeCloseTo(0.79);
    expect([score.buckets['0.05'], score.buckets['0.1'], score.buckets['0.5'], score.buckets['+Inf']]).toEqual([
      0, 1, 3, 3,
    ]);
  });

  it('count deliveries by channel and outcome, provider errors by status, and time sent ones', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const decidedAt = new Date('2026-03-01T10:00:00Z');
    const at = new Date('2026-03-01T10:00:30Z');
    metrics.deliverySettled({ channel: 'email', outcome: 'sent', decidedAt }, at);
    metrics.deliverySettled(
      { channel: 'email', outcome: 'retry', decidedAt, error: { code: 'smtp_rejected_transient', status: 451 } },
      at,
    );
    metrics.deliverySettled(
      { channel: 'push', outcome: 'retry', decidedAt, error: { code: 'push_connection_failed' } },
      at,
    );
    metrics.deliverySettled(
      { channel: 'push', outcome: 'failed', decidedAt, error: { code: 'made-up', status: 99_999 } },
      at,
    );
    metrics.firstSends([{ eventId: 1, createdAt: new Date('2026-03-01T09:59:00Z'), firstSentAt: at }]);
    const m = await scrapeOnce(metrics);
    expect(m.value('fanfare_deliveries_total', { channel: 'email', outcome: 'sent' })).toBe(1);
    expect(m.value('fanfare_deliveries_total', { channel: 'email', outcome: 'retry' })).toBe(1);
    expect(m.value('fanfare_deliveries_total', { channel: 'push', outcome: 'failed' })).toBe(1);
    expect(m.value('fanfare_deliveries_total', { channel: 'push', outcome: 'sent' })).toBe(0);
    const errors = (labels: Record<string, string>) => m.value('fanfare_provider_errors_total', labels);
    expect(errors({ channel: 'email', code: 'smtp_rejected_transient', status: '451' })).toBe(1);
    expect(errors({ channel: 'push', code: 'push_connection_failed', status: 'none' })).toBe(1);
    expect(errors({ channel: 'push', code: 'other', status: 'none' })).toBe(1);
    const latency = m.histogram('fanfare_decision_to_delivery_seconds', { channel: 'email' });
    expect([latency.count, latency.sum, latency.buckets['15'], latency.buckets['30']]).toEqual([1, 30, 0, 1]);
    expect(m.histogram('fanfare_decision_to_delivery_seconds', { channel: 'push' }).count).toBe(0);
    const first = m.histogram('fanfare_event_to_first_send_seconds');
    expect([first.count, first.sum]).toEqual([1, 90]);
  });

  it('count API requests by route template, method and status, and time them', async () => {
    const metrics = createMetrics({ processMetrics: false });
    metrics.requestServed({ route: '/api/events', method: 'POST', status: 201, seconds: 0.02 });
    metrics.requestServed({ route: '/api/events', method: 'POST', status: 400, seconds: 0.003 });
    metrics.requestServed({ route: '/api/events/:id', method: 'GET', status: 200, seconds: 0.4 });
    metrics.requestServed({ route: null, method: 'BREW', status: 404, seconds: 0.001 });
    const m = await scrapeOnce(metrics);
    const count = (route: string, method: string, status: string) =>
      m.value('fanfare_http_requests_total', { route, method, status });
    expect(count('/api/events', 'POST', '201')).toBe(1);
    expect(count('/api/events', 'POST', '400')).toBe(1);
    expect(count('/api/events/:id', 'GET', '200')).toBe(1);
    // No route matched: one label whatever the path was, and an unknown method is "other".
    expect(count('unmatched', 'other', '404')).toBe(1);
    const posts = m.histogram('fanfare_http_request_duration_seconds', { route: '/api/events', method: 'POST' });
    expect(posts.count).toBe(2);
    expect(posts.sum).toBeCloseTo(0.023);
    expect([posts.buckets['0.005'], posts.buckets['0.025'], posts.buckets['+Inf']]).toEqual([1, 2, 2]);
  });

  it('serves Node process metrics beside its own, and only at GET /metrics', async () => {
    const metrics = createMetrics();
    const server = await serveMetrics(metrics.registry, '127.0.0.1', 0);
    try {
      const m = await scrape(server.url);
      expect(m.value('fanfare_process_resident_memory_bytes')).toBeGreaterThan(0);
      expect((await fetch(server.url.replace('/metrics', '/'))).status).toBe(404);
      expect((await fetch(server.url, { method: 'POST' })).status).toBe(405);
    } finally {
      await server.close();
    }
  });
});

describe('the due backlog', () => {
  it('counts due alerts without a settled delivery, and the age of the oldest, read on each scrape', async () => {
    const { pool } = db();
    const audience = await seedAudience(pool, { fans: 2, noPush: [0, 1], subscribe: () => ({}) as never });
    const { email } = await decideAlerts(pool, {
      creatorId: audience.creatorId,
      fanIds: audience.fanIds,
      channels: ['email'],
      key: 'backlog',
    });
    const later = () => new Date(Date.now() + 600_000);
    const metrics = createMetrics({ pool, processMetrics: false, now: later });
    let m = await scrapeOnce(metrics);
    expect(m.value('fanfare_due_decisions')).toBe(2);
    expect(m.value('fanfare_due_decisions_oldest_age_seconds')).toBeGreaterThanOrEqual(599);
    expect(m.value('fanfare_due_decisions_oldest_age_seconds')).toBeLessThan(700);

    await pool.query(
      `insert into deliveries (decision_id, channel, status, finished_at) values ($1::bigint, 'email', 'sent', now())`,
      [email[0]],
    );
    m = await scrapeOnce(metrics);
    expect(m.value('fanfare_due_decisions')).toBe(1);
    expect(m.value('fanfare_backlog_query_failures_total')).toBe(0);
  });

  it('says NaN, and counts a failure, when the database does not answer in time', async () => {
    // A pool of one connection, held: the scrape cannot get a connection and must not wait for one.
    const pool = createPool(db().connectionString, 1);
    const held = await pool.connect();
    try {
      const metrics = createMetrics({ pool, processMetrics: false });
      const started = Date.now();
      const m = await scrapeOnce(metrics);
      expect(Date.now() - started).toBeLessThan(BACKLOG_TIMEOUT_MS + 2_000);
      expect(m.value('fanfare_due_decisions')).toBeNaN();
      expect(m.value('fanfare_due_decisions_oldest_age_seconds')).toBeNaN();
      expect(m.value('fanfare_backlog_query_failures_total')).toBe(1);
    } finally {
      held.release();
      await pool.end();
    }
  });
});
