// One event decided in fan-id ranges by child workflows on two worker processes, one SIGKILLed mid-decision and
// replaced: every fan decided exactly once per channel, by the expected children, with every history bounded.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../app/config.ts';
import { connectTemporal } from '../app/services.ts';
import { activateCapPolicy } from '../db/cap-policies.ts';
import { insertEvent } from '../db/events.ts';
import { vapidKeys } from '../delivery/keys.ts';
import { type PushService, startPushService } from '../peers/push-service.ts';
import { type SmtpCapture, startSmtpCapture } from '../peers/smtp-capture.ts';
import { DEFAULT_CAP_POLICY } from '../policy/cap-policy.ts';
import { seedAudience } from '../testing/audience.ts';
import { createTestSchema, type TestSchema } from '../testing/db.ts';
import { trainActiveModel } from '../testing/model.ts';
import { useTemporalDevServer } from '../testing/temporal.ts';
import { announceEvent } from '../workflows/announce-event.ts';
import { announceWorkflowId, decideRangeWorkflowId, TASK_QUEUE } from '../workflows/names.ts';

const BIN = fileURLToPath(new URL('../bin/fanfare.js', import.meta.url));
const FANS = 5000;
const PAGE_SIZE = 100;
const RANGE_SIZE = 500;
const RANGES = FANS / RANGE_SIZE;
/** Small runs, so both the parent (3 plans) and every child (3 runs of 2 pages) cross continue-as-new. */
const RANGES_PER_RUN = 4;
const PAGES_PER_RUN = 2;

const temporal = useTemporalDevServer();
let db: TestSchema;
let smtp: SmtpCapture;
let push: PushService;
let client: Client;
let workerEnv: NodeJS.ProcessEnv;
const children: ChildProcess[] = [];

function startWorkerProcess(): ChildProcess {
  const child = spawn(process.execPath, [BIN, 'worker', '--only', 'main'], {
    env: workerEnv,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  child.on('exit', (code, signal) => {
    if (code && code !== 0) process.stderr.write(`worker exited ${code} ${signal}: ${err.slice(-2000)}\n`);
  });
  children.push(child);
  return child;
}

const decidedCount = async (eventId: number): Promise<number> =>
  (await db.pool.query(`select count(*)::int as n from decisions where event_id = $1::bigint`, [eventId])).rows[0].n;

beforeAll(async () => {
  db = await createTestSchema('announce_parallel');
  smtp = await startSmtpCapture();
  push = await startPushService();
  // Scored decisions (features, SHAP, the fans' row locks), with thresholds no score clears: a digest or a suppress
  // for every fan, so the workers spend the test deciding rather than delivering.
  await trainActiveModel(db.pool);
  const unreachable = { alertThreshold: { email: 0.999, push: 0.999 } };
  await activateCapPolicy(
    db.pool,
    {
      ...DEFAULT_CAP_POLICY,
      name: 'decide_only',
      kinds: {
        post: { ...DEFAULT_CAP_POLICY.kinds.post, ...unreachable },
        live: { ...DEFAULT_CAP_POLICY.kinds.live, ...unreachable },
        announcement: { ...DEFAULT_CAP_POLICY.kinds.announcement, ...unreachable },
      },
    },
    'announce-parallel-test',
  );
  workerEnv = {
    ...process.env,
    DATABASE_URL: db.connectionString,
    TEMPORAL_ADDRESS: temporal().address,
    SMTP_HOST: smtp.host,
    SMTP_PORT: String(smtp.port),
    FANFARE_PUSH_HOSTS: push.allowEntry,
    FANFARE_WORKER_METRICS_ADDRESS: 'off',
    FANFARE_TEMPORAL_METRICS_ADDRESS: 'off',
  };
  client = await connectTemporal(readConfig(workerEnv));
}, 180_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await client?.connection.close();
  await smtp?.stop();
  await push?.stop();
  await db?.drop();
});

describe('one event decided in parallel ranges', () => {
  it(`decides ${FANS} fans once each in ${RANGES} child workflows across a worker's SIGKILL`, async () => {
    const vapid = await vapidKeys(db.pool);
    const audience = await seedAudience(db.pool, {
      fans: FANS,
      handle: 'wide',
      subscribe: () => push.createSubscription({ applicationServerKey: vapid.publicKey }).subscription,
    });
    const { event } = await insertEvent(db.pool, {
      creatorId: audience.creatorId,
      kind: 'post',
      title: 'Wide post',
      url: 'https://creators.example/wide',
      audience: { rule: 'all' },
      idempotencyKey: 'wide-1',
      deadline: null,
    });

    const doomed = startWorkerProcess();
    startWorkerProcess();
    const handle = await client.workflow.start(announceEvent, {
      workflowId: announceWorkflowId(event.id),
      taskQueue: TASK_QUEUE,
      args: [
        {
          eventId: event.id,
          pageSize: PAGE_SIZE,
          rangeSize: RANGE_SIZE,
          concurrency: 4,
          rangesPerRun: RANGES_PER_RUN,
          pagesPerRun: PAGES_PER_RUN,
        },
      ],
    });
    // Kill one worker while pages are being decided: some recorded, most not.
    let atKill = 0;
    for (let i = 0; i < 1200 && atKill < 0.2 * 2 * FANS; i++) {
      await new Promise((r) => setTimeout(r, 250));
      atKill = await decidedCount(event.id);
    }
    doomed.kill('SIGKILL');
    await new Promise((r) => doomed.once('exit', r));
    expect(atKill).toBeGreaterThan(0);
    expect(atKill).toBeLessThan(2 * FANS);
    startWorkerProcess();

    const result = await handle.result();
    expect(result).toEqual({ ranges: RANGES, fans: FANS, decisions: 2 * FANS });

    const { rows } = await db.pool.query(
      `select fan_id, count(*)::int as channels, count(distinct channel)::int as distinct_channels,
              min(decided_at) as first_at
         from decisions where event_id = $1::bigint group by fan_id order by fan_id`,
      [event.id],
    );
    expect(rows.map((r) => r.fan_id)).toEqual([...audience.fanIds].sort((a, b) => a - b));
    expect(rows.every((r) => r.channels === 2 && r.distinct_channels === 2)).toBe(true);

    // The children are the ranges the plan cut, named by where each starts: every 500th fan.
    const sorted = [...audience.fanIds].sort((a, b) => a - b);
    const starts = Array.from({ length: RANGES }, (_, i) => (i === 0 ? 0 : sorted[i * RANGE_SIZE - 1]));
    for (const after of starts) {
      const child = await client.workflow.getHandle(decideRangeWorkflowId(event.id, after)).describe();
      expect(child.status.name, `range after ${after}`).toBe('COMPLETED');
    }
    // Side by side: some range started deciding before an earlier one had finished.
    const spans = starts.map((after, i) => {
      const own = rows.filter((r) => r.fan_id > after && (i === RANGES - 1 || r.fan_id <= starts[i + 1]));
      const times = own.map((r) => r.first_at.getTime());
      return { from: Math.min(...times), to: Math.max(...times) };
    });
    expect(spans.some((s, i) => spans.some((t, j) => j > i && t.from < s.to))).toBe(true);

    // History stays bounded: each run of the parent and of a child is a few dozen events here.
    const parentEvents = (await handle.fetchHistory()).events?.length ?? 0;
    const childEvents = (await client.workflow.getHandle(decideRangeWorkflowId(event.id, 0)).fetchHistory()).events
      ?.length;
    process.stdout.write(
      `at kill ${atKill} decisions; last run's history: parent ${parentEvents}, child ${childEvents}\n`,
    );
    expect(parentEvents).toBeLessThan(9 * RANGES_PER_RUN + 20);
    expect(childEvents).toBeLessThan(12 * PAGES_PER_RUN + 20);
  }, 420_000);
});
