// What the model's AUC gap to the oracle on held-out days is made of, on the several worlds: oracles that know
// less (parts of the latent affinity replaced by their expectation given the rest; without any, the oracle knows
// only the reading peaks, paid, fatigue, kind and channel), and the gap by held-out half.
// Run: npx tsx bench/worlds-gap-parts.ts [--worlds a.json,b.json] [--seed-from 101] [--seeds 2] [--fans 20000]
//        [--train-days 14] [--days 14] [--true-peaks]
// --true-peaks trains and scores the model with the fan's true peak proximity at the send hour (which no log holds)
// in place of fan_peak_proximity, its estimate from the opens: what knowing the reading peaks exactly would be worth.
// The blind oracles bound what any model of these logs can reach: a membership's own part of the affinity shows
// only in that membership's few sends, so an oracle without it is the nearer ceiling of a model that has to learn it.
import { parseArgs } from 'node:util';
import { evaluateProbabilities } from '../models/evaluation.ts';
import { FEATURE_NAMES } from '../models/features.ts';
import { heldOutRows, type LabelledSend, oracleOfRows, replaceColumn, trainReplayModel } from '../replay/model.ts';
import { sigmoid } from '../simulator/random.ts';
import { peakProximity } from '../simulator/response.ts';
import { generateWorld, type World } from '../simulator/world.ts';
import { intOption, loadWorlds, worldAt, worldFiles } from './world-options.ts';

const DAY = 86_400_000;
const { values } = parseArgs({
  options: {
    worlds: { type: 'string' },
    'seed-from': { type: 'string', default: '101' },
    seeds: { type: 'string', default: '2' },
    fans: { type: 'string', default: '20000' },
    'train-days': { type: 'string', default: '14' },
    days: { type: 'string', default: '14' },
    'true-peaks': { type: 'boolean', default: false },
  },
});
const seedFrom = intOption('seed-from', values['seed-from'], 0);
const seeds = intOption('seeds', values.seeds, 1);
const fans = intOption('fans', values.fans, 1);
const trainDays = intOption('train-days', values['train-days'], 3);
const days = intOption('days', values.days, 2);
const worlds = await loadWorlds(await worldFiles(values.worlds));

/** Standard normal quadrature: points and weights over ±4 SD. */
const Q = 41;
const NODES = Float64Array.from({ length: Q }, (_, k) => -4 + (8 * k) / (Q - 1));
const WEIGHTS = (() => {
  const w = Float64Array.from(NODES, (z) => Math.exp(-(z * z) / 2));
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / sum);
})();

/** The world with each membership's affinity replaced by its expectation over the parts named unknown. */
function blind(world: World, unknown: { fan: boolean; creator: boolean }): World {
  const a = world.spec.affinity;
  const ms = world.memberships;
  const residualVar = a.logitSigma ** 2 * Math.max(0, 1 - a.fanShare - a.creatorShare);
  const sd = Math.sqrt(
    residualVar +
      (unknown.fan ? a.logitSigma ** 2 * a.fanShare : 0) +
      (unknown.creator ? a.logitSigma ** 2 * a.creatorShare : 0),
  );
  const affinity = Float32Array.from({ length: ms.count }, (_, m) => {
    const known =
      a.logitMean +
      a.paidShift * ms.paid[m] +
      (unknown.fan ? 0 : world.fans.affinityEffect[ms.fan[m]]) +
      (unknown.creator ? 0 : world.creators.affinityEffect[ms.creator[m]]);
    let e = 0;
    for (let k = 0; k < Q; k++) e += WEIGHTS[k] * sigmoid(known + sd * NODES[k]);
    return e;
  });
  return { ...world, memberships: { ...ms, affinity } };
}

const f4 = (x: number) => x.toFixed(4);
const out = (line = '') => process.stdout.write(`${line}\n`);
out(
  `${fans} fans, ${trainDays} days of history, ${days} held out; seeds ${seedFrom}-${seedFrom + seeds - 1}` +
    (values['true-peaks'] ? '; the model reads the true peak proximity' : ''),
);
out();
out(
  '| world | seed | model AUC | oracle AUC | oracle without the membership part | ' +
    'oracle with only the creator part | oracle without any affinity | gap, first half of held-out days | ' +
    'gap, second half |',
);
out('| --- | --: | --: | --: | --: | --: | --: | --: | --: |');
for (const { name, base } of worlds) {
  for (let k = 0; k < seeds; k++) {
    const spec = worldAt(base, seedFrom + k, fans);
    const world = generateWorld(spec);
    const toMs = world.startMs + trainDays * DAY;
    const hourColumn = FEATURE_NAMES.indexOf('local_hour');
    const truePeaks = {
      name: 'fan_peak_proximity' as const,
      value: (l: LabelledSend, row: Float64Array) => peakProximity(world, l.fan, row[hourColumn]),
    };
    const replaceFeature = values['true-peaks'] ? truePeaks : undefined;
    const trained = trainReplayModel(world, world.startMs, toMs, { maxTrainRows: 600_000, replaceFeature });
    const held = heldOutRows(world, { fromMs: world.startMs, toMs }, toMs + days * DAY);
    if (!held) throw new Error(`${name} seed ${spec.seed}: no sends on the held-out days`);
    if (replaceFeature) replaceColumn(held.rows, held.sends, replaceFeature);
    const model = trained.model.predict(held.rows);
    const auc = (p: Float64Array, keep?: (i: number) => boolean) => {
      if (!keep) return evaluateProbabilities(p, held.labels).auc;
      const idx = Array.from(held.sends.keys()).filter(keep);
      return evaluateProbabilities(
        Float64Array.from(idx, (i) => p[i]),
        Float64Array.from(idx, (i) => held.labels[i]),
      ).auc;
    };
    const noResidual = oracleOfRows(blind(world, { fan: false, creator: false }), held.sends, held.rows);
    const creatorOnly = oracleOfRows(blind(world, { fan: true, creator: false }), held.sends, held.rows);
    const noAffinity = oracleOfRows(blind(world, { fan: true, creator: true }), held.sends, held.rows);
    const middle = toMs + Math.floor(days / 2) * DAY;
    const early = (i: number) => held.sends[i].send.sentAtMs < middle;
    const late = (i: number) => !early(i);
    out(
      `| ${name} | ${spec.seed} | ${f4(auc(model))} | ${f4(auc(held.oracle))} | ${f4(auc(noResidual))} | ` +
        `${f4(auc(creatorOnly))} | ${f4(auc(noAffinity))} | ${f4(auc(held.oracle, early) - auc(model, early))} | ` +
        `${f4(auc(held.oracle, late) - auc(model, late))} |`,
    );
  }
}
