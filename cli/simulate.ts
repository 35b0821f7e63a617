// `fanfare simulate`: a cap policy replayed on a simulated world against the ground truth, beside two baselines.
import { readFile } from 'node:fs/promises';
import { databaseUrl } from '../app/config.ts';
import { modelText } from '../db/models.ts';
import { createPool } from '../db/pool.ts';
import { formatFieldErrors } from '../domain/field-error.ts';
import { loadRelevanceModel, type RelevanceModel } from '../models/relevance-model.ts';
import { type CapPolicy, DEFAULT_CAP_POLICY } from '../policy/cap-policy.ts';
import { baselineHistory, evaluateHeldOut, modelScorer, trainReplayModel } from '../replay/model.ts';
import {
  formatReplay,
  formatReplaySpread,
  oracleScorer,
  type ReplayReport,
  type ReplayScorer,
  replay,
} from '../replay/replay.ts';
import { loadWorldSpec, parseWorldSpec, type WorldSpec } from '../simulator/spec.ts';
import { generateWorld, type World } from '../simulator/world.ts';
import { defineCommand, parseFlags, type Syntax } from './args.ts';
import { readPolicyFile } from './policy.ts';
import { type Progress, startProgress } from './progress.ts';

const SYNTAX = {
  command: 'simulate',
  summary: 'replay a cap policy over simulated days against the ground truth, beside send-everything-now and caps-only',
  flags: {
    policy: { value: 'FILE', help: 'the cap policy document (default: the built-in policy)' },
    world: { value: 'SPEC.json', help: 'the world spec (default: the built-in one; docs/SIMULATOR.md)' },
    days: { value: 'N', help: 'days replayed, 1 to 60 (default 14)' },
    fans: { value: 'N', help: "fans, 1 to 200000, instead of the spec's count" },
    scores: { value: 'model|oracle', help: "a trained model's scores, or the true P(open) (default model)" },
    model: { value: 'VERSION|FILE', help: 'a registry version or a LightGBM text file (default: trained in memory)' },
    'train-days': { value: 'N', help: 'days of baseline history before the replayed days, 3 to 60 (default 14)' },
    'max-train-rows': { value: 'N', help: 'training rows kept at most, 1000 to 10000000 (default 600000)' },
    reference: { value: 'oracle|none', help: 'add the policy under the true P(open) as a last row (default oracle)' },
    seeds: {
      value: 'N',
      help: "worlds of N seeds from the spec's, 1 to 20 (default 1): each table, then each figure's mean ± SD",
    },
  },
  env: { DATABASE_URL: 'the model registry, for --model VERSION' },
  notes: ['The table goes to stdout; progress, and a line per finished run, to stderr.'],
} satisfies Syntax;

const DAY = 86_400_000;

export interface SimulateArgs {
  policy: string | null;
  world: string | null;
  days: number;
  fans: number | null;
  /** `model`: a trained model's scores (the full policy); `oracle`: the simulator's true P(open), an upper bound. */
  scores: 'model' | 'oracle';
  /** A registry version or a LightGBM text file; null trains one on the baseline history before the replay. */
  model: string | null;
  /** Days of baseline history before the replayed days: the model's training data and the features' past. */
  trainDays: number;
  maxTrainRows: number;
  /** Adds the full policy under the oracle's scores as a reference row. */
  reference: 'oracle' | 'none';
  /** Worlds played: the spec's seed and the N - 1 after it. */
  seeds: number;
}

export function parseSimulateArgs(args: string[]): SimulateArgs {
  const line = parseFlags(args, SYNTAX);
  const parsed: SimulateArgs = {
    policy: line.string('policy') ?? null,
    world: line.string('world') ?? null,
    days: line.integer('days', { min: 1, max: 60 }) ?? 14,
    fans: line.integer('fans', { min: 1, max: 200_000 }) ?? null,
    scores: line.oneOf('scores', ['model', 'oracle'] as const) ?? 'model',
    model: line.string('model') ?? null,
    trainDays: line.integer('train-days', { min: 3, max: 60 }) ?? 14,
    maxTrainRows: line.integer('max-train-rows', { min: 1000, max: 10_000_000 }) ?? 600_000,
    reference: line.oneOf('reference', ['oracle', 'none'] as const) ?? 'oracle',
    seeds: line.integer('seeds', { min: 1, max: 20 }) ?? 1,
  };
  if (parsed.model !== null && parsed.scores === 'oracle') {
    line.fail('--model: cannot be combined with --scores oracle');
  }
  return parsed;
}

/** A model from the registry (all digits, read from `databaseUrlOf`) or a LightGBM text file. */
export async function loadReplayModel(ref: string, databaseUrlOf: () => string = databaseUrl): Promise<RelevanceModel> {
  let text: string | null;
  let version = 0;
  if (/^\d+$/.test(ref)) {
    version = Number(ref);
    const pool = createPool(databaseUrlOf(), 1, { name: 'simulate --model' });
    try {
      text = await modelText(pool, version);
    } finally {
      await pool.end();
    }
    if (text === null) throw new Error(`--model: no model version ${ref} in the registry`);
  } else text = await readFile(ref, 'utf8');
  const model = loadRelevanceModel(version, text);
  if ('incompatible' in model) throw new Error(`--model: ${model.incompatible}`);
  return model;
}

/** The scorer the table is made with and its model (null for the oracle), and a line saying where it came from. */
async function scorerFor(
  parsed: SimulateArgs,
  world: World,
  historyFromMs: number,
  replayFromMs: number,
  log: (line: string) => void,
): Promise<{ scorer: ReplayScorer; model: RelevanceModel | null }> {
  if (parsed.scores === 'oracle') return { scorer: oracleScorer(world), model: null };
  if (parsed.model) {
    const model = await loadReplayModel(parsed.model);
    const prior = baselineHistory(world, historyFromMs, replayFromMs);
    return { scorer: modelScorer(model, `model ${parsed.model}`, prior), model };
  }
  const started = performance.now();
  // The history and its feature rows come first, with no count to show; then a bar over the boosting iterations.
  let progress = startProgress({ label: 'simulate model' });
  progress.update(0, `baseline history of ${parsed.trainDays} days and its features`);
  let trained: ReturnType<typeof trainReplayModel>;
  try {
    trained = trainReplayModel(world, historyFromMs, replayFromMs, {
      maxTrainRows: parsed.maxTrainRows,
      log: (line) => progress.log(line),
      onIteration: (iteration, total) => {
        if (iteration === 1) {
          progress.stop();
          progress = startProgress({ label: 'simulate model', unit: 'iterations', total });
        }
        progress.update(iteration, 'boosting');
      },
    });
  } finally {
    progress.stop();
  }
  const v = trained.validation;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const metrics = v
    ? `early-stopping day (${trained.rows.validation} rows, not held out): ` +
      `AUC ${v.model.auc.toFixed(4)} (oracle ${v.oracle.auc.toFixed(4)}), ` +
      `logloss ${v.model.logloss.toFixed(4)} (oracle ${v.oracle.logloss.toFixed(4)}), ECE ${v.model.ece.toFixed(4)}`
    : 'no sends on the validation day: trained without early stopping';
  log(
    `model trained in memory on ${parsed.trainDays} days of baseline history ` +
      `(${trained.rows.train} rows, ${trained.trees} trees, ${seconds} s with features); ${metrics}`,
  );
  const name = `model trained on ${parsed.trainDays} days of baseline history`;
  return { scorer: modelScorer(trained.model, name, trained.log), model: trained.model };
}

/** One world: the model (trained or loaded), the replay, its table and the model's held-out figures. */
async function simulateWorld(
  parsed: SimulateArgs,
  spec: WorldSpec,
  policy: CapPolicy,
  out: (line: string) => void,
): Promise<ReplayReport> {
  const started = performance.now();
  const world = generateWorld(spec);
  // The replayed days follow a baseline history: the model learns from it and the features start from it.
  const replayFromMs = world.startMs + parsed.trainDays * DAY;
  const { scorer, model } = await scorerFor(parsed, world, world.startMs, replayFromMs, out);
  const reference = parsed.reference === 'oracle' && parsed.scores !== 'oracle' ? oracleScorer(world) : undefined;
  let progress: Progress | undefined;
  const report = (() => {
    try {
      return replay(world, policy, parsed.days, scorer, {
        fromMs: replayFromMs,
        reference,
        onDay: (played, of, run) => {
          progress ??= startProgress({ label: 'simulate replay', unit: 'run-days', total: of });
          progress.update(played, run);
        },
        onOutcome: (o, ms) => progress?.log(`${o.name}: ${o.decisions} decisions in ${(ms / 1000).toFixed(1)} s`),
      });
    } finally {
      progress?.stop();
    }
  })();
  // The model on the replayed days, which no training row or early-stopping row came from.
  if (model) {
    const window = { fromMs: world.startMs, toMs: replayFromMs };
    report.evaluation = evaluateHeldOut(world, model, window, replayFromMs + parsed.days * DAY) ?? undefined;
  }
  out(`${formatReplay(report)}\n(${((performance.now() - started) / 1000).toFixed(1)} s)`);
  return report;
}

export const command = defineCommand(SYNTAX, async (args) => {
  const parsed = parseSimulateArgs(args);
  let policy = DEFAULT_CAP_POLICY;
  if (parsed.policy) {
    const checked = await readPolicyFile(parsed.policy);
    if (!checked.ok) {
      process.stderr.write(`${parsed.policy}: invalid cap policy\n${formatFieldErrors(checked.errors)}\n`);
      return 1;
    }
    policy = checked.value;
  }
  let spec = parsed.world ? await loadWorldSpec(parsed.world) : parseWorldSpec({});
  if (parsed.fans) spec = parseWorldSpec({ ...spec, fans: { ...spec.fans, count: parsed.fans } });
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const reports: ReplayReport[] = [];
  for (let k = 0; k < parsed.seeds; k++) {
    const seeded = k === 0 ? spec : parseWorldSpec({ ...spec, seed: spec.seed + k });
    if (parsed.seeds > 1) out(`${k > 0 ? '\n' : ''}## seed ${seeded.seed}\n`);
    reports.push(await simulateWorld(parsed, seeded, policy, out));
  }
  if (parsed.seeds > 1) out(`\n## ${parsed.seeds} seeds\n\n${formatReplaySpread(reports)}`);
  let broken = 0;
  for (const report of reports) {
    for (const o of report.outcomes) {
      broken += o.violations.length;
      for (const v of o.violations.slice(0, 5)) process.stderr.write(`${o.name}: ${v.message}\n`);
    }
  }
  return broken > 0 ? 1 : 0;
});
