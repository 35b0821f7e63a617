// `fanfare simulate --policy FILE --world SPEC --days N`: the replay's table for a policy document on a simulated world, scored by a trained model.
import { readFile } from 'node:fs/promises';
import type { Command } from './command.ts';
import { modelText } from '../db/models.ts';
import { databaseUrl } from '../app/config.ts';
import { createPool } from '../db/pool.ts';
import { loadRelevanceModel, type RelevanceModel } from '../models/relevance-model.ts';
import { loadWorldSpec, parseWorldSpec } from '../simulator/spec.ts';
import { generateWorld, type World } from '../simulator/world.ts';
import { DEFAULT_CAP_POLICY } from '../policy/cap-policy.ts';
import { formatFieldErrors } from '../domain/field-error.ts';
import { readPolicyFile } from './policy.ts';
import { baselineHistory, modelScorer, trainReplayModel } from '../replay/model.ts';
import { formatReplay, oracleScorer, replay, type ReplayScorer } from '../replay/replay.ts';

const USAGE =
  'usage: fanfare simulate [--policy FILE] [--world SPEC.json] [--days N] [--fans N] [--scores model|oracle] [--model VERSION|FILE] [--train-days N] [--max-train-rows N] [--reference oracle|none]';
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
}

export function parseSimulateArgs(args: string[]): SimulateArgs {
  const out: SimulateArgs = { policy: null, world: null, days: 14, fans: null, scores: 'model', model: null, trainDays: 14, maxTrainRows: 600_000, reference: 'oracle' };
  const integer = (flag: string, value: string, min: number, max: number) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) throw new Error(`${flag}: must be an integer from ${min} to ${max}; ${USAGE}`);
    return n;
  };
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (value === undefined || value.startsWith('--')) throw new Error(`${flag}: needs a value; ${USAGE}`);
    if (flag === '--policy') out.policy = value;
    else if (flag === '--world') out.world = value;
    else if (flag === '--model') out.model = value;
    else if (flag === '--days') out.days = integer(flag, value, 1, 60);
    else if (flag === '--fans') out.fans = integer(flag, value, 1, 200_000);
    else if (flag === '--train-days') out.trainDays = integer(flag, value, 3, 60);
    else if (flag === '--max-train-rows') out.maxTrainRows = integer(flag, value, 1000, 10_000_000);
    else if (flag === '--scores') {
      if (value !== 'model' && value !== 'oracle') throw new Error(`--scores: must be "model" or "oracle"; ${USAGE}`);
      out.scores = value;
    } else if (flag === '--reference') {
      if (value !== 'oracle' && value !== 'none') throw new Error(`--reference: must be "oracle" or "none"; ${USAGE}`);
      out.reference = value;
    } else throw new Error(`unknown argument "${flag}"; ${USAGE}`);
  }
  if (out.model !== null && out.scores === 'oracle') throw new Error(`--model: cannot be combined with --scores oracle; ${USAGE}`);
  return out;
}

/** A model from the registry (all digits, read from `databaseUrlOf`) or a LightGBM text file. */
export async function loadReplayModel(ref: string, databaseUrlOf: () => string = databaseUrl): Promise<RelevanceModel> {
  let text: string | null;
  let version = 0;
  if (/^\d+$/.test(ref)) {
    version = Number(ref);
    const pool = createPool(databaseUrlOf(), 1);
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

/** The scorer the table is made with, and a line saying where it came from. */
async function scorerFor(parsed: SimulateArgs, world: World, historyFromMs: number, replayFromMs: number, log: (line: string) => void): Promise<ReplayScorer> {
  if (parsed.scores === 'oracle') return oracleScorer(world);
  if (parsed.model) {
    const model = await loadReplayModel(parsed.model);
    return modelScorer(model, `model ${parsed.model}`, baselineHistory(world, historyFromMs, replayFromMs));
  }
  const started = performance.now();
  const trained = trainReplayModel(world, historyFromMs, replayFromMs, { maxTrainRows: parsed.maxTrainRows, log });
  const v = trained.validation;
  log(
    `model trained in memory on ${parsed.trainDays} days of baseline history (${trained.rows.train} rows, ${trained.trees} trees, ${((performance.now() - started) / 1000).toFixed(1)} s with features); ` +
      (v
        ? `validation day (${trained.rows.validation} rows): AUC ${v.model.auc.toFixed(4)} (oracle ${v.oracle.auc.toFixed(4)}), logloss ${v.model.logloss.toFixed(4)} (oracle ${v.oracle.logloss.toFixed(4)}), ECE ${v.model.ece.toFixed(4)}`
        : 'no sends on the validation day: trained without early stopping'),
  );
  return modelScorer(trained.model, `model trained on ${parsed.trainDays} days of baseline history`, trained.log);
}

export const command: Command = {
  summary: 'replay a cap policy over simulated days against the ground truth, beside send-everything-now and caps-only',
  async run(args) {
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
    const started = performance.now();
    const log = (line: string) => process.stdout.write(`${line}\n`);
    const world = generateWorld(spec);
    // The replayed days follow a baseline history: the model learns from it and the features start from it.
    const replayFromMs = world.startMs + parsed.trainDays * DAY;
    const scorer = await scorerFor(parsed, world, world.startMs, replayFromMs, log);
    const reference = parsed.reference === 'oracle' && parsed.scores !== 'oracle' ? oracleScorer(world) : undefined;
    const onOutcome = (o: { name: string; decisions: number }, ms: number) => log(`${o.name}: ${o.decisions} decisions in ${(ms / 1000).toFixed(1)} s`);
    const report = replay(world, policy, parsed.days, scorer, { fromMs: replayFromMs, reference, onOutcome });
    process.stdout.write(`${formatReplay(report)}\n(${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
    const broken = report.outcomes.reduce((n, o) => n + o.violations.length, 0);
    if (broken > 0) {
      for (const o of report.outcomes) for (const v of o.violations.slice(0, 5)) process.stderr.write(`${o.name}: ${v.message}\n`);
      return 1;
    }
    return 0;
  },
};
