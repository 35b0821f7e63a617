// CPU per decision of decideBatch without Temporal: one event's audience decided page by page, as announceEvent does.
//
//   npx tsx bench/decide-cpu.ts [fans, default 100000] [runs, default 3] [--keep] [--database-url=URL] [--trees=N]
// Seeds a scratch database (default postgres://postgres@127.0.0.1:5432/fanfare_decide_cpu, created if missing) with
// a model trained on a small simulated world (testing/model.ts, active), the default cap policy, and a creator with
// `fans` members, each with an email address and a push subscription. Then, per run, a new event whose audience the
// activity decides in 2,000-fan pages (scored with the active model, decided under the fans' row locks, written),
// after which the event's decisions are deleted and the table vacuumed, so every run starts alike.
// Worker CPU is this process's process.cpuUsage() over the pages; PostgreSQL CPU is /proc/<pid>/stat of the backends
// serving the bench's pool (the server must run on this machine). The database is dropped at the end unless --keep,
// which also lets the next run reuse the seeded creator. --trees=N trains the model with N iterations and no early
// stopping instead of the fixture's 30 (production's default world gives 183 trees); use a database of its own.
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { type ActivityDeps, createActivities } from '../activities/index.ts';
import { creatorIdByHandle } from '../db/creators.ts';
import {
  analyzeDatabase,
  backendPids,
  dropDatabase,
  ensureDatabase,
  openConnections,
  vacuumTable,
} from '../db/databases.ts';
import { insertEvent } from '../db/events.ts';
import { deleteEvent } from '../db/fixtures.ts';
import { migrate } from '../db/migrate.ts';
import { activeModelVersion, modelText } from '../db/models.ts';
import { createPool } from '../db/pool.ts';
import { createRelevanceScorer } from '../models/scoring.ts';
import { seedAudience } from '../testing/audience.ts';
import { trainActiveModel } from '../testing/model.ts';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const FANS = Number(args[0] ?? 100_000);
const RUNS = Number(args[1] ?? 3);
const KEEP = process.argv.includes('--keep');
const PAGE = 2_000;
const HANDLE = `decidecpu${FANS}`;
const APP = 'fanfare-decide-cpu-bench';
const TICKS_PER_SECOND = 100;
const url =
  process.argv.find((a) => a.startsWith('--database-url='))?.slice('--database-url='.length) ??
  'postgres://postgres@127.0.0.1:5432/fanfare_decide_cpu';
const trees = process.argv.find((a) => a.startsWith('--trees='))?.slice('--trees='.length);
const log = (line: string) => process.stdout.write(`${line}\n`);

/** CPU seconds (user + system) a process has used, from /proc; 0 when it is gone. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

function spread(xs: number[], digits: number): string {
  const sorted = [...xs].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return `${median.toFixed(digits)} (${sorted[0].toFixed(digits)}–${sorted[sorted.length - 1].toFixed(digits)})`;
}

await ensureDatabase(url);
await migrate({ connectionString: url });
const scoped = new URL(url);
scoped.searchParams.set('application_name', APP);
const pool = createPool(scoped.toString(), 4);
try {
  const existing = await creatorIdByHandle(pool, HANDLE);
  let creatorId: number;
  if (existing !== null) {
    creatorId = existing;
    log(`reusing the seeded creator ${HANDLE}`);
  } else {
    if ((await activeModelVersion(pool)) === null) {
      process.stderr.write('training the model …\n');
      await trainActiveModel(
        pool,
        undefined,
        trees === undefined ? [] : [`num_iterations=${Number(trees)}`, 'early_stopping_round=0'],
      );
    }
    process.stderr.write(`seeding ${FANS} fans …\n`);
    const audience = await seedAudience(pool, {
      fans: FANS,
      handle: HANDLE,
      subscribe: (i) => ({
        endpoint: `https://push.example/send/${HANDLE}/${i}`,
        keys: { p256dh: `p256dh-${i}`, auth: `auth-${i}` },
      }),
    });
    creatorId = audience.creatorId;
    await analyzeDatabase(pool);
  }
  const active = (await activeModelVersion(pool))!;
  const text = (await modelText(pool, active)) ?? '';
  log(`model ${active}: ${text.split('\nTree=').length - 1} trees`);
  const scorer = createRelevanceScorer({ pool, log });
  // decideBatch touches only the pool, the scorer and the clock.
  const activities = createActivities({ pool, scorer } as unknown as ActivityDeps);
  log(
    `${FANS} fans, email and push each, ${PAGE}-fan pages; ${availableParallelism()} cores, Node ${process.version}, ` +
      `load average ${loadavg()[0].toFixed(1)} at the start`,
  );
  log(
    '| run | decided | worker CPU | decisions per worker CPU s | PostgreSQL CPU | wall | decisions/s | ' +
      'load average |\n' +
      '| --: | --: | --: | --: | --: | --: | --: | --: |',
  );
  const rows: { ms: number; pgMs: number; wall: number; rate: number; coreRate: number }[] = [];
  for (let run = 0; run <= RUNS; run++) {
    // Run 0 warms up (model load, day snapshot, JIT) on two pages and is not reported.
    const warmup = run === 0;
    const { event } = await insertEvent(pool, {
      creatorId,
      kind: 'post',
      title: `Decide CPU bench ${run}`,
      url: 'https://creators.example/bench/decide-cpu',
      audience: { rule: 'all' },
      idempotencyKey: `decide-cpu-${Date.now()}-${run}`,
      deadline: null,
    });
    await openConnections(pool, 4); // the pool's clients are connected before the reading
    const pids = await backendPids(pool, APP);
    const pg0 = new Map(pids.map((p) => [p, cpuSeconds(p)]));
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let afterFanId = 0;
    let decisions = 0;
    let fans = 0;
    for (let page = 0; ; page++) {
      const decided = await activities.decideBatch({ eventId: event.id, afterFanId, limit: PAGE });
      decisions += decided.decisions;
      fans += decided.fans;
      afterFanId = decided.lastFanId;
      if (decided.fans < PAGE || (warmup && page === 1)) break;
    }
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    let pgCpu = 0;
    for (const p of await backendPids(pool, APP)) pgCpu += cpuSeconds(p) - (pg0.get(p) ?? 0);
    await deleteEvent(pool, event.id);
    await vacuumTable(pool, 'decisions');
    if (warmup) continue;
    const workerS = (cpu.user + cpu.system) / 1e6;
    const row = {
      ms: (1000 * workerS) / decisions,
      pgMs: (1000 * pgCpu) / decisions,
      wall,
      rate: decisions / wall,
      coreRate: decisions / workerS,
    };
    rows.push(row);
    log(
      `| ${run} | ${fans.toLocaleString('en')} fans, ${decisions.toLocaleString('en')} decisions | ` +
        `${workerS.toFixed(1)} s (${row.ms.toFixed(3)} ms/decision) | ${row.coreRate.toFixed(0)} | ` +
        `${pgCpu.toFixed(1)} s (${row.pgMs.toFixed(3)} ms/decision) | ${wall.toFixed(1)} s | ` +
        `${row.rate.toFixed(0)} | ${loadavg()[0].toFixed(1)} |`,
    );
  }
  if (rows.length > 0)
    log(
      `median (min–max) of ${rows.length} runs: worker ${spread(
        rows.map((r) => r.ms),
        3,
      )} ms/decision, ${spread(
        rows.map((r) => r.coreRate),
        0,
      )} decisions per worker CPU s; PostgreSQL ${spread(
        rows.map((r) => r.pgMs),
        3,
      )} ms/decision; ${spread(
        rows.map((r) => r.rate),
        0,
      )} decisions/s wall`,
    );
} finally {
  await pool.end();
  if (!KEEP) await dropDatabase(url);
}
