// Experiments on live traffic: an experiment, its arms, and the arm a decision records (docs/EXPERIMENTS.md).

/** Fans hash into this many traffic buckets; an allocation of 1% is 100 of them. */
export const TRAFFIC_BUCKETS = 10_000;

/** The arm name decisions record for the standing global holdout (no experiment id). */
export const GLOBAL_HOLDOUT_ARM = 'global_holdout';

/**
 * An arm as defined: the control sets nothing; a variant names a cap policy version, a model version or both; a
 * holdout gets only transactional alerts and the fan's chosen digests.
 */
export interface ArmDefinition {
  name: string;
  /** Percent of all fans, > 0, at most two decimals. */
  allocation: number;
  capPolicyVersion: number | null;
  modelVersion: number | null;
  holdout: boolean;
}

/** What an arm is, from what it sets. */
export type ArmKind = 'control' | 'variant' | 'holdout';

export function armKind(arm: Pick<ArmDefinition, 'capPolicyVersion' | 'modelVersion' | 'holdout'>): ArmKind {
  if (arm.holdout) return 'holdout';
  return arm.capPolicyVersion === null && arm.modelVersion === null ? 'control' : 'variant';
}

/** What `experiment create` is given: a name and the arms, exactly one of them a control. */
export interface ExperimentDefinition {
  name: string;
  arms: ArmDefinition[];
}

/** A stored experiment with the traffic buckets it owns, [bucketStart, bucketEnd). */
export interface Experiment extends ExperimentDefinition {
  id: number;
  bucketStart: number;
  bucketEnd: number;
  createdBy: string;
  startedAt: Date;
  stoppedAt: Date | null;
  stoppedBy: string | null;
}

/**
 * How a fan's decision is made: the experiment and arm it records, and what the arm changes. `noRelevanceFiltering` is
 * the global holdout's way: every candidate clears the thresholds, within the caps, gaps and quiet hours.
 */
export interface ArmAssignment {
  experimentId: number | null;
  arm: string;
  capPolicyVersion: number | null;
  modelVersion: number | null;
  holdout: boolean;
  noRelevanceFiltering: boolean;
}

/** In the global holdout's results, the fans it is compared with: in no experiment and outside the holdout. */
export const SYSTEM_ARM = 'system';

/** What the results count per fan over the date range, each one a mean per fan in its arm. */
export const RESULT_METRICS = ['alerts', 'alertOpens', 'digestOpens', 'clicks', 'unsubscribes'] as const;
export type ResultMetric = (typeof RESULT_METRICS)[number];

/** One fan's counts in one arm: the unit the statistics resample. */
export type FanResult = { fanId: number; arm: string } & Record<ResultMetric, number>;
