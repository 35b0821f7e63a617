// POST /api/admin/simulate: the replay for the console, on a bounded world, with every bad field named.
import { validateCapPolicy, type CapPolicy, type PolicyError } from '../policy/cap-policy.ts';
import { formatReplay, replay } from '../policy/replay.ts';
import { modelScorer, trainReplayModel, type TrainedReplayModel } from '../policy/replay-model.ts';
import { parseWorldSpec } from '../simulator/spec.ts';
import { generateWorld } from '../simulator/world.ts';

/**
 * The replay runs on the API's own thread, so the world is kept small enough to answer in seconds; bigger replays
 * belong to `fanfare simulate`.
 */
export const SIMULATE_LIMITS = { fans: { min: 50, max: 1000 }, creators: { min: 2, max: 50 }, days: { min: 1, max: 14 } } as const;
/** Days of baseline history before the replayed days: the in-memory model learns from them, as `fanfare simulate` does. */
export const SIMULATE_TRAIN_DAYS = 14;
const DAY_MS = 86_400_000;

export interface SimulateRequest {
  policy: CapPolicy;
  days: number;
  world: { seed: number; fans: number; creators: number };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function validateSimulateRequest(body: unknown): { ok: true; value: SimulateRequest } | { ok: false; errors: PolicyError[] } {
  if (!isObject(body)) return { ok: false, errors: [{ field: '(body)', rule: 'must be a JSON object with a "policy" document' }] };
  const errors: PolicyError[] = [];
  for (const key of Object.keys(body)) if (!['policy', 'days', 'world'].includes(key)) errors.push({ field: key, rule: 'is not a known field' });
  const checked = validateCapPolicy(body.policy);
  if (!checked.ok) errors.push(...checked.errors.map((e) => ({ field: `policy.${e.field}`.replace('policy.(document)', 'policy'), rule: e.rule })));
  const int = (v: unknown, field: string, min: number, max: number, fallback: number): number => {
    if (v === undefined) return fallback;
    if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) errors.push({ field, rule: `must be an integer from ${min} to ${max}` });
    return v as number;
  };
  const days = int(body.days, 'days', SIMULATE_LIMITS.days.min, SIMULATE_LIMITS.days.max, 14);
  const world = body.world === undefined ? {} : body.world;
  if (!isObject(world)) errors.push({ field: 'world', rule: 'must be a JSON object' });
  const w = isObject(world) ? world : {};
  for (const key of Object.keys(w)) if (!['seed', 'fans', 'creators'].includes(key)) errors.push({ field: `world.${key}`, rule: 'is not a known field' });
  const seed = int(w.seed, 'world.seed', 0, 2 ** 31 - 1, 42);
  const fans = int(w.fans, 'world.fans', SIMULATE_LIMITS.fans.min, SIMULATE_LIMITS.fans.max, 500);
  const creators = int(w.creators, 'world.creators', SIMULATE_LIMITS.creators.min, SIMULATE_LIMITS.creators.max, 20);
  if (errors.length || !checked.ok) return { ok: false, errors };
  return { ok: true, value: { policy: checked.value, days, world: { seed, fans, creators } } };
}

/**
 * The model depends on the world alone, not on the policy, and each run forks its history, so the console's two
 * replays (active and proposed policy) of one world share one training.
 */
const trainedByWorld = new Map<string, TrainedReplayModel>();
function trainedFor(key: string, train: () => TrainedReplayModel): TrainedReplayModel {
  let trained = trainedByWorld.get(key);
  if (!trained) {
    trained = train();
    if (trainedByWorld.size >= 4) trainedByWorld.delete(trainedByWorld.keys().next().value!);
    trainedByWorld.set(key, trained);
  }
  return trained;
}

/**
 * Runs the replay, scored by a model trained in memory on the baseline history before the replayed days, and shapes
 * it for JSON: the outcomes, at most ten violations each, and the same table the CLI prints.
 */
export function runSimulation(req: SimulateRequest) {
  const world = generateWorld(parseWorldSpec({ seed: req.world.seed, fans: { count: req.world.fans }, creators: { count: req.world.creators } }));
  const fromMs = world.startMs + SIMULATE_TRAIN_DAYS * DAY_MS;
  const trained = trainedFor(`${req.world.seed}/${req.world.fans}/${req.world.creators}`, () => trainReplayModel(world, world.startMs, fromMs));
  const report = replay(world, req.policy, req.days, modelScorer(trained.model, `model trained on ${SIMULATE_TRAIN_DAYS} days of baseline history`, trained.log), { fromMs });
  return {
    fans: report.fans,
    days: report.days,
    events: report.events,
    scorer: report.scorer,
    outcomes: report.outcomes.map((o) => ({ ...o, violations: o.violations.length, firstViolations: o.violations.slice(0, 10).map((v) => v.message) })),
    table: formatReplay(report),
  };
}
