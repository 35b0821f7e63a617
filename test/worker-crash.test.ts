// The worker process is killed with SIGKILL in the middle of delivery and restarted: no fan missing, none duplicated.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../app/config.ts';
import { connectTemporal } from '../app/services.ts';
import { insertEvent } from '../db/events.ts';
import { vapidKeys } from '../delivery/keys.ts';
import { type PushService, startPushService } from '../peers/push-service.ts';
import { type SmtpCapture, startSmtpCapture } from '../peers/smtp-capture.ts';
import { type SeededAudience, seedAudience } from '../testing/audience.ts';
import { createTestSchema, type TestSchema } from '../testing/db.ts';
import { useTemporalDevServer } from '../testing/temporal.ts';
import { announceEvent } from '../workflows/announce-event.ts';
import { announceWorkflowId, TASK_QUEUE } from '../workflows/names.ts';

const BIN = fileURLToPath(new URL('../bin/fanfare.js', import.meta.url));
const FANS = 300;
const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 1);

const temporal = useTemporalDevServer();
let db: TestSchema;
let smtp: SmtpCapture;
let push: PushService;
let client: Client;
let workerEnv: NodeJS.ProcessEnv;
let children: ChildProcess[] = [];

function startWorkerProcess(): ChildProcess {
  const child = spawn(process.execPath, [BIN, 'worker'], { env: workerEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  child.on('exit', (code, signal) => {
    if (code && code !== 0) process.stderr.write(`worker exited ${code} ${signal}: ${err.slice(-2000)}\n`);
  });
  children.push(child);
  return child;
}

async function stopWorkers(): Promise<void> {
  const running = children.filter((c) => c.exitCode === null && c.signalCode === null);
  for (const c of running) c.kill('SIGKILL');
  await Promise.all(running.map((c) => new Promise((r) => c.once('exit', r))));
  children = [];
}

beforeAll(async () => {
  db = await createTestSchema('worker_crash');
  smtp = await startSmtpCapture();
  push = await startPushService();
  const caFile = join(mkdtempSync(join(tmpdir(), 'fanfare-ca-')), 'push-ca.pem');
  writeFileSync(caFile, push.caCertPem);
  workerEnv = {
    ...process.env,
    DATABASE_URL: db.connectionString,
    TEMPORAL_ADDRESS: temporal().address,
    SMTP_HOST: smtp.host,
    SMTP_PORT: String(smtp.port),
    PUSH_CA_FILE: caFile,
    // The local push service listens on loopback: allowed explicitly, as an operator would.
    FANFARE_PUSH_HOSTS: push.allowEntry,
    DELIVERY_CONCURRENCY: '4',
    // Metrics are another test's subject; their default ports could meet another test file's listeners.
    FANFARE_WORKER_METRICS_ADDRESS: 'off',
    FANFARE_TEMPORAL_METRICS_ADDRESS: 'off',
  };
  client = await connectTemporal(readConfig(workerEnv));
});

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await client?.connection.close();
  await smtp?.stop();
  await push?.stop();
  await db?.drop();
});

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
      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));
      const atKill = { mails: smtp.messages.length, pushes: push.received.length };
      expect(atKill.mails).toBeLessThan(FANS);

      startWorkerProcess();
      try {
        await smtp.waitFor(FANS, 120_000);
        await push.waitFor(FANS, 120_000);
      } catch (err) {
        const got = new Set(smtp.messages.map((m) => m.envelope.to.join(',')));
        const pushed = new Set(push.received.map((p) => p.endpoint));
        const endpoints = await db.pool.query(
          `select f.email, s.endpoint from push_subscriptions s
            join fans f on f.id = s.fan_id where f.email = any($1::text[])`,
          [audience.emails],
        );
        const missing = [
          ...audience.emails.filter((e) => !got.has(e)),
          ...endpoints.rows.filter((r) => !pushed.has(r.endpoint)).map((r) => r.email),
        ];
        const rows = await db.pool.query(
          `select f.email, v.channel, v.status, v.attempts, v.error_code from deliveries v
            join decisions d on d.id = v.decision_id join fans f on f.id = d.fan_id
            where d.event_id = $1::bigint and (f.email = any($2::text[]) or v.status not in ('sent'))`,
          [event.id, missing],
        );
        throw new Error(
          `${(err as Error).message}; missing ${JSON.stringify(missing)}; ledger ${JSON.stringify(rows.rows)}`,
        );
      }
      // Everything settled in the ledger; then a pause in which nothing more may arrive.
      for (let i = 0; i < 100; i++) {
        const open = await db.pool.query(
          `select count(*)::int as n from deliveries where status in ('sending', 'retry')`,
        );
        if (open.rows[0].n === 0) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      await new Promise((r) => setTimeout(r, 2000));

      const mailsTo = smtp.messages.map((m) => m.envelope.to.join(','));
      expect(new Set(mailsTo).size).toBe(FANS);
      expect(mailsTo.length).toBe(FANS);
      expect(new Set(audience.emails)).toEqual(new Set(mailsTo));
      const endpoints = push.received.map((p) => p.endpoint);
      expect(new Set(endpoints).size).toBe(FANS);
      expect(endpoints.length).toBe(FANS);
      const ledger = await db.pool.query(
        `select v.status, count(*)::int as n from deliveries v join decisions d on d.id = v.decision_id
          where d.event_id = $1::bigint group by 1 order by 1`,
        [event.id],
      );
      process.stdout.write(
        `round ${round + 1}: at kill ${JSON.stringify(atKill)}, ledger ${JSON.stringify(ledger.rows)}\n`,
      );
      expect(ledger.rows.reduce((s, r) => s + r.n, 0)).toBe(2 * FANS);
      expect(ledger.rows.every((r) => r.status === 'sent' || r.status === 'possibly_sent')).toBe(true);
      // Each round starts with no worker, so its kill and restart are the only ones in play.
      await stopWorkers();
    }, 300_000);
  }
});
