// The worker process is killed with SIGKILL in the middle of delivery and restarted: no fan missing, none duplicated.
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../app/config.ts';
import { connectTemporal } from '../app/services.ts';
import { type AddressedDelivery, eventDeliveriesByAddress } from '../db/deliveries.ts';
import { insertEvent } from '../db/events.ts';
import { vapidKeys } from '../delivery/keys.ts';
import { type PushService, startPushService } from '../peers/push-service.ts';
import { type SmtpCapture, startSmtpCapture } from '../peers/smtp-capture.ts';
import { type SeededAudience, seedAudience } from '../testing/audience.ts';
import { createTestSchema, type TestSchema } from '../testing/db.ts';
import { countBy, countDeliveries, expectDeliveredAtMostOnce, isSettled } from '../testing/delivery-audit.ts';
import { useTemporalDevServer } from '../testing/temporal.ts';
import { peerWorkerEnv, startWorkerProcess as spawnWorker, type WorkerProcess } from '../testing/worker-process.ts';
import { announceEvent } from '../workflows/announce-event.ts';
import { announceWorkflowId, TASK_QUEUE } from '../workflows/names.ts';

const FANS = 300;
const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 1);

const temporal = useTemporalDevServer();
let db: TestSchema;
let smtp: SmtpCapture;
let push: PushService;
let client: Client;
let workerEnv: NodeJS.ProcessEnv;
let children: WorkerProcess[] = [];

function startWorkerProcess(): WorkerProcess {
  const worker = spawnWorker(workerEnv);
  children.push(worker);
  return worker;
}

async function stopWorkers(): Promise<void> {
  await Promise.all(children.map((c) => c.kill()));
  children = [];
}

beforeAll(async () => {
  db = await createTestSchema('worker_crash');
  smtp = await startSmtpCapture();
  push = await startPushService();
  workerEnv = {
    ...peerWorkerEnv({
      databaseUrl: db.connectionString,
      temporalAddress: temporal().address,
      smtp,
      pushCaCertPem: push.caCertPem,
    }),
    // The local push service listens on loopback: allowed explicitly, as an operator would.
    FANFARE_PUSH_HOSTS: push.allowEntry,
    DELIVERY_CONCURRENCY: '4',
  };
  client = await connectTemporal(readConfig(workerEnv));
});

afterAll(async () => {
  await Promise.all(children.map((c) => c.kill()));
  await client?.connection.close();
  await smtp?.stop();
  await push?.stop();
  await db?.drop();
});

/** Polls the event's deliveries until `rows` rows exist and every one is settled. */
async function waitForSettledLedger(eventId: number, rows: number, timeoutMs: number): Promise<AddressedDelivery[]> {
  const deadline = Date.now() + timeoutMs;
  let last: AddressedDelivery[] = [];
  while (Date.now() < deadline) {
    last = await eventDeliveriesByAddress(db.pool, eventId);
    if (last.length === rows && last.every(isSettled)) return last;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `the ledger did not settle in ${timeoutMs} ms: ${JSON.stringify(countBy(last.map((x) => x.status)))}`,
  );
}

describe('a worker killed mid-delivery', () => {
  for (let round = 0; round < ROUNDS; round++) {
    it(`delivers to every fan exactly once after a restart (round ${round + 1})`, async () => {
      smtp.clear();
      push.clear();
      const vapid = await vapidKeys(db.pool);
      const audience: SeededAudience = await seedAudience(db.pool, {
        fans: FANS,
        handle: `crash${round}`,
        subscribe: () => push.createSubscription({ applicationServerKey: vapid.publicKey }).subscription,
      });
      const { event } = await insertEvent(db.pool, {
        creatorId: audience.creatorId,
        kind: 'post',
        title: `Round ${round}`,
        url: 'https://creators.example/p/crash',
        audience: { rule: 'all' },
        idempotencyKey: `crash-${round}`,
        deadline: null,
      });

      const first = startWorkerProcess();
      await client.workflow.start(announceEvent, {
        workflowId: announceWorkflowId(event.id),
        taskQueue: TASK_QUEUE,
        args: [{ eventId: event.id }],
      });
      // Kill it while messages are flowing: some delivered, most not.
      await smtp.waitFor(60, 120_000);
      await first.kill();
      const atKill = { mails: smtp.messages.length, pushes: push.received.length };
      expect(atKill.mails).toBeLessThan(FANS);

      startWorkerProcess();
      // The restarted worker finishes: every row settles, then a pause in which nothing more may arrive.
      const ledger = await waitForSettledLedger(event.id, 2 * FANS, 180_000);
      await new Promise((r) => setTimeout(r, 2000));

      const audit = countDeliveries(smtp, push);
      const { arrived } = audit;
      const summary = {
        atKill,
        statuses: countBy(ledger.map((r) => `${r.channel} ${r.status}`)),
        possiblySentArrived: ledger.filter((r) => r.status === 'possibly_sent' && arrived(r) === 1).length,
      };
      process.stdout.write(
        `round ${round + 1}: ${JSON.stringify(summary, (_k, v) => (v instanceof Map ? [...v] : v))}\n`,
      );

      // Nothing arrives twice or unknown to the ledger; every row sent (and arrived) or possibly_sent.
      expectDeliveredAtMostOnce(ledger, audit);
      // A message that never arrived is flagged possibly_sent, never lost silently; only a kill between the ledger's
      // COMMIT and the last byte (two adjacent socket writes, docs/DELIVERY.md) leaves one, so at most one per kill.
      const lost = ledger.filter((r) => arrived(r) === 0);
      expect(lost.length, JSON.stringify(lost)).toBeLessThanOrEqual(1);
      // Each round starts with no worker, so its kill and restart are the only ones in play.
      await stopWorkers();
    }, 300_000);
  }
});
