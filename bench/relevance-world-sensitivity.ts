// How far the model trails the oracle under different world assumptions: the in-memory replay of `fanfare simulate`
// (baseline history, features, our GBDT, validation on the last complete day), one world variant at a time.
// Run: npx tsx bench/relevance-world-sensitivity.ts [--fans 15000] [--creators 60] [--seed 42]
import { parseArgs } from 'node:util';
import { DAY_MS } from '../domain/time.ts';
import { trainReplayModel } from '../replay/model.ts';
import { parseWorldSpec, type WorldSpecInput } from '../simulator/spec.ts';
import { generateWorld } from '../simulator/world.ts';

const { values } = parseArgs({
  options: {
    fans: { type: 'string', default: '15000' },
    creators: { type: 'string', default: '60' },
    seed: { type: 'string', default: '42' },
  },
});
const size = { seed: Number(values.seed), fans: Number(values.fans), creators: Number(values.creators) };

// Each variant changes one group of today's defaults back to what it was before features v4; the last changes them all
// back, the earlier default world. The hourEffect row is the one change tried and not taken (see RELEVANCE.md).
const change = {
  noRhythm: { response: { awayWaitsForPeak: 0, openDelayMedianMinutes: { email: 90, push: 4 } } },
  earlierRates: {
    response: {
      baseOpenRate: {
        email: { post: 0.2, live: 0.25, announcement: 0.15 },
        push: { post: 0.1, live: 0.18, announcement: 0.06 },
      },
    },
  },
  earlierMemberships: { memberships: { perFanMedian: 2 } },
  earlierSplit: { affinity: { fanShare: 0.35, creatorShare: 0.15 } },
  hour: { response: { hourEffect: 0.6 } },
};
const merge = (...parts: WorldSpecInput[]): WorldSpecInput => {
  const out: Record<string, Record<string, unknown>> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p)) out[k] = { ...(out[k] ?? {}), ...(v as object) };
  return out as WorldSpecInput;
};
const variants: [string, WorldSpecInput][] = [
  ['defaults', {}],
  ['opens without the rhythm (awayWaitsForPeak 0, email delay 90 min)', change.noRhythm],
  ['earlier open rates (email 0.2 / 0.25 / 0.15, push 0.1 / 0.18 / 0.06)', change.earlierRates],
  ['earlier memberships (perFanMedian 2)', change.earlierMemberships],
  ['earlier affinity split (0.35 / 0.15 / 0.50)', change.earlierSplit],
  ['hourEffect 0.6', change.hour],
  [
    'all three earlier groups (the default world before features v4)',
    merge(change.earlierRates, change.earlierMemberships, change.earlierSplit),
  ],
];

console.log(
  `world seed ${size.seed}, ${size.fans} fans, ${size.creators} creators, 28 days; ` +
    'gap = oracle AUC − model AUC on the last complete day',
);
console.log('| world | rows (train / validation) | model AUC | oracle AUC | gap | model ECE |');
console.log('| --- | --: | --: | --: | --: | --: |');
for (const [name, input] of variants) {
  const spec = parseWorldSpec({
    ...merge(input, { fans: { count: size.fans } }, { creators: { count: size.creators } }),
    seed: size.seed,
  });
  const world = generateWorld(spec);
  const from = Date.parse(spec.start);
  const r = trainReplayModel(world, from, from + 28 * DAY_MS);
  const v = r.validation!;
  console.log(
    [
      `| ${name}`,
      `${r.rows.train} / ${r.rows.validation}`,
      v.model.auc.toFixed(4),
      v.oracle.auc.toFixed(4),
      (v.oracle.auc - v.model.auc).toFixed(4),
      `${v.model.ece.toFixed(4)} |`,
    ].join(' | '),
  );
}
