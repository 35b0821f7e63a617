// Training activities: train and store a candidate, then gate its promotion; only small summaries cross Temporal.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { getModel, ModelRegistryError, promoteModel, rejectModel } from '../db/models.ts';
import type { Pool } from '../db/pool.ts';
import { type GateInput, promotionVerdict } from '../models/promotion.ts';
import {
  DEFAULT_TRAINING,
  type HoldoutOracle,
  type TrainingOutcome,
  type TrainingProgress,
  trainRelevanceModel,
} from '../models/relevance-training.ts';

export interface TrainingDeps {
  pool: Pool;
  now?: () => Date;
  log?: (line: string) => void;
  /** The simulated world's truth, where there is one (the dev stack, tests, benchmarks). */
  oracle?: HoldoutOracle;
}

export interface TrainCandidateInput {
  /** The data's "now" (ISO); the activity's clock when absent. */
  asOf?: string;
  trainDays?: number;
  holdoutDays?: number;
  /** Extra `key=value` engine parameters. */
  params?: string[];
  maxTrainRows?: number;
  /** Trains on permuted labels: for testing that the gate rejects a model that learned nothing. */
  shuffleLabels?: boolean;
}

export interface TrainedCandidate {
  version: number;
  auc: number;
  logloss: number;
  ece: number;
  oracle: { auc: number; logloss: number; ece: number } | null;
  activeVersion: number | null;
  rows: { train: number; validation: number; holdout: number };
}

export interface GateResult {
  version: number;
  status: 'active' | 'rejected';
  reason: string;
}

/**
 * Heartbeats the training's progress, where this runs as an activity, so that `fanfare train` can show it (its
 * pending activity's heartbeat details); the worker sends one a second at most (app/worker.ts).
 */
function heartbeatProgress(): ((progress: TrainingProgress) => void) | undefined {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    return undefined; // called directly, not as an activity
  }
  return (progress) => context.heartbeat(progress);
}

/** Checks workflow input at the boundary; a bad value is permanent, so it is not retried. */
function checkInput(input: TrainCandidateInput): void {
  const problems: string[] = [];
  const positiveInt = (name: string, v: unknown, min: number) => {
    if (v !== undefined && (!Number.isInteger(v) || (v as number) < min))
      problems.push(`${name}: must be an integer >= ${min}`);
  };
  positiveInt('trainDays', input.trainDays, 2);
  positiveInt('holdoutDays', input.holdoutDays, 1);
  positiveInt('maxTrainRows', input.maxTrainRows, 1000);
  if (input.asOf !== undefined && Number.isNaN(Date.parse(input.asOf)))
    problems.push('asOf: must be an ISO 8601 instant');
  if (
    input.params !== undefined &&
    (!Array.isArray(input.params) || input.params.some((p) => typeof p !== 'string' || !p.includes('=')))
  ) {
    problems.push('params: must be a list of key=value strings');
  }
  if (problems.length > 0) throw ApplicationFailure.nonRetryable(problems.join('; '), 'InvalidTrainingInput');
}

export function createTrainingActivities(deps: TrainingDeps) {
  const now = deps.now ?? (() => new Date());
  const log = deps.log ?? (() => undefined);
  return {
    /** Extracts, trains and evaluates; stores the candidate with its metrics, its oracle's and the active model's. */
    async trainCandidate(input: TrainCandidateInput): Promise<TrainedCandidate> {
      checkInput(input);
      let outcome: TrainingOutcome;
      try {
        outcome = await trainRelevanceModel(deps.pool, {
          asOfMs: input.asOf ? Date.parse(input.asOf) : now().getTime(),
          trainDays: input.trainDays ?? DEFAULT_TRAINING.trainDays,
          holdoutDays: input.holdoutDays ?? DEFAULT_TRAINING.holdoutDays,
          params: input.params,
          maxTrainRows: input.maxTrainRows,
          shuffleLabels: input.shuffleLabels,
          log,
          onProgress: heartbeatProgress(),
          oracle: deps.oracle,
        });
      } catch (err) {
        // Too little data or bad parameters will not get better by retrying.
        if (err instanceof RangeError || (err instanceof Error && /parameter|argument/.test(err.message))) {
          throw ApplicationFailure.nonRetryable(err.message, 'InvalidTrainingInput');
        }
        throw err;
      }
      const o = outcome.oracleMetrics;
      return {
        version: outcome.version,
        auc: outcome.metrics.auc,
        logloss: outcome.metrics.logloss,
        ece: outcome.metrics.ece,
        oracle: o && { auc: o.auc, logloss: o.logloss, ece: o.ece },
        activeVersion: outcome.active?.version ?? null,
        rows: outcome.rows,
      };
    },

    /**
     * Promotes the candidate if it beats the model that was active on the same holdout;
     * otherwise rejects it with the reason.
     */
    async gateCandidate(input: { version: number }): Promise<GateResult> {
      const model = await getModel(deps.pool, input.version);
      if (!model) throw ApplicationFailure.nonRetryable(`version: no model ${input.version}`, 'UnknownModel');
      if (model.status === 'active' || model.status === 'rejected') {
        // A retried activity: the verdict was already recorded.
        return { version: input.version, status: model.status, reason: model.reason ?? '' };
      }
      // Training notes these beside the holdout figures (models/relevance-training.ts).
      const m = model.metrics as typeof model.metrics & { constantLogloss: number; active: GateInput['active'] };
      const verdict = promotionVerdict({
        candidate: { version: input.version, auc: m.auc, logloss: m.logloss },
        active: m.active,
        constantLogloss: m.constantLogloss,
      });
      if (!verdict.promote) {
        await rejectModel(deps.pool, input.version, verdict.reason);
        return { version: input.version, status: 'rejected', reason: verdict.reason };
      }
      try {
        await promoteModel(deps.pool, input.version, verdict.reason, {
          expectedActive: m.active?.version ?? null,
          actor: 'training',
        });
      } catch (err) {
        if (!(err instanceof ModelRegistryError)) throw err;
        const reason = `not promoted: ${err.message}; its holdout comparison no longer holds`;
        await rejectModel(deps.pool, input.version, reason);
        return { version: input.version, status: 'rejected', reason };
      }
      return { version: input.version, status: 'active', reason: verdict.reason };
    },
  };
}

export type TrainingActivities = ReturnType<typeof createTrainingActivities>;
