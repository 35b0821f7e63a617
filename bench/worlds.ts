// Several worlds, several seeds each: the model against the oracle on held-out days, and the policy's replay against
// caps-only first-come and send-everything-now, with every figure's spread across seeds (issue 14, items 3 and 4).
// Run: npx tsx bench/worlds.ts [--worlds a.json,b.json] [--seed-from 201] [--seeds 3] [--fans 3000]
//        [--train-days 14] [--days 14] [--model-only] [--drop feature,feature] [--params key=value,key=value]
// Each world is a spec file (default: every file in simulator/worlds/); --seed-from replaces its seed, and the
// N - 1 seeds after it are played too. Choose features on one range of seeds and report on another.
import { parseArgs } from 'node:util';
import { FEATURE_NAMES, type FeatureName } from '../models/features.ts';
import { DEFAULT_CAP_POLICY } from '../policy/cap-policy.ts';
import { evaluateHeldOut, modelScorer, trainReplayModel } from '../replay/model.ts';
import {
  formatReplaySpread,
  type HeldOutEvaluation,
  type PolicyOutcome,
  type ReplayReport,
  replay,
} from '../replay/replay.ts';
import { generateWorld } from '../simulator/world.ts';
import { intOption, loadWorlds, worldAt, worldFiles } from './world-options.ts';

const DAY = 86_400_000;

const { values } = parseArgs({
  options: {
    worlds: { type: 'string' },
    'seed-from': { type: 'string', default: '201' },
    seeds: { type: 'string', default: '3' },
    fans: { type: 'string', default: '3000' },
    'train-days': { type: 'string', default: '14' },
    days: { type: 'string', default: '14' },
    'max-train-rows': { type: 'string', default: '600000' },
    'model-only': { type: 'boolean', default: false },
    drop: { type: 'string', default: '' },
    params: { type: 'string', default: '' },
  },
});
const seedFrom = intOption('seed-from', values['seed-from'], 0);
const seeds = intOption('seeds', values.seeds, 1);
const fans = intOption('fans', values.fans, 1);
const trainDays = intOption('train-days', values['train-days'], 3);
const days = intOption('days', values.days, 1);
const maxTrainRows = intOption('max-train-rows', values['max-train-rows'], 1000);
const drop = values.drop ? values.drop.split(',') : [];
for (const name of drop) {
  if (!(FEATURE_NAMES as readonly string[]).includes(name)) throw new Error(`--drop: no feature named ${name}`);
}
const params = values.params ? values.params.split(',') : [];
const worlds = await loadWorlds(await worldFiles(values.worlds));

const f4 = (x: number) => x.toFixed(4);
function meanSd(xs: readonly number[]): string {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return `${f4(mean)} ± ${f4(sd)}`;
}
const log = (line: string) => process.stderr.write(`${line}\n`);

interface WorldResult {
  name: string;
  evaluations: HeldOutEvaluation[];
  reports: ReplayReport[];
}

const results: WorldResult[] = [];
for (const { name, base } of worlds) {
  const result: WorldResult = { name, evaluations: [], reports: [] };
  for (let k = 0; k < seeds; k++) {
    const spec = worldAt(base, seedFrom + k, fans);
    const started = performance.now();
    const world = generateWorld(spec);
    const replayFromMs = world.startMs + trainDays * DAY;
    const trained = trainReplayModel(world, world.startMs, replayFromMs, {
      maxTrainRows,
      params,
      dropFeatures: drop as FeatureName[],
    });
    const window = { fromMs: world.startMs, toMs: replayFromMs };
    const evaluation = evaluateHeldOut(world, trained.model, window, replayFromMs + days * DAY);
    if (!evaluation) throw new Error(`${name} seed ${spec.seed}: no sends on the held-out days`);
    result.evaluations.push(evaluation);
    if (!values['model-only']) {
      const scorer = modelScorer(trained.model, `model trained on ${trainDays} days`, trained.log);
      const report = replay(world, DEFAULT_CAP_POLICY, days, scorer, { fromMs: replayFromMs });
      report.evaluation = evaluation;
      result.reports.push(report);
      const [now, fcfs, full] = report.outcomes;
      const pct = (a: number, b: number) => `${b === 0 ? 'n/a' : (((a - b) / b) * 100).toFixed(1)}%`;
      log(
        `${name} seed ${spec.seed}: policy opens ${full.opens} ` +
          `(alert ${full.alertOpens}, digest ${full.digestOpens}), ` +
          `vs caps-only ${pct(full.opens, fcfs.opens)}, vs send-everything ${pct(full.opens, now.opens)}; ` +
          `violations ${fcfs.violations.length + full.violations.length}`,
      );
    }
    log(
      `${name} seed ${spec.seed}: ${trained.rows.train} training rows, ${trained.trees} trees; held out ` +
        `${evaluation.model.rows} rows: AUC ${f4(evaluation.model.auc)} (oracle ${f4(evaluation.oracle.auc)}), ` +
        `ECE ${f4(evaluation.model.ece)}; ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );
  }
  results.push(result);
}

const out = (line = '') => process.stdout.write(`${line}\n`);
out(
  `${fans} fans, ${trainDays} days of baseline history, ${days} days held out and replayed; ` +
    `seeds ${seedFrom}-${seedFrom + seeds - 1}` +
    (drop.length ? `; features dropped: ${drop.join(', ')}` : '') +
    (params.length ? `; params: ${params.join(' ')}` : ''),
);
out();
out('| world | model AUC | oracle AUC | AUC gap | model logloss | oracle logloss | model ECE |');
out('| --- | --: | --: | --: | --: | --: | --: |');
for (const r of results) {
  const e = r.evaluations;
  out(
    `| ${r.name} | ${meanSd(e.map((x) => x.model.auc))} | ${meanSd(e.map((x) => x.oracle.auc))} | ` +
      `${meanSd(e.map((x) => x.oracle.auc - x.model.auc))} | ${meanSd(e.map((x) => x.model.logloss))} | ` +
      `${meanSd(e.map((x) => x.oracle.logloss))} | ${meanSd(e.map((x) => x.model.ece))} |`,
  );
}
if (!values['model-only']) {
  out();
  out('Policy opens against the baselines (%, mean ± SD across seeds), and rules broken by the capped runs:');
  out();
  out(
    '| world | opens vs caps-only | alert opens vs caps-only | opens vs send-everything | ' +
      'alert opens vs send-everything | digest opens/digest | cap / gap / quiet-hour / deadline violations |',
  );
  out('| --- | --: | --: | --: | --: | --: | --: |');
  for (const r of results) {
    const pct = (f: (rep: ReplayReport) => [number, number]) =>
      meanSd(
        r.reports.map((rep) => {
          const [a, b] = f(rep);
          return b === 0 ? 0 : ((a - b) / b) * 100;
        }),
      ).replace(/(\d+\.\d)\d{3}/g, '$1');
    const [now, fcfs, full] = [0, 1, 2];
    const digestRate = (o: PolicyOutcome) => (o.digests ? o.digestOpens / o.digests : 0);
    const count = (inv: string[]) =>
      r.reports.reduce(
        (n, rep) =>
          n +
          rep.outcomes.slice(1).reduce((m, o) => m + o.violations.filter((v) => inv.includes(v.invariant)).length, 0),
        0,
      );
    out(
      `| ${r.name} | ${pct((rep) => [rep.outcomes[full].opens, rep.outcomes[fcfs].opens])} | ` +
        `${pct((rep) => [rep.outcomes[full].alertOpens, rep.outcomes[fcfs].alertOpens])} | ` +
        `${pct((rep) => [rep.outcomes[full].opens, rep.outcomes[now].opens])} | ` +
        `${pct((rep) => [rep.outcomes[full].alertOpens, rep.outcomes[now].alertOpens])} | ` +
        `${meanSd(r.reports.map((rep) => digestRate(rep.outcomes[full])))} | ` +
        `${count(['cap'])} / ${count(['gap'])} / ${count(['quiet_hours'])} / ` +
        `${count(['deadline', 'send_at', 'before_decision'])} |`,
    );
  }
  for (const r of results) {
    out();
    out(`### ${r.name}`);
    out();
    out(formatReplaySpread(r.reports));
  }
}
