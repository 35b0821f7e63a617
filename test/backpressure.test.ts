// Per-provider limits across workers: two delivery loops, each with its own pool, SMTP pool and gate, share one
// provider's concurrency, rate and refusal pause through PostgreSQL, against the real SMTP capture.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recordDigests } from '../db/digests.ts';
import { createPool, type Pool } from '../db/pool.ts';
import { createProviderGate } from '../delivery/backpressure.ts';
import { type DeliverDeps, deliverDecisions } from '../delivery/deliver.ts';
import { deliverDigests } from '../delivery/digests.ts';
import { vapidKeys } from '../delivery/keys.ts';
import { type ProviderLimit, pushProvider, smtpProvider } from '../delivery/provider-limits.ts';
import { type PushService, startPushService } from '../peers/push-service.ts';
import { type SmtpCapture, startSmtpCapture } from '../peers/smtp-capture.ts';
import { type SeededAudience, seedAudience } from '../testing/audience.ts';
import { createTestSchema, type TestSchema } from '../testing/db.ts';
import { type DeliveryRig, decideAlerts, deliveryRig } from '../testing/deliveries.ts';

const FANS = 30;
let db: TestSchema;
let smtp: SmtpCapture;
let push: PushService;
let audience: SeededAudience;
/** Fans with one push subscription each, at the local push service. */
let pushFans: SeededAudience;
/** Two workers' own pools and senders. */
const workers: { pool: Pool; rig: DeliveryRig }[] = [];
let round = 0;

beforeAll(async () => {
  db = await createTestSchema('backpressure');
  smtp = await startSmtpCapture();
  push = await startPushService();
  audience = await seedAudience(db.pool, {
    fans: FANS,
    noPush: [...Array(FANS).keys()],
    subscribe: () => ({}) as never,
  });
  const vapid = await vapidKeys(db.pool);
  pushFans = await seedAudience(db.pool, {
    fans: 8,
    handle: 'bo',
    subscribe: () => push.createSubscription({ applicationServerKey: vapid.publicKey }).subscription,
  });
  for (let i = 0; i < 2; i++) {
    const pool = createPool(db.connectionString, 12, { log: () => undefined });
    workers.push({ pool, rig: await deliveryRig(pool, smtp, push, 8) });
  }
});

afterAll(async () => {
  for (const w of workers) {
    w.rig.close();
    await w.pool.end();
  }
  await smtp?.stop();
  await push?.stop();
  await db?.drop();
});

beforeEach(async () => {
  smtp.clear();
  smtp.slowDown(0);
  push.clear();
  await db.pool.query(`delete from provider_slots; delete from provider_limits`);
});

/** A new event with an email alert for the first `n` fans; its decision ids. */
async function alerts(n: number): Promise<number[]> {
  round += 1;
  const { email } = await decideAlerts(db.pool, {
    creatorId: audience.creatorId,
    fanIds: audience.fanIds.slice(0, n),
    channels: ['email'],
    key: `round-${round}`,
  });
  return email;
}

/** Each worker's delivery deps, with a gate over its own pool when `limit` is given. */
function loops(limit?: ProviderLimit, gate: { maxWaitMs?: number; leaseMs?: number } = {}): DeliverDeps[] {
  return workers.map(({ pool, rig }) => ({
    ...rig.deps,
    providers: limit && {
      gate: createProviderGate({
        pool,
        limits: { defaults: limit, overrides: new Map() },
        pollMs: 20,
        ...gate,
      }),
      smtp: smtpProvider(smtp.host, smtp.port),
    },
  }));
}

/** Delivers half the decisions in each loop at once. */
async function deliverInTwo(deps: DeliverDeps[], ids: number[]) {
  const half = Math.ceil(ids.length / 2);
  return Promise.all([deliverDecisions(deps[0], ids.slice(0, half)), deliverDecisions(deps[1], ids.slice(half))]);
}

describe('two workers, one provider', () => {
  it('without limits, a slow server sees both pools at once', async () => {
    smtp.slowDown(150);
    const reports = await deliverInTwo(loops(), await alerts(24));
    expect(reports.map((r) => r.sent)).toEqual([12, 12]);
    expect(smtp.peakInFlight()).toBeGreaterThan(6);
  });

  it('with a shared concurrency of 3, the server never has more than 3 at once, and every message goes', async () => {
    smtp.slowDown(150);
    const reports = await deliverInTwo(loops({ concurrency: 3, ratePerSecond: null }), await alerts(24));
    expect(reports.map((r) => r.sent)).toEqual([12, 12]);
    expect(smtp.peakInFlight()).toBe(3);
    expect(
      (await db.pool.query(`select count(*)::int as n from provider_slots where held_until > now()`)).rows,
    ).toEqual([{ n: 0 }]);
  });

  it('with a shared rate of 20 a second, 30 messages take at least 1.45 s however many loops send them', async () => {
    const ids = await alerts(30);
    const started = Date.now();
    const reports = await deliverInTwo(loops({ concurrency: 50, ratePerSecond: 20 }), ids);
    expect(reports[0].sent + reports[1].sent).toBe(30);
    // Starts are 50 ms apart; arrivals also differ by each send's own latency (the first ones open connections).
    expect(Date.now() - started).toBeGreaterThanOrEqual(29 * 50 - 20);
    const times = smtp.messages.map((m) => m.receivedAt.getTime()).sort((a, b) => a - b);
    expect(times.at(-1)! - times[0]).toBeGreaterThanOrEqual(1_000);
  });

  it('a refusal pauses the provider for both loops; who cannot wait is handed back unspent', async () => {
    smtp.failNext(1, 451, '4.7.1 Too many messages, slow down');
    const ids = await alerts(10);
    const [first, ...rest] = ids;
    const deps = loops({ concurrency: 1, ratePerSecond: null }, { maxWaitMs: 300 });
    // The first message is refused: a 451 pauses the provider for a second.
    expect(await deliverDecisions(deps[0], [first])).toMatchObject({ sent: 0, retry: 1 });
    const started = Date.now();
    const reports = await deliverInTwo(deps, rest);
    expect(Date.now() - started).toBeLessThan(900);
    expect(reports.map((r) => r.sent)).toEqual([0, 0]);
    expect(reports.every((r) => (r.retryAfterMs ?? 0) > 300)).toBe(true);
    expect(smtp.messages).toHaveLength(0);
    const rows = await db.pool.query(
      `select status, error_code, attempts from deliveries where decision_id = any($1::bigint[]) order by decision_id`,
      [ids],
    );
    expect(rows.rows[0]).toEqual({ status: 'retry', error_code: 'smtp_rejected_transient', attempts: 1 });
    for (const row of rows.rows.slice(1))
      expect(row).toEqual({ status: 'retry', error_code: 'provider_busy', attempts: 0 });
    // Once the pause is over, both loops deliver everything.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const after = await deliverInTwo(loops({ concurrency: 1, ratePerSecond: null }), ids);
    expect(after[0].sent + after[1].sent).toBe(10);
    const refusals = await db.pool.query(`select refusals from provider_limits`);
    expect(refusals.rows).toEqual([{ refusals: 0 }]);
  });

  it('a provider refusing pass after pass (an outage) spends one attempt of a message, not all of them', async () => {
    const [id] = await alerts(1);
    smtp.failNext(12, 451, '4.3.2 Service not available, closing channel');
    for (let pass = 0; pass < 12; pass++) {
      // Each pass comes after the pause, as the dispatcher's does, with a fresh gate as a new activity has.
      await db.pool.query(`update provider_limits set paused_until = now()`);
      expect(await deliverDecisions(loops({ concurrency: 4, ratePerSecond: null })[0], [id])).toMatchObject({
        retry: 1,
      });
    }
    const row = await db.pool.query(`select status, error_code, attempts from deliveries where decision_id = $1`, [id]);
    // Only the first refusal of the run was the message's; the other eleven were the provider's outage.
    expect(row.rows).toEqual([{ status: 'retry', error_code: 'smtp_rejected_transient', attempts: 1 }]);
    await db.pool.query(`update provider_limits set paused_until = now()`);
    expect(await deliverDecisions(loops({ concurrency: 4, ratePerSecond: null })[0], [id])).toMatchObject({ sent: 1 });
    expect((await db.pool.query(`select refusals from provider_limits`)).rows).toEqual([{ refusals: 0 }]);
  });

  it('a send slower than its lease keeps the slot: leases are renewed while calls are in flight', async () => {
    smtp.slowDown(1_000);
    const ids = await alerts(2);
    const deps = loops({ concurrency: 1, ratePerSecond: null }, { leaseMs: 300, maxWaitMs: 5_000 });
    const reports = await deliverInTwo(deps, ids);
    expect(reports.map((r) => r.sent)).toEqual([1, 1]);
    // Without renewal the lease runs out 300 ms into the first second-long send and the other loop's call joins it.
    expect(smtp.peakInFlight()).toBe(1);
  });

  it("a dead worker's lease holds its slot until it runs out; the batch meanwhile is handed back quickly", async () => {
    // Another worker died holding the only slot, 60 s before its lease runs out.
    const provider = smtpProvider(smtp.host, smtp.port);
    await db.pool.query(
      `insert into provider_slots (provider, slot, holder, held_until)
       values ($1::text, 0, 'dead', now() + interval '60 s')`,
      [provider],
    );
    const ids = await alerts(24);
    const started = Date.now();
    const report = await deliverDecisions(loops({ concurrency: 1, ratePerSecond: null }, { maxWaitMs: 1_000 })[0], ids);
    // Eight calls wait out the second together; the other sixteen are handed back at once, not after 2 more seconds.
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(report).toMatchObject({ sent: 0, retry: 24 });
    expect(smtp.messages).toHaveLength(0);
    const rows = await db.pool.query(
      `select count(*)::int as n from deliveries
        where decision_id = any($1::bigint[]) and error_code = 'provider_busy'`,
      [ids],
    );
    expect(rows.rows).toEqual([{ n: 24 }]);
  });

  it('a push service answering 429 with Retry-After is left alone by both loops for as long as it asked', async () => {
    push.respondNext(429, { retryAfter: 2 });
    round += 1;
    const { push: ids } = await decideAlerts(db.pool, {
      creatorId: pushFans.creatorId,
      fanIds: pushFans.fanIds,
      channels: ['push'],
      key: `round-${round}`,
    });
    const deps = loops({ concurrency: 4, ratePerSecond: null }, { maxWaitMs: 300 });
    expect(await deliverDecisions(deps[0], ids.slice(0, 1))).toMatchObject({ sent: 0, retry: 1 });
    const paused = await db.pool.query(
      `select extract(epoch from paused_until - now()) * 1000 as ms from provider_limits where provider = $1::text`,
      [pushProvider(`${push.origin}/push/x`)],
    );
    expect(Number(paused.rows[0].ms)).toBeGreaterThan(1_500);
    const reports = await deliverInTwo(deps, ids.slice(1));
    expect(reports.map((r) => r.sent)).toEqual([0, 0]);
    expect(push.received).toHaveLength(0);
    const busy = await db.pool.query(
      `select count(*)::int as n from deliveries
        where decision_id = any($1::bigint[]) and error_code = 'provider_busy' and attempts = 0`,
      [ids],
    );
    expect(busy.rows).toEqual([{ n: 7 }]);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    // Eight calls share 4 slots: on a loaded machine a push can take longer than the 300 ms wait allowed above.
    const after = await deliverInTwo(loops({ concurrency: 4, ratePerSecond: null }, { maxWaitMs: 10_000 }), ids);
    expect(after[0].sent + after[1].sent).toBe(8);
    expect(push.received).toHaveLength(8);
  });
});

describe('digests under the same limits', () => {
  /** One daily digest for each of the first `n` fans, carrying an alert of a new event; their ids. */
  async function digests(n: number): Promise<number[]> {
    round += 1;
    const { eventId, email } = await decideAlerts(db.pool, {
      creatorId: audience.creatorId,
      fanIds: audience.fanIds.slice(0, n),
      channels: ['email'],
      key: `round-${round}`,
    });
    return recordDigests(
      db.pool,
      email.map((decisionId, i) => ({
        fanId: audience.fanIds[i],
        period: `daily:2026-01-${String(round).padStart(2, '0')}`,
        cadence: 'daily' as const,
        items: [{ decisionId, eventId, score: 0.5 }],
      })),
    );
  }

  it('take slots of the concurrency alerts use: together they never pass it', async () => {
    smtp.slowDown(150);
    const alertIds = await alerts(12);
    const digestIds = await digests(6);
    const [alertLoop, digestLoop] = loops({ concurrency: 2, ratePerSecond: null });
    const [alertReport, digestReport] = await Promise.all([
      deliverDecisions(alertLoop, alertIds),
      deliverDigests(digestLoop, digestIds),
    ]);
    expect(alertReport.sent).toBe(12);
    expect(digestReport).toMatchObject({ sent: 6, retry: 0, retryIds: [] });
    // Ungated, the digest loop's one connection would make a third message in flight beside the alerts' two.
    expect(smtp.peakInFlight()).toBe(2);
    expect(smtp.messages.filter((m) => m.parsed.headers.has('x-fanfare-digest'))).toHaveLength(6);
  });

  it("wait out a refusal's pause like alerts: handed back unsent with no attempt spent, then all sent", async () => {
    smtp.failNext(1, 451, '4.7.1 Try again later');
    const [first] = await alerts(1);
    const ids = await digests(5);
    const [alertLoop, digestLoop] = loops({ concurrency: 4, ratePerSecond: null }, { maxWaitMs: 300 });
    // An alert is refused: the relay is paused for a second, for digests too.
    expect(await deliverDecisions(alertLoop, [first])).toMatchObject({ sent: 0, retry: 1 });
    const started = Date.now();
    const report = await deliverDigests(digestLoop, ids);
    expect(Date.now() - started).toBeLessThan(900);
    expect(report).toMatchObject({ sent: 0, retry: 5, retryIds: ids });
    expect(report.retryAfterMs).toBeGreaterThan(300);
    expect(smtp.messages).toHaveLength(0);
    const rows = await db.pool.query(
      `select status, error_code, attempts from digests where id = any($1::bigint[]) order by id`,
      [ids],
    );
    expect(rows.rows).toEqual(ids.map(() => ({ status: 'retry', error_code: 'provider_busy', attempts: 0 })));
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await deliverDigests(digestLoop, report.retryIds)).toMatchObject({ sent: 5, retry: 0 });
    expect(smtp.messages).toHaveLength(5);
  });
});
