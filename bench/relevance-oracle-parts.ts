// How much of the oracle's holdout AUC is the latent affinity: the oracle vs oracles with parts of it at its mean.
// Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/fanfare_relevance npx tsx bench/relevance-oracle-parts.ts
// (a database seeded as for bench/relevance-model.ts)

import { databaseUrl } from '../app/config.ts';
import { lastSentAt } from '../db/deliveries.ts';
import { createPool } from '../db/pool.ts';
import { HOUR_MS } from '../domain/time.ts';
import { evaluateProbabilities } from '../models/evaluation.ts';
import { extractExamples } from '../models/examples.ts';
import { FEATURE_NAMES, NUM_FEATURES } from '../models/features.ts';
import { trainingWindow } from '../models/relevance-training.ts';
import { sigmoid } from '../simulator/random.ts';
import { trueOpenProbabilities } from '../simulator/true-probability.ts';
import { generateWorld, type World } from '../simulator/world.ts';
import { readSimulatedWorld } from '../simulator/world-setting.ts';

const pool = createPool(databaseUrl(), 8);
const asOfMs = Math.ceil((await lastSentAt(pool))!.getTime() / HOUR_MS) * HOUR_MS;
const w = trainingWindow(asOfMs, 21, 3);
const hold = await extractExamples(pool, { fromMs: w.holdoutFromMs, toMs: w.holdoutToMs });
const world = generateWorld((await readSimulatedWorld(pool))!);
const col = (n: string, i: number) => hold.rows[i * NUM_FEATURES + FEATURE_NAMES.indexOf(n as never)];
const inputs = Array.from({ length: hold.numRows }, (_, i) => ({
  fanId: hold.fanIds[i],
  creatorId: hold.creatorIds[i],
  kindCode: col('kind', i),
  channelCode: col('channel', i),
  localHour: col('local_hour', i),
  sentLast24h: col('fan_sent_24h', i),
}));
const a = world.spec.affinity;
const withAffinity = (f: (m: number) => number): World => ({
  ...world,
  memberships: {
    ...world.memberships,
    affinity: Float32Array.from({ length: world.memberships.count }, (_, m) => f(m)),
  },
});
const ms = world.memberships;
const shared = (m: number) =>
  a.logitMean +
  a.paidShift * ms.paid[m] +
  world.fans.affinityEffect[ms.fan[m]] +
  world.creators.affinityEffect[ms.creator[m]];
for (const [name, wld] of [
  ['oracle (true probability)', world],
  ['affinity residual at its mean (knows fan and creator parts)', withAffinity((m) => sigmoid(shared(m)))],
  [
    'fan part known, creator and residual at mean',
    withAffinity((m) => sigmoid(a.logitMean + a.paidShift * ms.paid[m] + world.fans.affinityEffect[ms.fan[m]])),
  ],
  ['all affinity at its paid/free mean', withAffinity((m) => sigmoid(a.logitMean + a.paidShift * ms.paid[m]))],
] as const) {
  const met = evaluateProbabilities(await trueOpenProbabilities(pool, wld as World, inputs), hold.labels);
  console.log(`${name}: AUC ${met.auc.toFixed(4)} logloss ${met.logloss.toFixed(4)} (${hold.numRows} rows)`);
}
await pool.end();
