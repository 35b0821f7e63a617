// An experiment's results and a creator's event report on a seeded database: the recount of the log against the
// counts kept per fan-day (experiment_fan_days), timed, and checked to answer the same.
//
// Run: npx tsx bench/experiment-results.ts --url postgres://... [--event ID] [--reps 3] [--exact-only]
//
// Reads the database as it is (seed it first, e.g. `DATABASE_URL=... fanfare seed --history-days 28
// --history-ends-now`). Times the global holdout's default range (today so far and the six UTC days before it) both
// ways, --reps times each after one warm-up, and compares the fan rows; with --event, also times that event's report.
// --exact-only skips the kept counts (a database migrated before they existed).
import { parseArgs } from 'node:util';
import { eventReport } from '../db/console-events.ts';
import { experimentFanResults, experimentFanResultsByDay } from '../db/experiment-results.ts';
import { createPool } from '../db/pool.ts';
import { globalHoldoutDefaultFrom, resultDays } from '../policy/experiment-range.ts';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    event: { type: 'string' },
    reps: { type: 'string', default: '3' },
    'exact-only': { type: 'boolean', default: false },
  },
});
if (!values.url) throw new Error('--url: the database to read (never one another run owns)');
const REPS = Number(values.reps);
if (!Number.isInteger(REPS) || REPS < 1) throw new Error(`--reps: must be a positive integer, got "${values.reps}"`);

async function timed<T>(what: string, run: () => Promise<T>): Promise<T> {
  let answer = await run();
  const ms: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    answer = await run();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const p50 = ms[Math.floor(ms.length / 2)];
  console.log(`${what}: p50 ${p50.toFixed(0)} ms, max ${ms[ms.length - 1].toFixed(0)} ms (${REPS} runs)`);
  return answer;
}

const pool = createPool(values.url, 2, { name: 'bench-experiment-results' });
try {
  const now = new Date();
  const from = globalHoldoutDefaultFrom(now);
  const days = resultDays(from, now, now)!;
  console.log(
    `global holdout, decisions from ${from.toISOString()} to ${now.toISOString()} (days ${days.from} to ${days.to})`,
  );
  const exact = await timed('recount of the log', () => experimentFanResults(pool, null, from, now));
  console.log(`  ${exact.length} fan rows`);
  if (!values['exact-only']) {
    const kept = await timed('counts kept per fan-day', () => experimentFanResultsByDay(pool, null, days, from, now));
    const same = JSON.stringify(kept) === JSON.stringify(exact);
    console.log(`  ${kept.length} fan rows; ${same ? 'the same rows' : 'DIFFERENT rows'} as the recount`);
    if (!same) process.exitCode = 1;
  }
  if (values.event) {
    const id = Number(values.event);
    const report = await timed(`event ${id} report`, () => eventReport(pool, id));
    console.log(
      `  ${report.reach.reduce((s, r) => s + r.decisions, 0)} decisions, ${report.opens.length} hours of opens`,
    );
  }
} finally {
  await pool.end();
}
