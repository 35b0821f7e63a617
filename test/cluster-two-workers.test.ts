// On the Temporal server itself (v1.29.1 on PostgreSQL, not the dev server): an event of 2,000 fans (20,000 with
// CLUSTER_TEST_FANS) decided and sent by two worker processes: the one running a decideBatch is SIGKILLed (and
// restarted), then the other mid-delivery (and not).
// Every fan is decided exactly once per channel, and every message arrives at most once, delivered or flagged.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig, testDatabaseUrl } from '../app/config.ts';
import { connectTemporal } from '../app/services.ts';
import { dropDatabase } from '../db/databases.ts';
import { eventDeliveriesByAddress } from '../db/deliveries.ts';
import { insertEvent } from '../db/events.ts';
import { vapidKeys } from '../delivery/keys.ts';
import { startTemporalServer, type TemporalDatabases, type TemporalServer } from '../dev/temporal-server.ts';
import { type PushService, startPushService } from '../peers/push-service.ts';
import { type SmtpCapture, startSmtpCapture } from '../peers/smtp-capture.ts';
import { seedAudience } from '../testing/audience.ts';
import { createTestSchema, type TestSchema } from '../testing/db.ts';
import { countBy, countDeliveries, expectDeliveredAtMostOnce, isSettled } from '../testing/delivery-audit.ts';
import { peerWorkerEnv, startWorkerProcess, type WorkerProcess } from '../testing/worker-process.ts';
import { announceEvent } from '../workflows/announce-event.ts';
import { announceWorkflowId, TASK_QUEUE } from '../workflows/names.ts';

/**
 * 2,000 by default, about 1.5 minutes here; CLUSTER_TEST_FANS=20000 is the size, about 12 minutes on two
 * shared cores (figures in docs/DEPLOY.md).
 */
const FANS = Number(process.env.CLUSTER_TEST_FANS ?? 2_000);
const CHANNELS = 2;
const KILLS = 2;
/** Provider calls a worker may have in flight, per provider (PROVIDER_CONCURRENCY's default). */
const PROVIDER_CONCURRENCY = 32;

let db: TestSchema;
let databases: TemporalDatabases;
let server: TemporalServer | undefined;
let smtp: SmtpCapture;
let push: PushService;
let client: Client;
let workerEnv: NodeJS.ProcessEnv;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  db = await createTestSchema('cluster_two_workers');
  const serverUrl = new URL(testDatabaseUrl());
  serverUrl.pathname = '/';
  const suffix = randomBytes(4).toString('hex');
  databases = {
    serverUrl: serverUrl.toString(),
    main: `fanfare_temporal_t${suffix}`,
    visibility: `fanfare_temporal_t${suffix}_visibility`,
  };
  const started = performance.now();
  server = await startTemporalServer({ databases, dir: mkdtempSync(join(tmpdir(), 'fanfare-temporal-')) });
  process.stdout.write(`temporal server on PostgreSQL ready in ${Math.round(performance.now() - started)} ms\n`);
  smtp = await startSmtpCapture();
  push = await startPushService();
  workerEnv = {
    ...peerWorkerEnv({
      databaseUrl: db.connectionString,
      temporalAddress: server.address,
      smtp,
      pushCaCertPem: push.caCertPem,
    }),
    TEMPORAL_NAMESPACE: server.namespace,
    FANFARE_PUSH_HOSTS: push.allowEntry,
  };
  client = await connectTemporal(readConfig(workerEnv));
}, 300_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  await client?.connection.close();
  await server?.stop();
  await smtp?.stop();
  await push?.stop();
  await db?.drop();
  if (databases)
    for (const name of [databases.main, databases.visibility]) {
      const url = new URL(databases.serverUrl);
      url.pathname = `/${name}`;
      await dropDatabase(url.toString());
    }
}, 120_000);

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

async function decisionCount(eventId: number): Promise<number> {
  const r = await db.pool.query('select count(*)::int as n from decisions where event_id = $1::bigint', [eventId]);
  return r.rows[0].n;
}

/** PendingActivityState STARTED: a worker holds the activity. */
const ACTIVITY_STARTED = 2;

/** The pid of a worker running a decideBatch of the event's ranges right now, if one is. */
async function workerDeciding(eventId: number): Promise<number | undefined> {
  const parent = await client.workflow.getHandle(announceWorkflowId(eventId)).describe();
  for (const child of parent.raw.pendingChildren ?? []) {
    // A child the parent has initiated but the server has not started yet is listed before it can be described.
    const range = await client.workflow
      .getHandle(child.workflowId ?? '')
      .describe()
      .catch((error: unknown) => {
        if (error instanceof WorkflowNotFoundError) return undefined;
        throw error;
      });
    if (range === undefined) continue;
    for (const activity of range.raw.pendingActivities ?? []) {
      const running = activity.activityType?.name === 'decideBatch' && activity.state === ACTIVITY_STARTED;
      const pid = /^(\d+)@/.exec(activity.lastWorkerIdentity ?? '')?.[1];
      if (running && pid) return Number(pid);
    }
  }
  return undefined;
}

function arrivedCount(): number {
  return smtp.messages.length + push.received.length;
}

function startWorker(name: string): WorkerProcess {
  const worker = startWorkerProcess(workerEnv, name);
  workers.push(worker);
  return worker;
}

describe('two workers on the Temporal server on PostgreSQL, one killed mid-decision, the other mid-delivery', () => {
  it(`decides ${FANS} fans exactly once per channel and delivers each message at most once`, async () => {
    const t0 = performance.now();
    const seconds = () => Number(((performance.now() - t0) / 1000).toFixed(1));
    const vapid = await vapidKeys(db.pool);
    const audience = await seedAudience(db.pool, {
      fans: FANS,
      handle: 'cluster',
      subscribe: () => push.createSubscription({ applicationServerKey: vapid.publicKey }).subscription,
    });
    const { event } = await insertEvent(db.pool, {
      creatorId: audience.creatorId,
      kind: 'post',
      title: 'Two workers',
      url: 'https://creators.example/p/cluster',
      audience: { rule: 'all' },
      idempotencyKey: 'cluster-two-workers',
      deadline: null,
    });
    const seeded = seconds();
    const expected = FANS * CHANNELS;

    const a = startWorker('worker A');
    const b = startWorker('worker B');
    await Promise.all([a.polling, b.polling]);
    const polling = seconds();
    await client.workflow.start(announceEvent, {
      workflowId: announceWorkflowId(event.id),
      taskQueue: TASK_QUEUE,
      args: [{ eventId: event.id }],
    });

    // Mid-decision: the worker running a decideBatch (its identity is `pid@host`) goes, while the page is in hand;
    // a restarted worker takes its place.
    const pid = await until('a decideBatch in hand', 180_000, () => workerDeciding(event.id));
    const [killed, other] = pid === a.child.pid ? [a, b] : [b, a];
    expect([a.child.pid, b.child.pid]).toContain(pid);
    const decidedAtKill = await decisionCount(event.id);
    await killed.kill();
    const firstKill = seconds();
    const restarted = startWorker('worker restarted');
    await restarted.polling;

    // Mid-delivery: a quarter of the messages in; the other first worker goes, and the restarted one finishes.
    const arrivedAtKill = await until('a quarter of the messages', 300_000, async () => {
      const n = arrivedCount();
      return n >= expected / 4 ? n : undefined;
    });
    await other.kill();
    const secondKill = seconds();

    const decided = await until('every decision', 600_000, async () => {
      const n = await decisionCount(event.id);
      return n >= expected ? n : undefined;
    });
    const allDecided = seconds();
    const ledger = await until('a settled ledger', 900_000, async () => {
      const rows = await eventDeliveriesByAddress(db.pool, event.id);
      return rows.length === expected && rows.every(isSettled) ? rows : undefined;
    });
    const settled = seconds();
    // Nothing more may arrive once the ledger is settled.
    await new Promise((resolve) => setTimeout(resolve, 3000));

    const dup = await db.pool.query(
      `select fan_id, channel, count(*)::int as n from decisions where event_id = $1::bigint
        group by fan_id, channel having count(*) > 1`,
      [event.id],
    );
    const perChannel = await db.pool.query(
      `select channel, action, count(distinct fan_id)::int as fans from decisions where event_id = $1::bigint
        group by channel, action order by channel, action`,
      [event.id],
    );
    const audit = countDeliveries(smtp, push);
    const { arrived } = audit;
    const possiblySent = ledger.filter((r) => r.status === 'possibly_sent');
    const summary = {
      fans: FANS,
      seconds: { seeded, polling, firstKill, secondKill, allDecided, settled },
      decidedAtKill,
      arrivedAtKill,
      statuses: Object.fromEntries(countBy(ledger.map((r) => `${r.channel} ${r.status}`))),
      possiblySent: possiblySent.length,
      possiblySentArrived: possiblySent.filter((r) => arrived(r) === 1).length,
      possiblySentLost: possiblySent.filter((r) => arrived(r) === 0).length,
    };
    process.stdout.write(`cluster two workers: ${JSON.stringify(summary)}\n`);

    // The kills came mid-way: the first before every decision was written, the second before every message arrived.
    expect(decidedAtKill).toBeLessThan(expected);
    expect(arrivedAtKill).toBeLessThan(expected);
    // Decided exactly once: one row per fan and channel, as many as audience × channels, every one an alert now.
    expect(dup.rows).toEqual([]);
    expect(decided).toBe(expected);
    expect(perChannel.rows).toEqual([
      { channel: 'email', action: 'alert', fans: FANS },
      { channel: 'push', action: 'alert', fans: FANS },
    ]);
    // Delivered at most once, nothing the ledger does not hold, and every row sent or flagged possibly_sent.
    expectDeliveredAtMostOnce(ledger, audit);
    // A message that never arrived is flagged possibly_sent, never lost silently (docs/DELIVERY.md); only a call in
    // flight at a kill can be, so at most the two providers' calls in flight per kill.
    const lost = ledger.filter((r) => arrived(r) === 0);
    expect(lost.filter((r) => r.status !== 'possibly_sent')).toEqual([]);
    expect(possiblySent.length).toBeLessThanOrEqual(KILLS * CHANNELS * PROVIDER_CONCURRENCY);
  }, 1_500_000);
});
