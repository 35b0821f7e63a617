// The console's replay: a bounded simulated world, a model trained in memory on it, the three policies compared.

import { DAY_MS } from '../domain/time.ts';
import type { CapPolicy } from '../policy/cap-policy.ts';
import { parseWorldSpec } from '../simulator/spec.ts';
import { generateWorld } from '../simulator/world.ts';
import type { ReplayAnswer, SimulateRequest } from '../wire/replay.ts';
import { modelScorer, type TrainedReplayModel, trainReplayModel } from './model.ts';
import { formatReplay, replay } from './replay.ts';

/**
 * Days of baseline history before the replayed days: the in-memory model learns from them, as `fanfare simulate` does.
 */
export const SIMULATE_TRAIN_DAYS = 14;

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
export async function runConsoleReplay(req: SimulateRequest<CapPolicy>): Promise<ReplayAnswer> {
  const world = generateWorld(
    parseWorldSpec({ seed: req.world.seed, fans: { count: req.world.fans }, creators: { count: req.world.creators } }),
  );
  const fromMs = world.startMs + SIMULATE_TRAIN_DAYS * DAY_MS;
  const trained = trainedFor(`${req.world.seed}/${req.world.fans}/${req.world.creators}`, () =>
    trainReplayModel(world, world.startMs, fromMs),
  );
  const report = replay(
    world,
    req.policy,
    req.days,
    modelScorer(trained.model, `model trained on ${SIMULATE_TRAIN_DAYS} days of baseline history`, trained.log),
    { fromMs },
  );
  return {
    fans: report.fans,
    days: report.days,
    events: report.events,
    scorer: report.scorer,
    outcomes: report.outcomes.map((o) => ({
      policy: o.policy,
      name: o.name,
      alerts: o.alerts,
      digests: o.digests,
      sends: o.sends,
      opens: o.opens,
      digestOpens: o.digestOpens,
      unsubscribes: o.unsubscribes,
      decisions: o.decisions,
      violations: o.violations.length,
      firstViolations: o.violations.slice(0, 10).map((v) => v.message),
      scorer: o.scorer,
    })),
    table: formatReplay(report),
  };
}
