// Times one event's decisions, workflow start to last decision, with an active model and the default cap policy, on
// embedded defaults, decided by 1 and then 2 `fanfare worker --only main` processes; wall time and CPU.
//
//   npx tsx bench/announce-parallel.ts [fans, default 100000] [worker counts, default 1,2]
// The embedded PostgreSQL `fanfare dev` runs (a scratch data directory) with a scratch schema, a Temporal dev server of
// its own, a model trained on a small simulated world (testing/model.ts), and the SMTP capture and push service in a
// process of their own (bench/delivery-peers.ts), so the alerts due now are delivered there, as in production. Each
// worker count gets a new creator with `fans` members, each with an email address and a push subscription.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { readToolPaths } from '../app/config.ts';
import { insertEvent } from '../db/events.ts';
import { vapidKeys } from '../delivery/keys.ts';
import type { PushSubscriptionJson } from '../delivery/push-sender.ts';
import { startEmbeddedPostgres } from '../dev/embedded-postgres.ts';
import { startDevServer } from '../dev/temporal.ts';
import { seedAudience } from '../testing/audience.ts';
import { createTestSchema } from '../testing/db.ts';
import { trainActiveModel } from '../testing/model.ts';
import { peerWorkerEnv } from '../testing/worker-process.ts';
import { announceEvent } from '../workflows/announce-event.ts';
import { announceWorkflowId, decideRangeWorkflowId, TASK_QUEUE } from '../workflows/names.ts';
import { ask, forkDeliveryPeers } from './peer-process.ts';

const FANS = Number(process.argv[2] ?? 100_000);
const WORKER_COUNTS = (process.argv[3] ?? '1,2').split(',').map(Number);
const BIN = fileURLToPath(new URL('../bin/fanfare.js', import.meta.url));
const TICKS_PER_SECOND = 100;
const cores = availableParallelism();

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** CPU seconds used by a PostgreSQL server's processes now alive: the postmaster and its children (the backends). */
function serverCpuSeconds(dataDir: string): Map<number, number> {
  const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const used = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ');
      const pid = Number(entry);
      if (pid === postmaster || Number(fields[1]) === postmaster)
        used.set(pid, (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND);
    } catch {
      // The process exited between the listing and the read.
    }
  }
  return used;
}

/** CPU seconds between two readings; a process started since counts from zero (one that exited is lost). */
function cpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, s] of after) total += s - (before.get(pid) ?? 0);
  return total;
}

/** Busy and total CPU ticks of the whole machine (all cores), from /proc/stat. */
function machineTicks(): { busy: number; total: number } {
  const [, ...v] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  return { busy: total - v[3] - v[4], total };
}

/** Peak resident memory of a process so far, in MB. */
function peakRssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmHWM:'));
  return Number(line?.split(/\s+/)[1] ?? 0) / 1024;
}

const { peers, ready } = await forkDeliveryPeers();
const scratch = mkdtempSync(join(tmpdir(), 'fanfare-bench-pg-'));
chmodSync(scratch, 0o755);
const pg = await startEmbeddedPostgres({ dataDir: join(scratch, 'pg'), cacheDir: readToolPaths().cacheDir });
const db = await createTestSchema('bench_announce_parallel', { url: pg.connectionString });
const temporal = await startDevServer();
const client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
const workers: ChildProcess[] = [];
try {
  process.stderr.write('training the model …\n');
  await trainActiveModel(db.pool);
  const vapid = await vapidKeys(db.pool);
  const env = peerWorkerEnv({
    databaseUrl: db.connectionString,
    temporalAddress: temporal.address,
    smtp: ready.smtp,
    pushCaCertPem: ready.caCertPem,
    dir: scratch,
  });
  process.stdout.write(
    `${FANS} fans, email and push each; ${cores} cores, Node ` +
      `${process.version}, load average ${loadavg()[0].toFixed(1)} at the start\n`,
  );
  const rows: string[] = [];
  for (const n of WORKER_COUNTS) {
    const { subscriptions } = await ask<{ subscriptions: PushSubscriptionJson[] }>(peers, {
      op: 'subscribe',
      count: FANS,
      applicationServerKey: vapid.publicKey,
    });
    env.FANFARE_PUSH_HOSTS = new URL(subscriptions[0].endpoint).host;
    process.stderr.write(`seeding ${FANS} fans …\n`);
    const audience = await seedAudience(db.pool, { fans: FANS, handle: `par${n}`, subscribe: (i) => subscriptions[i] });
    const { event } = await insertEvent(db.pool, {
      creatorId: audience.creatorId,
      kind: 'post',
      title: `Parallel bench, ${n} workers`,
      url: 'https://creators.example/bench/parallel',
      audience: { rule: 'all' },
      idempotencyKey: `par-${n}`,
      deadline: null,
    });
    const started = await Promise.all(
      Array.from({ length: n }, async () => {
        const child = spawn(process.execPath, [BIN, 'worker', '--only', 'main'], {
          env,
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        workers.push(child);
        await new Promise<void>((resolve, reject) => {
          child.stdout!.on('data', (d) => String(d).includes('polling') && resolve());
          child.once('exit', (code) => reject(new Error(`worker exited ${code} before polling`)));
        });
        return child;
      }),
    );
    const pids = started.map((c) => c.pid!);
    const cpu0 = pids.map(cpuSeconds);
    const machine0 = machineTicks();
    const pg0 = serverCpuSeconds(pg.dataDir);
    const load0 = loadavg()[0];
    const t0 = performance.now();
    const handle = await client.workflow.start(announceEvent, {
      workflowId: announceWorkflowId(event.id),
      taskQueue: TASK_QUEUE,
      args: [{ eventId: event.id }],
    });
    const result = await handle.result();
    const wall = (performance.now() - t0) / 1000;
    const cpu = pids.map((pid, i) => cpuSeconds(pid) - cpu0[i]);
    const machine = machineTicks();
    const pgCpu = cpuDelta(pg0, serverCpuSeconds(pg.dataDir));
    const busyCores = (cores * (machine.busy - machine0.busy)) / (machine.total - machine0.total);
    const rss = pids.map(peakRssMb);
    const parentEvents = (await handle.fetchHistory()).events?.length ?? 0;
    const child = client.workflow.getHandle(decideRangeWorkflowId(event.id, 0));
    const childEvents = (await child.fetchHistory()).events?.length ?? 0;
    const workerCpu = cpu.reduce((a, b) => a + b, 0);
    const line =
      `| ${n} | ${result.decisions.toLocaleString('en')} in ${result.ranges} ranges | **${wall.toFixed(1)} s** | ` +
      `${(result.decisions / wall).toFixed(0)} | ${cpu.map((c) => c.toFixed(1)).join(' + ')} s ` +
      `(${((1000 * workerCpu) / result.decisions).toFixed(2)} ms/decision) | ` +
      `${(result.decisions / workerCpu).toFixed(0)} | ${pgCpu.toFixed(1)} s ` +
      `(${((1000 * pgCpu) / result.decisions).toFixed(2)} ms/decision) | ${busyCores.toFixed(2)} | ` +
      `${rss.map((r) => r.toFixed(0)).join(', ')} MB | ${parentEvents} / ${childEvents} | ` +
      `${load0.toFixed(1)} → ${loadavg()[0].toFixed(1)} |`;
    rows.push(line);
    process.stdout.write(`${line}\n`);
    for (const c of started) c.kill('SIGTERM');
    await Promise.all(started.map((c) => new Promise((r) => (c.exitCode === null ? c.once('exit', r) : r(null)))));
    await ask(peers, { op: 'clear' });
  }
  process.stdout.write(
    '\n| workers | decisions | start → last decision | decisions/s | worker CPU | decisions per worker CPU s | ' +
      'PostgreSQL CPU | machine busy, cores | worker peak RSS | history events: parent / first child | ' +
      'load average |\n' +
      '| --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --- |\n' +
      `${rows.join('\n')}\n`,
  );
} finally {
  for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
  await client.connection.close();
  await temporal.stop();
  await db.drop();
  await pg.stop();
  await ask(peers, { op: 'stop' }).catch(() => {});
}
