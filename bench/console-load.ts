// The growth console's data loads at size: every read route each page calls on load, timed through the real API.
//
// Run: npx tsx bench/console-load.ts [--fans 50000] [--days 28] [--reps 5] [--keep] [--fresh] [--json FILE]
//        [--answers FILE] [--url postgres://postgres@127.0.0.1:5432/fanfare_bench_console]
//
// Makes its own database (never fanfare_test), migrates it, and seeds the default world with --fans fans and --days
// days of baseline history ending at the current hour through the seeding path `fanfare seed` uses (then ANALYZE);
// trains and promotes a relevance model on that history, opens an experiment, decides one new event for a mid-sized
// creator with the model (so the fan inspector has scores and contributions and the experiment has fans), and runs
// the relevance monitor once (its report and alerts). Then it serves the console's routes on the Fastify app
// in-process, behind a real service credential, and times each page's load: the calls the page makes, in the order
// and concurrency the console makes them (console/src/*.ts), --reps times after one warm-up, one page at a time.
// Prints a table (p50 and max per page, and per call) and writes JSON (test-artifacts/bench/console-load.json).
//
// --keep leaves the database for the next run, which reuses it when it holds the same world (--fresh seeds anew);
// without --keep it is dropped at the end. A page is one line in PAGES below. --answers writes every route's answer
// (path → JSON) of the last repetition: two runs on the same kept database, before and after a change to a query,
// should write the same file.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runMonitor } from '../activities/monitor.ts';
import { decideAndRecord } from '../activities/policy-decisions.ts';
import { createPolicyLoader } from '../activities/policy-loader.ts';
import { readToolPaths } from '../app/config.ts';
import { createAuth } from '../auth/auth.ts';
import { createServiceCredential } from '../auth/service-credentials.ts';
import { DEFAULT_AUTH_SETTINGS } from '../auth/settings.ts';
import { audiencePage } from '../db/audience.ts';
import { creatorOfSize } from '../db/creators.ts';
import { databaseSize, dropDatabase, ensureDatabase, historyRowCounts } from '../db/databases.ts';
import { lastSentAt } from '../db/deliveries.ts';
import { insertEvent } from '../db/events.ts';
import { explainedFan } from '../db/fixtures.ts';
import { migrate } from '../db/migrate.ts';
import { activeModelVersion, promoteModel } from '../db/models.ts';
import { latestRelevanceReport } from '../db/monitoring.ts';
import { createPool, type Pool } from '../db/pool.ts';
import { analyzeLogTables } from '../db/seed-history.ts';
import { DAY_MS } from '../domain/time.ts';
import { createHttpApp } from '../http/app.ts';
import { registerConsole } from '../http/console.ts';
import { consoleCacheDir } from '../http/console-static.ts';
import { trainRelevanceModel } from '../models/relevance-training.ts';
import { createRelevanceScorer } from '../models/scoring.ts';
import { writeHistory } from '../simulator/history.ts';
import { simulatedWorldOracle } from '../simulator/oracle.ts';
import { seedWorld } from '../simulator/seed.ts';
import { parseWorldSpec, startEndingNow } from '../simulator/spec.ts';
import { generateWorld } from '../simulator/world.ts';
import { readSimulatedWorld, storeSimulatedWorld } from '../simulator/world-setting.ts';
import type { EventListAnswer } from '../wire/events.ts';
import type { ExperimentListAnswer } from '../wire/experiments.ts';
import type { FanAnswer } from '../wire/fans.ts';
import type { ModelListAnswer } from '../wire/models.ts';

const { values } = parseArgs({
  options: {
    fans: { type: 'string', default: '50000' },
    days: { type: 'string', default: '28' },
    reps: { type: 'string', default: '5' },
    keep: { type: 'boolean', default: false },
    fresh: { type: 'boolean', default: false },
    json: {
      type: 'string',
      default: fileURLToPath(new URL('../test-artifacts/bench/console-load.json', import.meta.url)),
    },
    answers: { type: 'string' },
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/fanfare_bench_console' },
  },
});
const positive = (name: string, v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: must be a positive integer, got "${v}"`);
  return n;
};
const FANS = positive('fans', values.fans);
const DAYS = positive('days', values.days);
const REPS = positive('reps', values.reps);
const URL_ = values.url;
if (/\/fanfare_test(\?|$)/.test(URL_)) throw new Error('--url: must not be the test database');
const log = (line: string) => process.stdout.write(`${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** What the pages' paths are built from, read from the API itself before timing. */
interface Ctx {
  fanEmail: string;
  fanId: number;
  decisionId: number;
  modelVersion: number;
  eventId: number;
  /** The creator of the newest event. */
  creatorId: number;
  largestEventId: number;
  largestCreatorId: number;
  experimentId: number;
  daysAgo: (n: number) => string;
}
type Call = (c: Ctx) => string;
/** A page's load: steps one after the other, the calls of a step at once (as the console's Promise.all). */
type Page = { page: string; steps: Call[][] };

// One line a page; the order and concurrency are the console's (console/src/<page>.ts). Every page also triggers the
// shell's calls on a first load (main.ts: the session and the alert banner, beside the page).
const PAGES: Page[] = [
  { page: 'shell: session + alert banner', steps: [[() => '/api/admin/session', () => '/api/admin/alerts']] },
  { page: 'overview, default (last 28 days)', steps: [[() => '/api/admin/overview?days=28']] },
  { page: 'overview, last 7 days', steps: [[() => '/api/admin/overview?days=7']] },
  {
    page: 'overview, 28 whole days to yesterday in New York',
    steps: [[(c) => `/api/admin/overview?from=${c.daysAgo(28)}&to=${c.daysAgo(1)}&tz=America%2FNew_York`]],
  },
  { page: 'fatigue by membership (default)', steps: [[() => '/api/admin/fatigue?days=28&segment=membership']] },
  { page: 'fatigue by channel', steps: [[() => '/api/admin/fatigue?days=28&segment=channel']] },
  { page: 'fatigue by locale', steps: [[() => '/api/admin/fatigue?days=28&segment=locale']] },
  { page: 'caps: policy, audit', steps: [[() => '/api/admin/policy'], [() => '/api/admin/policy/audit?limit=50']] },
  { page: 'fans: search by part of an email', steps: [[() => '/api/admin/fans?q=fan0123']] },
  {
    page: 'fan inspector: search, fan, curve',
    steps: [
      [(c) => `/api/admin/fans?q=${encodeURIComponent(c.fanEmail)}`],
      [(c) => `/api/admin/fans/${c.fanId}`],
      [(c) => `/api/admin/decisions/${c.decisionId}/curve`],
    ],
  },
  { page: 'decision curve alone', steps: [[(c) => `/api/admin/decisions/${c.decisionId}/curve`]] },
  {
    page: 'model: list, active version',
    steps: [[() => '/api/admin/models'], [(c) => `/api/admin/models/${c.modelVersion}`]],
  },
  // The creator view (console/src/creator.ts): the creator's summary, then the picker's list beside the event's report.
  {
    page: 'creator view: newest event, its creator',
    steps: [
      [(c) => `/api/admin/creators/${c.creatorId}/summary?`],
      [() => '/api/admin/creators/search', (c) => `/api/admin/events/${c.eventId}/report`],
    ],
  },
  {
    page: 'creator view: largest event, its creator',
    steps: [
      [(c) => `/api/admin/creators/${c.largestCreatorId}/summary?`],
      [() => '/api/admin/creators/search', (c) => `/api/admin/events/${c.largestEventId}/report`],
    ],
  },
  { page: 'audit log', steps: [[() => '/api/admin/audit?']] },
  { page: 'experiments: list', steps: [[() => '/api/admin/experiments']] },
  { page: 'experiment results (whole run)', steps: [[(c) => `/api/admin/experiments/${c.experimentId}/results`]] },
  {
    page: 'experiment results over the history',
    steps: [[(c) => `/api/admin/experiments/${c.experimentId}/results?from=${c.daysAgo(DAYS)}`]],
  },
  { page: 'global holdout results (last 7 days)', steps: [[() => '/api/admin/experiments/global-holdout/results']] },
  {
    page: 'alerts, rules, rules audit, relevance report',
    steps: [
      [
        () => '/api/admin/alerts',
        () => '/api/admin/alert-rules',
        () => '/api/admin/alert-rules/audit?limit=50',
        () => '/api/admin/relevance-report',
      ],
    ],
  },
  {
    page: 'access: session, team, credentials, creators',
    steps: [
      [() => '/api/admin/session'],
      [() => '/api/admin/team', () => '/api/admin/service-credentials', () => '/api/admin/creators?q='],
    ],
  },
];

/** Seeds the world and its history as `fanfare seed --history-days N --history-ends-now` does; returns timings. */
async function seed(pool: Pool): Promise<Record<string, number>> {
  const spec = parseWorldSpec({ start: startEndingNow(DAYS), fans: { count: FANS } });
  const t0 = performance.now();
  const world = generateWorld(spec);
  const t1 = performance.now();
  const ids = await seedWorld(pool, world, { log: (m) => log(`  seed: ${m}`) });
  const t2 = performance.now();
  let lastDay = 0;
  const history = await writeHistory(pool, world, ids, {
    fromMs: world.startMs,
    toMs: world.startMs + DAYS * DAY_MS,
    log: (m) => log(`  history: ${m}`),
    onProgress: (_played, _events, atMs) => {
      const day = Math.floor((atMs - world.startMs) / DAY_MS) + 1;
      if (day !== lastDay && day % 7 === 0) log(`  history: day ${day} at ${seconds(performance.now() - t2)}`);
      lastDay = day;
    },
  });
  const t3 = performance.now();
  // Stored last: a run cut short before here seeds again (every write is idempotent) instead of reusing half a world.
  await storeSimulatedWorld(pool, spec);
  await analyzeLogTables(pool);
  const t4 = performance.now();
  log(`  history: ${history.sends} sends, ${history.opens} opens, ${history.unsubscribes} unsubscribes`);
  return { generateMs: t1 - t0, worldMs: t2 - t1, historyMs: t3 - t2, analyzeMs: t4 - t3 };
}

/** The model, an experiment, one event decided with the model, a monitor run: what the pages show beyond history. */
async function furnish(pool: Pool, api: (method: string, path: string, body?: unknown) => Promise<unknown>) {
  const timings: Record<string, number> = {};
  let t = performance.now();
  const asOfMs = (await lastSentAt(pool))!.getTime();
  if ((await activeModelVersion(pool)) === null) {
    const trained = await trainRelevanceModel(pool, {
      asOfMs,
      trainDays: Math.max(1, Math.min(14, DAYS - 3)),
      holdoutDays: Math.min(2, Math.max(1, DAYS - 1)),
      maxTrainRows: 300_000,
      oracle: simulatedWorldOracle(pool),
      log: (l) => log(`  train: ${l}`),
    });
    await promoteModel(pool, trained.version, 'console load benchmark');
    timings.trainMs = performance.now() - t;
    log(`  model ${trained.version} trained and promoted in ${seconds(timings.trainMs)}`);
  }
  const { experiments } = (await api('GET', '/api/admin/experiments')) as ExperimentListAnswer;
  if (experiments.length === 0) {
    await api('POST', '/api/admin/experiments', {
      name: 'bench split',
      arms: [
        { name: 'control', allocation: 25 },
        { name: 'held', allocation: 25, holdout: true },
      ],
    });
  }
  t = performance.now();
  const creator = (await creatorOfSize(pool, 3000))!;
  const { event, created } = await insertEvent(pool, {
    creatorId: creator.creatorId,
    kind: 'post',
    title: 'Benchmark: behind the scenes',
    url: 'https://creators.example/p/bench',
    audience: { rule: 'all' },
    idempotencyKey: 'console-load-bench-1',
    deadline: null,
  });
  if (created) {
    const deps = { pool, scorer: createRelevanceScorer({ pool }), policy: createPolicyLoader(pool).current };
    const at = new Date();
    for (let after = 0; ; ) {
      const page = await audiencePage(pool, event.id, after, 1000);
      if (page.length === 0) break;
      await decideAndRecord(deps, event.id, page, at);
      after = page[page.length - 1].fanId;
    }
    timings.decideMs = performance.now() - t;
    log(`  event ${event.id} decided for ${creator.members} members in ${seconds(timings.decideMs)}`);
  }
  if ((await latestRelevanceReport(pool)) === null) {
    t = performance.now();
    await runMonitor({ pool, log: (l) => log(`  ${l}`) }, { drift: true });
    timings.monitorMs = performance.now() - t;
    log(`  monitor run in ${seconds(timings.monitorMs)}`);
  }
  return { timings, eventId: event.id };
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};

// ---- the database ----
const started = performance.now();
if (values.fresh) await dropDatabase(URL_);
await ensureDatabase(URL_);
await migrate({ connectionString: URL_ });
const pool = createPool(URL_, 10);
let seedTimings: Record<string, number> | null = null;
const stored = await readSimulatedWorld(pool);
if (stored === null) {
  log(`seeding ${FANS} fans with ${DAYS} days of history into ${URL_}`);
  seedTimings = await seed(pool);
} else if (stored.fans.count !== FANS) {
  throw new Error(`${URL_} holds a world of ${stored.fans.count} fans, not ${FANS}: run with --fresh`);
} else log(`reusing the world of ${stored.fans.count} fans in ${URL_}`);

// ---- the API: the console's routes on the Fastify app, as `fanfare api` registers them ----
const app = await createHttpApp();
registerConsole(app, {
  pool,
  auth: createAuth(pool, DEFAULT_AUTH_SETTINGS),
  now: () => new Date(),
  log: () => undefined,
  cacheDir: consoleCacheDir(readToolPaths().cacheDir),
});
const base = await app.listen({ port: 0, host: '127.0.0.1' });
const { token } = await createServiceCredential(pool, {
  name: `bench-console-${Date.now()}`,
  role: 'admin',
  createdBy: 'bench',
});
const headers = { authorization: `Bearer ${token}` };
async function call(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

let exitCode = 0;
try {
  const { timings: setupTimings, eventId } = await furnish(pool, call);
  const counts = await historyRowCounts(pool);
  const bytes = await databaseSize(pool);
  log(`rows: ${JSON.stringify(counts)}; database ${(bytes / 2 ** 30).toFixed(2)} GiB`);

  // ---- what the paths name ----
  const { events } = (await call('GET', '/api/admin/events?limit=500')) as EventListAnswer;
  const largest = events.reduce((a, b) => (b.decisions > a.decisions ? b : a));
  // A fan with a model-explained alert on the decided event: the inspector opens that decision's curve.
  const fan = await explainedFan(pool, eventId);
  if (!fan) throw new Error(`no fan has a model-explained alert on event ${eventId}`);
  const { candidates } = (await call('GET', `/api/admin/fans/${fan.id}`)) as FanAnswer;
  const first = candidates.find((c) => c.contributions?.length) ?? candidates[0];
  const ctxFan = { ...fan, decisionId: first.decisionId };
  const { models } = (await call('GET', '/api/admin/models')) as ModelListAnswer;
  const { experiments } = (await call('GET', '/api/admin/experiments')) as ExperimentListAnswer;
  const now = Date.now();
  const ctx: Ctx = {
    fanEmail: ctxFan.email,
    fanId: ctxFan.id,
    decisionId: ctxFan.decisionId,
    modelVersion: models.find((m) => m.status === 'active')!.version,
    eventId: events[0].id,
    creatorId: events[0].creatorId,
    largestEventId: largest.id,
    largestCreatorId: largest.creatorId,
    experimentId: experiments[0].id,
    daysAgo: (n) => new Date(now - n * DAY_MS).toISOString().slice(0, 10),
  };

  // ---- timing ----
  const results = [];
  const answers: Record<string, unknown> = {};
  for (const p of PAGES) {
    const loads: number[] = [];
    const perCall = new Map<string, number[]>();
    for (let rep = 0; rep <= REPS; rep++) {
      const t0 = performance.now();
      for (const step of p.steps) {
        await Promise.all(
          step.map(async (f) => {
            const path = f(ctx);
            const s = performance.now();
            const answer = await call('GET', path);
            if (rep === REPS) answers[path] = answer;
            if (rep > 0) perCall.set(path, [...(perCall.get(path) ?? []), performance.now() - s]);
          }),
        );
      }
      if (rep > 0) loads.push(performance.now() - t0);
    }
    const row = {
      page: p.page,
      p50Ms: quantile(loads, 0.5),
      maxMs: Math.max(...loads),
      loadsMs: loads,
      calls: [...perCall].map(([path, ms]) => ({ path, p50Ms: quantile(ms, 0.5), maxMs: Math.max(...ms) })),
    };
    results.push(row);
    log(`${row.p50Ms.toFixed(0).padStart(7)} ms p50 ${row.maxMs.toFixed(0).padStart(7)} ms max  ${p.page}`);
  }

  // ---- report ----
  log('');
  log('| page | calls | p50 | max |');
  log('| --- | --- | --: | --: |');
  for (const r of results) {
    const calls = r.calls.map((c) => `${c.path.replace(/\?.*$/, '')} ${c.p50Ms.toFixed(0)}`).join(', ');
    log(`| ${r.page} | ${calls} | ${r.p50Ms.toFixed(0)} ms | ${r.maxMs.toFixed(0)} ms |`);
  }
  const over = results.filter((r) => r.maxMs > 1000);
  log(over.length === 0 ? '\nevery page loaded within 1 s' : `\nover 1 s: ${over.map((r) => r.page).join('; ')}`);
  mkdirSync(dirname(values.json), { recursive: true });
  writeFileSync(
    values.json,
    `${JSON.stringify(
      {
        at: new Date().toISOString(),
        fans: FANS,
        days: DAYS,
        reps: REPS,
        loadAverage: loadavg(),
        seed: seedTimings,
        setup: setupTimings,
        rows: counts,
        databaseBytes: bytes,
        pages: results,
      },
      null,
      2,
    )}\n`,
  );
  if (values.answers) writeFileSync(values.answers, `${JSON.stringify(answers, null, 1)}\n`);
  log(`JSON: ${values.json}; ${seconds(performance.now() - started)} in all`);
} catch (err) {
  process.stderr.write(`${(err as Error).stack}\n`);
  exitCode = 1;
} finally {
  await app.close();
  await pool.end();
  if (!values.keep) await dropDatabase(URL_);
}
process.exit(exitCode);
