// The relevance model on the default world: `fanfare train --report` on a real worker, then scoring throughput.
//
// Setup (once, about 3.5 minutes): a database holding the default world with 28 days of history that ends now:
//   createdb fanfare_relevance
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/fanfare_relevance npx fanfare migrate
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/fanfare_relevance npx fanfare seed \
//     --history-days 28 --history-ends-now
// Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/fanfare_relevance npx tsx bench/relevance-model.ts \
//   [--skip-train] [fanfare train flags, e.g. --max-train-rows N]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { type ActivityDeps, createActivities } from '../activities/index.ts';
import { createTrainingActivities } from '../activities/training.ts';
import { databaseUrl } from '../app/config.ts';
import { workflowBundle } from '../app/worker.ts';
import { largestCreator } from '../db/creators.ts';
import { lastSentAt } from '../db/deliveries.ts';
import { insertEvent } from '../db/events.ts';
import { fanIdPage } from '../db/fans.ts';
import { deleteEvent } from '../db/fixtures.ts';
import { createPool } from '../db/pool.ts';
import { startDevServer } from '../dev/temporal.ts';
import { HOUR_MS } from '../domain/time.ts';
import { createRelevanceScorer, type ScoringCandidate } from '../models/scoring.ts';
import { simulatedWorldOracle } from '../simulator/oracle.ts';
import { TASK_QUEUE, trainingTaskQueue } from '../workflows/names.ts';

const skipTrain = process.argv.includes('--skip-train');
const trainFlags = process.argv.slice(2).filter((a) => a !== '--skip-train');
const url = databaseUrl();
const pool = createPool(url, 8);
Runtime.install({ logger: new DefaultLogger('WARN') });
const log = (line: string) => process.stdout.write(`${line}\n`);

// The history's end is the data's "now": engagement after it was never written, so labels are complete only up to it.
const asOf = new Date(Math.ceil((await lastSentAt(pool))!.getTime() / HOUR_MS) * HOUR_MS);
log(`history ends ${asOf.toISOString()}`);

if (!skipTrain) {
  const server = await startDevServer();
  const connection = await NativeConnection.connect({ address: server.address });
  const training = createTrainingActivities({
    pool,
    log: (l) => log(`  worker: ${l}`),
    oracle: simulatedWorldOracle(pool),
  });
  const main = await Worker.create({
    connection,
    taskQueue: TASK_QUEUE,
    workflowBundle: await workflowBundle(),
    activities: { gateCandidate: training.gateCandidate },
  });
  const trainer = await Worker.create({
    connection,
    taskQueue: trainingTaskQueue(TASK_QUEUE),
    activities: { trainCandidate: training.trainCandidate },
    maxConcurrentActivityTaskExecutions: 1,
  });
  await main.runUntil(() =>
    trainer.runUntil(async () => {
      const started = performance.now();
      const cli = fileURLToPath(new URL('../bin/fanfare.js', import.meta.url));
      const child = spawn(process.execPath, [cli, 'train', '--report', '--as-of', asOf.toISOString(), ...trainFlags], {
        env: { ...process.env, TEMPORAL_ADDRESS: server.address, DATABASE_URL: url },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      log(`fanfare train --report exited ${code} after ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }),
  );
  await server.stop();
}

// Scoring inside the decision path: 10,000 fans × 2 channels × 24 candidate send hours in one call.
const scorer = createRelevanceScorer({ pool, log });
const creator = (await largestCreator(pool))!;
const fans = await fanIdPage(pool, 0, 10_000);
const event = { creatorId: creator.creatorId, kind: 'post' as const, createdAtMs: asOf.getTime() };
const candidates: ScoringCandidate[] = [];
for (const fanId of fans) {
  for (const channel of ['email', 'push'] as const) {
    for (let h = 0; h < 24; h++) candidates.push({ fanId, channel, sendAtMs: asOf.getTime() + h * HOUR_MS });
  }
}
await scorer.scoreCandidates(event, candidates.slice(0, 48), asOf.getTime()); // loads the model and the day's snapshot
for (let run = 1; run <= 3; run++) {
  const t0 = performance.now();
  const scored = await scorer.scoreCandidates(event, candidates, asOf.getTime());
  const s = (performance.now() - t0) / 1000;
  if (!scored.scores) throw new Error(`no scores: ${scored.unscoredReason}`);
  log(
    `scoreCandidates: ${candidates.length} candidates (10,000 fans × 2 channels × 24 hours) ` +
      `with model ${scored.modelVersion} in ${s.toFixed(2)} s (${(candidates.length / s).toFixed(0)}/s)`,
  );
}

// decideBatch as announceEvent runs it: 2,000-fan pages of the biggest creator's audience, scored with
// SHAP and written.
const { event: ev } = await insertEvent(
  pool,
  {
    creatorId: event.creatorId,
    kind: 'post',
    title: 'Bench post',
    url: 'https://fans.example/bench',
    audience: { rule: 'all' },
    idempotencyKey: `bench-${Date.now()}`,
    deadline: null,
  },
  asOf,
);
// decideBatch touches only the pool, the scorer and the clock.
const activities = createActivities({ pool, scorer, now: () => asOf } as unknown as ActivityDeps);
const t0 = performance.now();
let afterFanId = 0;
let decisions = 0;
let audience = 0;
for (;;) {
  const page = await activities.decideBatch({ eventId: ev.id, afterFanId, limit: 2000 });
  decisions += page.decisions;
  audience += page.fans;
  afterFanId = page.lastFanId;
  if (page.fans < 2000) break;
}
const s = (performance.now() - t0) / 1000;
log(
  `decideBatch: ${audience} fans, ${decisions} decisions scored with top-5 SHAP and written ` +
    `in ${s.toFixed(1)} s (${(decisions / s).toFixed(0)} decisions/s)`,
);
await deleteEvent(pool, ev.id);
await pool.end();
