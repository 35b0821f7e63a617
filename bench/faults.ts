// The fault bench (issue 19): one event to N fans with email and push, a fault on purpose mid-event, run to
// completion, then the peers' own count of each message audited against the ledger.
//
//   npx tsx bench/faults.ts [--fans 10000] [--scenario NAME]… [--workers 1] [--out DIR]
//
// Scenarios (all by default, one after the other): worker-kill (the worker SIGKILLed 20 times at random moments of
// deciding and delivering, restarted after each), smtp-down (the SMTP peer refusing connections for 2 minutes),
// push-5xx-429 (the push service answering 503 for a minute, then 429 with Retry-After for 30 s), postgres-restart
// (the bench's own PostgreSQL stopped and started mid-delivery), temporal-restart (the bench's own Temporal dev server,
// on a database file, stopped and started mid-event). The bench runs its own embedded PostgreSQL and Temporal dev
// server in a scratch directory (never the machine's shared ones), the SMTP capture and push service in a process of
// their own (bench/delivery-peers.ts), and `fanfare worker --only main` processes as production runs them. No model
// is active, so every fan gets an alert on both channels, due at once. Exits 1 if any message was duplicated or lost.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, createWriteStream, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { readToolPaths } from '../app/config.ts';
import { type EventLedgerRow, eventAlertLedger } from '../db/deliveries.ts';
import { insertEvent } from '../db/events.ts';
import { resetProviderLimits } from '../db/provider-limits.ts';
import { vapidKeys } from '../delivery/keys.ts';
import type { PushSubscriptionJson } from '../delivery/push-sender.ts';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../dev/embedded-postgres.ts';
import { type DevServer, startDevServer } from '../dev/temporal.ts';
import { seedAudience } from '../testing/audience.ts';
import { createTestSchema } from '../testing/db.ts';
import { freePort } from '../testing/free-port.ts';
import { peerWorkerEnv } from '../testing/worker-process.ts';
import { announceEvent } from '../workflows/announce-event.ts';
import { announceWorkflowId, TASK_QUEUE } from '../workflows/names.ts';
import { ask, forkDeliveryPeers } from './peer-process.ts';

const SCENARIOS = ['worker-kill', 'smtp-down', 'push-5xx-429', 'postgres-restart', 'temporal-restart'] as const;
type Scenario = (typeof SCENARIOS)[number];

const { values } = parseArgs({
  options: {
    fans: { type: 'string', default: '10000' },
    scenario: { type: 'string', multiple: true },
    workers: { type: 'string', default: '1' },
    out: { type: 'string', default: '.data/faults' },
  },
});
const FANS = Number(values.fans);
const WORKERS = Number(values.workers);
if (!Number.isInteger(FANS) || FANS < 10) throw new Error('--fans must be an integer of at least 10');
if (!Number.isInteger(WORKERS) || WORKERS < 1) throw new Error('--workers must be a positive integer');
const chosen = (values.scenario ?? [...SCENARIOS]) as Scenario[];
for (const s of chosen)
  if (!SCENARIOS.includes(s)) throw new Error(`--scenario must be one of ${SCENARIOS.join(', ')}`);
const OUT = resolve(values.out!);
const BIN = fileURLToPath(new URL('../bin/fanfare.js', import.meta.url));
/** How long a run may take to settle once its fault is over before the bench gives up on it. */
const SETTLE_TIMEOUT_MS = 20 * 60_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);

// The stack: peers in their own process, PostgreSQL and Temporal of the bench's own on fixed ports (so a restart
// comes back where the workers look for it).
const { peers, ready } = await forkDeliveryPeers();
const scratch = mkdtempSync(join(tmpdir(), 'fanfare-faults-'));
chmodSync(scratch, 0o755);
mkdirSync(OUT, { recursive: true });
const pgOptions = { dataDir: join(scratch, 'pg'), cacheDir: readToolPaths().cacheDir, port: await freePort() };
let pg: EmbeddedPostgres = await startEmbeddedPostgres(pgOptions);
const db = await createTestSchema('bench_faults', { url: pg.connectionString });
const temporalOptions = { dbFile: join(scratch, 'temporal.db'), port: await freePort(), httpPort: await freePort() };
let temporal: DevServer = await startDevServer(temporalOptions);
const client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
const env = peerWorkerEnv({
  databaseUrl: db.connectionString,
  temporalAddress: temporal.address,
  smtp: ready.smtp,
  pushCaCertPem: ready.caCertPem,
  dir: scratch,
});
const workerLog = createWriteStream(join(scratch, 'workers.log'));
let workers: ChildProcess[] = [];
/** Workers that exited without being told to: each one is a finding, restarted as a supervisor would. */
let crashes = 0;

/** Starts a worker process and resolves once it polls its task queue; one that dies on its own is restarted. */
function startWorker(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'worker', '--only', 'main'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  workers.push(child);
  child.stderr!.pipe(workerLog, { end: false });
  child.once('exit', (code, signal) => {
    if (!workers.includes(child)) return; // stopped by the bench
    workers = workers.filter((w) => w !== child);
    crashes++;
    log(`a worker exited on its own (${code ?? signal}); restarting it (output in ${join(scratch, 'workers.log')})`);
    setTimeout(() => startWorker().catch(() => {}), 1_000);
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      workerLog.write(d);
      if (String(d).includes('polling')) resolve(child);
    });
    child.once('exit', (code, signal) => reject(new Error(`worker exited ${code ?? signal} before polling`)));
  });
}

async function killWorker(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  workers = workers.filter((w) => w !== child);
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  }
}

interface Progress {
  mails: number;
  pushes: number;
}
const progress = () => ask<Progress>(peers, { op: 'stats' });

/** Resolves once the peers hold at least `share` of the messages expected. */
async function waitForShare(expected: number, share: number): Promise<void> {
  for (;;) {
    const p = await progress();
    if (p.mails + p.pushes >= expected * share) return;
    await sleep(200);
  }
}

type LedgerRow = EventLedgerRow;

/** The event's alert decisions with their delivery's status (null: no row yet); null while PostgreSQL is away. */
async function ledger(eventId: number): Promise<LedgerRow[] | null> {
  try {
    return await eventAlertLedger(db.pool, eventId);
  } catch {
    return null;
  }
}

/** Whether announceEvent is done (every fan decided); false while Temporal is away. */
async function decided(eventId: number): Promise<boolean> {
  try {
    const d = await client.workflow.getHandle(announceWorkflowId(eventId)).describe();
    return d.status.name === 'COMPLETED';
  } catch {
    return false;
  }
}

const SETTLED = new Set(['sent', 'failed', 'skipped', 'possibly_sent']);

/** Polls until every fan is decided and every alert's delivery is settled; the rows, and when that was seen. */
async function waitUntilSettled(eventId: number, deadline: number): Promise<{ rows: LedgerRow[]; at: number }> {
  let last: LedgerRow[] = [];
  while (Date.now() < deadline) {
    const rows = await ledger(eventId);
    if (rows) last = rows;
    if (rows && rows.length > 0 && rows.every((r) => r.status && SETTLED.has(r.status)) && (await decided(eventId)))
      return { rows, at: Date.now() };
    await sleep(1_000);
  }
  const counts: Record<string, number> = {};
  for (const r of last) counts[String(r.status)] = (counts[String(r.status)] ?? 0) + 1;
  throw new Error(`the ledger did not settle in time: ${JSON.stringify(counts)}`);
}

/** What a scenario did: when its fault ended (epoch ms), and anything worth reporting. */
interface FaultDone {
  endedAt: number;
  note: string;
}

interface Run {
  eventId: number;
  expected: number;
  started: number;
}

/** Each scenario injects its fault into a running event and returns once the fault is over. */
const faults: Record<Scenario, (run: Run) => Promise<FaultDone>> = {
  async 'worker-kill'(run) {
    let kills = 0;
    let restartedAt = Date.now();
    for (; kills < 20; kills++) {
      // A random moment: 0.5 to 6 s after the worker polls, whatever it is doing (deciding, delivering, both).
      await sleep(500 + Math.random() * 5_500);
      const rows = await ledger(run.eventId);
      if (rows && rows.length > 0 && rows.every((r) => r.status && SETTLED.has(r.status))) break;
      const victim = workers[0];
      if (!victim) continue; // it died on its own and is being restarted
      await killWorker(victim, 'SIGKILL');
      const p = await progress();
      log(`kill ${kills + 1}: ${p.mails} emails, ${p.pushes} pushes at the peers`);
      await startWorker();
      restartedAt = Date.now();
    }
    return { endedAt: restartedAt, note: `${kills} kills` };
  },
  async 'smtp-down'(run) {
    await waitForShare(run.expected, 0.1);
    await ask(peers, { op: 'smtpDown' });
    log('SMTP down');
    await sleep(120_000);
    await ask(peers, { op: 'smtpUp' });
    log('SMTP up');
    return { endedAt: Date.now(), note: 'SMTP refusing connections for 120 s' };
  },
  async 'push-5xx-429'(run) {
    await waitForShare(run.expected, 0.1);
    await ask(peers, { op: 'pushOutage', fault: { status: 503 } });
    log('push: 503');
    await sleep(60_000);
    await ask(peers, { op: 'pushOutage', fault: { status: 429, retryAfter: 10 } });
    log('push: 429, Retry-After 10');
    await sleep(30_000);
    await ask(peers, { op: 'pushOutage', fault: null });
    log('push: normal');
    return { endedAt: Date.now(), note: 'push 503 for 60 s, then 429 with Retry-After: 10 for 30 s' };
  },
  async 'postgres-restart'(run) {
    await waitForShare(run.expected, 0.2);
    const stopped = Date.now();
    await pg.stop();
    log('PostgreSQL stopped');
    await sleep(5_000);
    pg = await startEmbeddedPostgres(pgOptions);
    log('PostgreSQL started');
    return { endedAt: Date.now(), note: `PostgreSQL down ${((Date.now() - stopped) / 1000).toFixed(1)} s` };
  },
  async 'temporal-restart'(run) {
    await waitForShare(run.expected, 0.1);
    const stopped = Date.now();
    await temporal.stop();
    log('Temporal stopped');
    await sleep(5_000);
    temporal = await startDevServer(temporalOptions);
    log('Temporal started');
    return { endedAt: Date.now(), note: `Temporal down ${((Date.now() - stopped) / 1000).toFixed(1)} s` };
  },
};

interface ChannelFigures {
  expected: number;
  delivered: number;
  duplicated: number;
  lost: number;
  possiblySent: number;
  possiblySentArrived: number;
}

async function runScenario(scenario: Scenario, index: number): Promise<Record<string, unknown>> {
  log(`${scenario}: seeding ${FANS} fans`);
  await resetProviderLimits(db.pool);
  await ask(peers, { op: 'clear' });
  const vapid = await vapidKeys(db.pool);
  const { subscriptions } = await ask<{ subscriptions: PushSubscriptionJson[] }>(peers, {
    op: 'subscribe',
    count: FANS,
    applicationServerKey: vapid.publicKey,
  });
  env.FANFARE_PUSH_HOSTS = new URL(subscriptions[0].endpoint).host;
  const audience = await seedAudience(db.pool, {
    fans: FANS,
    handle: `faults${index}`,
    subscribe: (i) => subscriptions[i],
  });
  const { event } = await insertEvent(db.pool, {
    creatorId: audience.creatorId,
    kind: 'post',
    title: `Fault bench: ${scenario}`,
    url: 'https://creators.example/bench/faults',
    audience: { rule: 'all' },
    idempotencyKey: `faults-${scenario}-${index}`,
    deadline: null,
  });
  crashes = 0;
  await Promise.all(Array.from({ length: WORKERS }, startWorker));
  const load0 = loadavg()[0];
  const started = Date.now();
  await client.workflow.start(announceEvent, {
    workflowId: announceWorkflowId(event.id),
    taskQueue: TASK_QUEUE,
    args: [{ eventId: event.id }],
  });
  log(`${scenario}: event ${event.id} announced`);
  const fault = await faults[scenario]({ eventId: event.id, expected: 2 * FANS, started });
  const { rows, at } = await waitUntilSettled(event.id, Date.now() + SETTLE_TIMEOUT_MS);
  // A pause in which nothing more may arrive: a late copy would be a duplicate.
  await sleep(5_000);
  const tally = await ask<{ email: [number, number][]; push: [number, number][] }>(peers, { op: 'tally' });
  for (const w of [...workers]) await killWorker(w, 'SIGTERM');

  const copies = { email: new Map(tally.email), push: new Map(tally.push) };
  const figures = (channel: 'email' | 'push'): ChannelFigures => {
    const mine = rows.filter((r) => r.channel === channel);
    const ids = new Set(mine.map((r) => r.decision_id));
    const arrived = (r: LedgerRow) => copies[channel].get(r.decision_id) ?? 0;
    const possiblySent = mine.filter((r) => r.status === 'possibly_sent');
    return {
      expected: mine.length,
      delivered: mine.filter((r) => arrived(r) > 0).length,
      duplicated: mine.reduce((n, r) => n + Math.max(0, arrived(r) - 1), 0),
      // A possibly_sent row is not lost only if the peer has it.
      lost: mine.filter((r) => arrived(r) === 0).length,
      possiblySent: possiblySent.length,
      possiblySentArrived: possiblySent.filter((r) => arrived(r) > 0).length,
      // Copies of messages that are not this event's alerts at all would be a bug too.
      ...(() => {
        const strangers = [...copies[channel].keys()].filter((id) => !ids.has(id)).length;
        return strangers ? { strangers } : {};
      })(),
    };
  };
  // By channel, status and error code, and whether the peer has it: where a loss came from.
  const statuses: Record<string, number> = {};
  for (const r of rows) {
    const at = copies[r.channel].has(r.decision_id) ? '' : ' (not at the peer)';
    const key = `${r.channel} ${r.status}${r.error_code ? ` ${r.error_code}` : ''}${at}`;
    statuses[key] = (statuses[key] ?? 0) + 1;
  }
  // Each lost message's row as the ledger tells it, to pin where it was lost.
  const lostRows = rows
    .filter((r) => !copies[r.channel].has(r.decision_id))
    .map((r) => ({ decisionId: r.decision_id, channel: r.channel, status: r.status, errorMessage: r.error_message }));
  const result = {
    scenario,
    fans: FANS,
    workers: WORKERS,
    fault: fault.note,
    workerCrashes: crashes,
    email: figures('email'),
    push: figures('push'),
    statuses,
    lostRows,
    drainSeconds: Math.max(0, (at - fault.endedAt) / 1000),
    totalSeconds: (at - started) / 1000,
    loadAverage: [load0, loadavg()[0]],
    finishedAt: new Date().toISOString(),
  };
  writeFileSync(join(OUT, `${scenario}.json`), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

const results: Record<string, unknown>[] = [];
let failed = false;
try {
  for (const [i, scenario] of chosen.entries()) {
    const r = await runScenario(scenario, i);
    results.push(r);
    const e = r.email as ChannelFigures;
    const p = r.push as ChannelFigures;
    if (e.duplicated + e.lost + p.duplicated + p.lost > 0) failed = true;
    log(`${scenario}: ${JSON.stringify(r)}`);
  }
} catch (err) {
  failed = true;
  log(`stopped: ${err instanceof Error ? err.stack : String(err)} (worker output in ${join(scratch, 'workers.log')})`);
} finally {
  for (const w of [...workers]) await killWorker(w, 'SIGKILL');
  await client.connection.close().catch(() => {});
  await temporal.stop();
  await db.drop().catch(() => {});
  await pg.stop();
  await ask(peers, { op: 'stop' }).catch(() => {});
}

const cell = (f: ChannelFigures) => `${f.expected} / ${f.delivered} / ${f.duplicated} / ${f.lost}`;
process.stdout.write(
  '\n| scenario | fault | email: expected / delivered / duplicated / lost | push: the same | possibly_sent ' +
    '(email, push; arrived) | drain after the fault | whole run | load average |\n' +
    '| --- | --- | --: | --: | --: | --: | --: | --- |\n',
);
for (const r of results) {
  const e = r.email as ChannelFigures;
  const p = r.push as ChannelFigures;
  const load = r.loadAverage as number[];
  process.stdout.write(
    `| ${r.scenario} | ${r.fault} | ${cell(e)} | ${cell(p)} | ${e.possiblySent}, ${p.possiblySent}; ` +
      `${e.possiblySentArrived + p.possiblySentArrived} | ${(r.drainSeconds as number).toFixed(1)} s | ` +
      `${(r.totalSeconds as number).toFixed(1)} s | ${load[0].toFixed(1)} → ${load[1].toFixed(1)} |\n`,
  );
}
process.stdout.write(`\nJSON per scenario in ${OUT}\n`);
process.exit(failed ? 1 : 0);
