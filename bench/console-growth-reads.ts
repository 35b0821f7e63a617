// Times the caps page's replay on logged history (the sample read, then the replay with its bootstrap), a creator's
// totals and events, and the audit log, on a simulated world's logged history in a scratch schema of the test database.
// Run: TEST_DATABASE_URL=… npx tsx bench/console-growth-reads.ts [fans] [days]
import { auditEntries } from '../db/audit-log.ts';
import { creatorTotals, listRecentEvents } from '../db/console-events.ts';
import { largestCreator } from '../db/creators.ts';
import { analyzeDatabase, historyRowCounts } from '../db/databases.ts';
import { sampleLoggedHistory } from '../db/logged-history.ts';
import { DAY_MS } from '../domain/time.ts';
import { DEFAULT_CAP_POLICY } from '../policy/cap-policy.ts';
import { historyReplay } from '../policy/history-replay.ts';
import { writeHistory } from '../simulator/history.ts';
import { seedWorld } from '../simulator/seed.ts';
import { parseWorldSpec } from '../simulator/spec.ts';
import { generateWorld } from '../simulator/world.ts';
import { createTestSchema } from '../testing/db.ts';
import { AUDIT_KINDS } from '../wire/audit.ts';
import { HISTORY_REPLAY_LIMITS, HISTORY_REPLAY_RESAMPLES } from '../wire/replay.ts';

const FANS = Number(process.argv[2] ?? 5_000);
const DAYS = Number(process.argv[3] ?? 28);
const db = await createTestSchema('bench_console_growth');
const ms = (t0: number) => `${Math.round(performance.now() - t0)} ms`;
try {
  const now = Date.now();
  const spec = parseWorldSpec({
    seed: 3,
    start: new Date(now - (DAYS + 1) * DAY_MS).toISOString(),
    fans: { count: FANS },
    creators: { count: Math.max(5, Math.round(FANS / 250)) },
  });
  let t0 = performance.now();
  const world = generateWorld(spec);
  const ids = await seedWorld(db.pool, world);
  await writeHistory(db.pool, world, ids, { fromMs: world.startMs, toMs: now });
  const { decisions } = await historyRowCounts(db.pool);
  process.stdout.write(`seeded ${FANS} fans, ${DAYS} days, ${decisions} decisions in ${ms(t0)}\n`);
  await analyzeDatabase(db.pool);

  const period = { from: new Date(now - DAYS * DAY_MS), to: new Date(now) };
  const sampleSize = HISTORY_REPLAY_LIMITS.fans.max;
  for (let run = 1; run <= 2; run++) {
    t0 = performance.now();
    const sample = await sampleLoggedHistory(db.pool, period, sampleSize, run);
    const read = ms(t0);
    t0 = performance.now();
    const tighter = {
      ...DEFAULT_CAP_POLICY,
      name: 'tighter',
      rules: DEFAULT_CAP_POLICY.rules.map((r) => (r.type === 'cap' ? { ...r, limit: 1 } : r)),
    };
    historyReplay({
      logged: sample.logged,
      fans: sample.fanIds.length,
      days: DAYS,
      current: DEFAULT_CAP_POLICY,
      proposed: tighter,
      resamples: HISTORY_REPLAY_RESAMPLES,
      seed: run,
    });
    process.stdout.write(
      `history replay, run ${run}: ${sample.fanIds.length} fans, ${sample.logged.length} candidates: ` +
        `read ${read}, replay and bootstrap ${ms(t0)}\n`,
    );
  }

  const creator = (await largestCreator(db.pool))!;
  for (let run = 1; run <= 2; run++) {
    t0 = performance.now();
    await Promise.all([
      creatorTotals(db.pool, creator.creatorId, period.from, period.to),
      listRecentEvents(db.pool, 200, { id: creator.creatorId, from: period.from, to: period.to }),
    ]);
    process.stdout.write(`creator summary (${creator.members} members), run ${run}: ${ms(t0)}\n`);
  }
  t0 = performance.now();
  await auditEntries(db.pool, AUDIT_KINDS, period.from, period.to, 1001);
  process.stdout.write(`audit log: ${ms(t0)}\n`);
} finally {
  await db.drop();
}
