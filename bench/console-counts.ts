// Benchmark: the console's kept counts (migration 0010) against counting the log, and what the triggers cost writers.
//
//   npx tsx bench/console-counts.ts [--fans 5000] [--days 28] [--reps 3] [--events 3]
//        [--url postgres://postgres@127.0.0.1:5432/fanfare_bench_counts]
//
// Makes its own database (never fanfare_test or fanfare_bench_console) with two schemas and drops it at the end:
// `off`, migrated to 0009, seeded with --fans fans and --days days of baseline history ending now (the path of
// `fanfare seed`), then migrated to 0010 (the backfill); and `on`, migrated to 0010 first and seeded the same way, so
// every write goes through the triggers. It then decides --events new events for the largest creator's audience in
// each schema (the decideBatch write path), times each console read function against its recount from the log
// (db/console-recount.ts) for the overview's and fatigue page's periods, and checks that both answer the same.
import { mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { COUNT_TABLES, compactConsoleCounts, countRows } from '../db/console-overview.ts';
import { consoleReadPairs } from '../db/console-recount.ts';
import { largestCreator } from '../db/creators.ts';
import { dropDatabase, historyRowCounts } from '../db/databases.ts';
import { DEFAULT_MIGRATIONS_DIR, migrate } from '../db/migrate.ts';
import type { Pool } from '../db/pool.ts';
import { analyzeLogTables } from '../db/seed-history.ts';
import { DAY_MS, HOUR_MS } from '../domain/time.ts';
import { periodOf, resolvePeriod } from '../http/period.ts';
import { writeHistory } from '../simulator/history.ts';
import { seedWorld } from '../simulator/seed.ts';
import { parseWorldSpec, startEndingNow } from '../simulator/spec.ts';
import { generateWorld } from '../simulator/world.ts';
import { announceAndDecide } from '../testing/console-world.ts';
import { createTestSchema, type TestSchema } from '../testing/db.ts';

const { values } = parseArgs({
  options: {
    fans: { type: 'string', default: '5000' },
    days: { type: 'string', default: '28' },
    reps: { type: 'string', default: '3' },
    events: { type: 'string', default: '3' },
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/fanfare_bench_counts' },
  },
});
const FANS = Number(values.fans);
const DAYS = Number(values.days);
const REPS = Number(values.reps);
const EVENTS = Number(values.events);
const log = (line: string) => process.stdout.write(`${line}\n`);
const ms = (t0: number) => Math.round(performance.now() - t0);

/** The migrations folder without 0010: the log's tables as they were before the counts. */
function migrationsBeforeCounts(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fanfare-migrations-'));
  for (const file of readdirSync(DEFAULT_MIGRATIONS_DIR))
    if (file.endsWith('.sql') && file < '0010') symlinkSync(join(DEFAULT_MIGRATIONS_DIR, file), join(dir, file));
  return dir;
}

async function seed(pool: Pool, start: string): Promise<{ worldMs: number; historyMs: number }> {
  const world = generateWorld(parseWorldSpec({ start, fans: { count: FANS } }));
  let t = performance.now();
  const ids = await seedWorld(pool, world);
  const worldMs = ms(t);
  t = performance.now();
  await writeHistory(pool, world, ids, { fromMs: world.startMs, toMs: world.startMs + DAYS * DAY_MS });
  const historyMs = ms(t);
  await analyzeLogTables(pool);
  return { worldMs, historyMs };
}

/** Decides EVENTS new posts for the largest creator's whole audience; the time. */
async function decideEvents(pool: Pool, tag: string): Promise<number> {
  const creator = (await largestCreator(pool))!;
  const t = performance.now();
  for (let i = 0; i < EVENTS; i++)
    await announceAndDecide(pool, {
      creatorId: creator.creatorId,
      kind: 'post',
      title: `bench ${i}`,
      url: `https://creators.example/bench/${i}`,
      idempotencyKey: `bench-counts-${tag}-${i}`,
    });
  return ms(t);
}

/** The median time of `reps` calls and the last answer. */
async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; answer: T }> {
  const times: number[] = [];
  let answer: T | undefined;
  for (let i = 0; i < REPS; i++) {
    const t = performance.now();
    answer = await f();
    times.push(ms(t));
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], answer: answer as T };
}

async function compareReads(pool: Pool): Promise<void> {
  const now = new Date();
  const periods = [
    { name: 'last 28 days, UTC', ...resolvePeriod({ days: 28, tz: 'UTC', from: undefined, to: undefined }, now) },
    { name: 'last 7 days, UTC', ...resolvePeriod({ days: 7, tz: 'UTC', from: undefined, to: undefined }, now) },
  ];
  const ny = periods[0].period;
  const yesterday = new Date(Date.parse(`${ny.to}T00:00:00Z`) - DAY_MS).toISOString().slice(0, 10);
  const from28 = new Date(Date.parse(`${yesterday}T00:00:00Z`) - 27 * DAY_MS).toISOString().slice(0, 10);
  const nyPeriod = periodOf(from28, yesterday, 'America/New_York', now.getTime());
  periods.push({ name: '28 whole days to yesterday, New York', period: nyPeriod, previous: nyPeriod });
  log('| period | read | kept counts ms | recount ms | same answer |');
  log('| --- | --- | --: | --: | --- |');
  for (const { name, period } of periods) {
    const [s, e] = [new Date(period.start), new Date(period.end)];
    const whole = period.days.filter((d) => d !== period.partialDay);
    const reads = consoleReadPairs(pool, {
      start: s,
      end: e,
      zone: period.timeZone,
      days: period.days.length,
      firstDay: whole[0],
      lastDay: whole[whole.length - 1],
    });
    for (const { read, kept, recount } of reads) {
      const a = await timed(kept);
      const b = await timed(recount);
      const same = JSON.stringify(a.answer) === JSON.stringify(b.answer);
      log(`| ${name} | ${read} | ${a.ms} | ${b.ms} | ${same ? 'yes' : 'NO'} |`);
      if (!same)
        log(`  kept ${JSON.stringify(a.answer).slice(0, 600)}\n  recount ${JSON.stringify(b.answer).slice(0, 600)}`);
    }
  }
}

const schemas: TestSchema[] = [];
try {
  const start = startEndingNow(DAYS);
  log(`console counts: ${FANS} fans x ${DAYS} days, ${REPS} reps, load average ${loadavg().map((l) => l.toFixed(1))}`);
  const off = await createTestSchema('off', { url: values.url, dir: migrationsBeforeCounts() });
  schemas.push(off);
  const seededOff = await seed(off.pool, start);
  log(`without triggers: world ${seededOff.worldMs} ms, history ${seededOff.historyMs} ms`);
  log(`rows: ${JSON.stringify(await historyRowCounts(off.pool))}`);
  let t = performance.now();
  await migrate({ connectionString: values.url, schema: off.schema });
  log(`migration 0010 (backfill of the counts): ${ms(t)} ms`);
  const on = await createTestSchema('on', { url: values.url });
  schemas.push(on);
  const seededOn = await seed(on.pool, start);
  log(`with triggers: world ${seededOn.worldMs} ms, history ${seededOn.historyMs} ms`);
  log(`decide ${EVENTS} events for the largest creator, with triggers: ${await decideEvents(on.pool, 'on')} ms`);
  const bare = await createTestSchema('bare', { url: values.url, dir: migrationsBeforeCounts() });
  schemas.push(bare);
  const seededBare = await seed(bare.pool, start);
  log(
    `a second seed without triggers, for the noise: world ${seededBare.worldMs} ms, history ${seededBare.historyMs} ms`,
  );
  log(`decide ${EVENTS} events for the largest creator, without triggers: ${await decideEvents(bare.pool, 'off')} ms`);
  log(`load average ${loadavg().map((l) => l.toFixed(1))}`);
  const tables = COUNT_TABLES;
  log(`count rows before compaction: ${JSON.stringify(await countRows(on.pool, tables))}`);
  t = performance.now();
  const folded = await compactConsoleCounts(on.pool, new Date(Date.now() - HOUR_MS));
  log(`compaction: ${ms(t)} ms, ${folded} rows fewer; after: ${JSON.stringify(await countRows(on.pool, tables))}`);
  t = performance.now();
  await compactConsoleCounts(on.pool, new Date(Date.now() - HOUR_MS));
  log(`compaction again (nothing to fold): ${ms(t)} ms`);
  await compareReads(on.pool);
  log(`load average ${loadavg().map((l) => l.toFixed(1))}`);
} finally {
  for (const s of schemas) await s.pool.end().catch(() => undefined);
  await dropDatabase(values.url);
}
