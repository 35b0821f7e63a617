// `fanfare experiment create|list|stop|results`: experiments on live traffic and their results per arm.
import { readConfig } from '../app/config.ts';
import { experimentJson, experimentResults } from '../db/experiment-results.ts';
import { createExperiment, getExperiment, listExperiments, stopExperiment } from '../db/experiments.ts';
import { RESULT_METRICS, type ResultMetric } from '../domain/experiment.ts';
import { formatFieldErrors } from '../domain/field-error.ts';
import { freeBuckets, percentBuckets, placeExperiment, validateExperiment } from '../policy/experiment.ts';
import { globalHoldoutDefaultFrom, resultDays } from '../policy/experiment-range.ts';
import type { ExperimentResultsAnswer, IntervalJson } from '../wire/experiments.ts';
import { type CommandLine, defineCommand, defineGroup, ENV, parseFlags, type Syntax } from './args.ts';
import { defaultActor } from './policy.ts';
import { withPool } from './pool.ts';
import { columns, instant } from './table.ts';

const HOLDOUT_ENV = {
  FANFARE_GLOBAL_HOLDOUT_PERCENT: 'the standing global holdout, percent of fans kept out of experiments (default 1)',
};

const CREATE = {
  command: 'experiment create',
  summary: 'start an experiment on live traffic: a control and variants or a holdout, each a share of all fans',
  operands: ['NAME'],
  flags: {
    arms: { value: 'SPEC', help: 'the arms, comma-separated: name=PERCENT[:policy=V][:model=V][:holdout]' },
    actor: { value: 'NAME', help: 'who is recorded as its creator (default cli:<your user name>)' },
  },
  env: { ...ENV.database, ...HOLDOUT_ENV },
  notes: [
    'The arm that sets nothing is the control (exactly one); policy=V decides with cap policy version V, model=V',
    'scores with model version V, holdout sends only transactional alerts and the digests fans chose. Example:',
    '  fanfare experiment create "tighter caps" --arms control=20,tight=20:policy=4',
  ],
} satisfies Syntax;
const LIST = { command: 'experiment list', summary: 'list experiments, running ones first', env: ENV.database };
const STOP = {
  command: 'experiment stop',
  summary: 'stop a running experiment: its fans are decided as usual from the next batch',
  operands: ['ID'],
  flags: { actor: { value: 'NAME', help: 'who is recorded as stopping it (default cli:<your user name>)' } },
  env: ENV.database,
} satisfies Syntax;
const RESULTS = {
  command: 'experiment results',
  summary: 'per arm, per fan: alerts, opens, clicks, unsubscribes, and the difference to control with a 95% CI',
  operands: ['ID'],
  flags: {
    from: {
      value: 'DATE',
      help: 'decisions made from this date or instant (default: the start; global: 6 UTC days before today)',
    },
    to: { value: 'DATE', help: 'decisions made before this date or instant (default: the stop, or now)' },
    json: { help: 'print the results as JSON (the console API answer)' },
  },
  env: ENV.database,
  notes: ['ID is an experiment id, or global-holdout for the standing global holdout against fans in no experiment.'],
} satisfies Syntax;

/** name=PERCENT[:policy=V][:model=V][:holdout], comma-separated, as the arms the validator reads. */
export function parseArmSpec(spec: string, fail: (message: string) => never): unknown[] {
  return spec.split(',').map((part, i) => {
    const [head, ...options] = part.trim().split(':');
    const m = /^([^=]+)=(.+)$/.exec(head);
    if (!m) fail(`--arms: arm ${i + 1} must read name=PERCENT, got "${part}"`);
    const arm: Record<string, unknown> = { name: m[1], allocation: Number(m[2]) };
    for (const o of options) {
      const kv = /^(policy|model)=(\d+)$/.exec(o);
      if (kv) arm[kv[1] === 'policy' ? 'capPolicyVersion' : 'modelVersion'] = Number(kv[2]);
      else if (o === 'holdout') arm.holdout = true;
      else fail(`--arms: arm "${m[1]}" has "${o}"; options are policy=V, model=V and holdout`);
    }
    return arm;
  });
}

function parseId(line: { operands: string[]; fail(message: string): never }, allowGlobal: boolean): number | null {
  const [raw] = line.operands;
  if (allowGlobal && raw === 'global-holdout') return null;
  if (!/^\d+$/.test(raw) || Number(raw) < 1)
    line.fail(`ID: must be a positive integer${allowGlobal ? ' or global-holdout' : ''}, got "${raw}"`);
  return Number(raw);
}

function parseDate(line: CommandLine<typeof RESULTS.flags>, name: 'from' | 'to'): Date | undefined {
  const raw = line.string(name);
  if (raw === undefined) return undefined;
  const d = new Date(raw);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(d.getTime()))
    line.fail(`--${name}: must be a date (YYYY-MM-DD) or an ISO 8601 instant, got "${raw}"`);
  return d;
}

const create = defineCommand(CREATE, async (args) => {
  const line = parseFlags(args, CREATE);
  const spec = line.string('arms');
  if (!spec) return line.fail('--arms: needs the arms, e.g. control=20,tight=20:policy=4');
  const checked = validateExperiment({ name: line.operands[0], arms: parseArmSpec(spec, (m) => line.fail(m)) });
  if (!checked.ok) return line.fail(formatFieldErrors(checked.errors));
  const holdout = readConfig().globalHoldoutPercent;
  const size = checked.value.arms.reduce((s, a) => s + percentBuckets(a.allocation), 0);
  await withPool(CREATE.command, async (pool) => {
    const created = await createExperiment(pool, checked.value, line.string('actor') ?? defaultActor(), (running) => {
      const placed = placeExperiment(size, running, holdout);
      const free = freeBuckets(running, holdout) / 100;
      return placed ?? { field: 'arms', rule: `allocations must fit the ${free}% of fans no running experiment holds` };
    });
    if (!created.ok) throw new Error(formatFieldErrors(created.errors));
    const e = experimentJson(created.experiment);
    process.stdout.write(`experiment ${e.id} "${e.name}" started on ${e.trafficPercent}% of fans\n`);
  });
  return 0;
});

const list = defineCommand(LIST, async (args) => {
  parseFlags(args, LIST);
  await withPool(LIST.command, async (pool) => {
    const rows = (await listExperiments(pool)).map(experimentJson);
    const arms = (e: (typeof rows)[number]) =>
      e.arms
        .map((a) => {
          const policy = a.capPolicyVersion ? ` policy=${a.capPolicyVersion}` : '';
          const model = a.modelVersion ? ` model=${a.modelVersion}` : '';
          const what = a.holdout ? ' holdout' : `${policy}${model}`;
          return `${a.name} ${a.allocation}%${what}`;
        })
        .join(', ');
    const table = [
      ['ID', 'NAME', 'STATUS', 'TRAFFIC', 'STARTED', 'STOPPED', 'ARMS'],
      ...rows.map((e) => [
        String(e.id),
        e.name,
        e.stoppedAt ? 'stopped' : 'running',
        `${e.trafficPercent}%`,
        instant(new Date(e.startedAt)),
        instant(e.stoppedAt ? new Date(e.stoppedAt) : null),
        arms(e),
      ]),
    ];
    process.stdout.write(rows.length ? `${columns(table)}\n` : 'no experiments\n');
  });
  return 0;
});

const stop = defineCommand(STOP, async (args) => {
  const line = parseFlags(args, STOP);
  const id = parseId(line, false)!;
  await withPool(STOP.command, async (pool) => {
    const stopped = await stopExperiment(pool, id, line.string('actor') ?? defaultActor());
    if (!stopped) throw new Error(`ID: no running experiment ${id}`);
    process.stdout.write(`experiment ${id} stopped\n`);
  });
  return 0;
});

const num = (n: number | null, digits = 3) => (n === null ? '-' : n.toFixed(digits));
const ci = (i: IntervalJson | null) => (i === null ? '' : `${num(i.estimate)} [${num(i.low)}, ${num(i.high)}]`);
const percent = (n: number | null) => (n === null ? '-' : `${(n * 100).toFixed(1)}%`);
const pct = (i: IntervalJson | null) =>
  i === null || i.estimate === null ? '' : `${percent(i.estimate)} [${percent(i.low)}, ${percent(i.high)}]`;

const LABELS: Record<ResultMetric, string> = {
  alerts: 'alerts per fan',
  alertOpens: 'alert opens per fan',
  digestOpens: 'digest opens per fan',
  clicks: 'clicks per fan',
  unsubscribes: 'unsubscribes per fan',
};

/** The results as text: one table per metric, each arm's mean and its difference to the control with the 95% CI. */
export function formatResults(r: ExperimentResultsAnswer): string {
  const head = [
    `${r.experimentId === null ? 'global holdout' : `experiment ${r.experimentId}`}: ${r.name}`,
    `decisions from ${r.from} to ${r.to}; control: ${r.control}; intervals are 95% (delta method, fan level)`,
    `fans: ${r.arms.map((a) => `${a.arm} ${a.fans}`).join(', ')}`,
  ];
  const tables = RESULT_METRICS.map((m) =>
    [
      '',
      LABELS[m],
      columns([
        ['ARM', 'MEAN', 'DIFFERENCE [95% CI]', 'RELATIVE [95% CI]'],
        ...r.arms.map((a) => [a.arm, num(a.metrics[m].mean), ci(a.metrics[m].difference), pct(a.metrics[m].relative)]),
      ]),
    ].join('\n'),
  );
  return [...head, ...tables].join('\n');
}

const results = defineCommand(RESULTS, async (args) => {
  const line = parseFlags(args, RESULTS);
  const id = parseId(line, true);
  const from = parseDate(line, 'from');
  const to = parseDate(line, 'to');
  await withPool(RESULTS.command, async (pool) => {
    const experiment = id === null ? null : await getExperiment(pool, id);
    if (id !== null && !experiment) throw new Error(`ID: no experiment ${id}`);
    const now = new Date();
    const end = to ?? new Date((experiment?.stoppedAt ?? now).getTime() + (experiment ? 1 : 0));
    const start = from ?? experiment?.startedAt ?? globalHoldoutDefaultFrom(end);
    if (start >= end) throw new Error('--from: must be before --to');
    const days = resultDays(start, end, now, experiment !== null && !from && !to);
    const answer = await experimentResults(pool, experiment, start, end, days);
    process.stdout.write(`${line.switch('json') ? JSON.stringify(answer, null, 2) : formatResults(answer)}\n`);
  });
  return 0;
});

export const command = defineGroup(
  {
    command: 'experiment',
    summary: 'create, list, stop experiments on live traffic and read their results',
    env: ENV.database,
  },
  { create, list, stop, results },
);
