// The experiments API as JSON: experiments with their arms, and the results per arm with differences to the control.
import type { ArmKind, ResultMetric } from '../domain/experiment.ts';

export interface ArmJson {
  name: string;
  kind: ArmKind;
  /** Percent of all fans. */
  allocation: number;
  capPolicyVersion: number | null;
  modelVersion: number | null;
  holdout: boolean;
}

export interface ExperimentJson {
  id: number;
  name: string;
  /** The share of fans the experiment holds, in percent: the sum of its arms' allocations. */
  trafficPercent: number;
  createdBy: string;
  startedAt: string;
  stoppedAt: string | null;
  stoppedBy: string | null;
  arms: ArmJson[];
}

export interface ExperimentListAnswer {
  experiments: ExperimentJson[];
  /** FANFARE_GLOBAL_HOLDOUT_PERCENT of the API process. */
  globalHoldoutPercent: number;
}

/** An estimate with its 95% interval; null bounds where there are too few fans (or a control mean of 0). */
export interface IntervalJson {
  estimate: number | null;
  low: number | null;
  high: number | null;
}

export interface MetricResultJson {
  /** Mean per fan of the arm; null with no fans. */
  mean: number | null;
  /** Arm minus control, and arm / control − 1; null for the control. */
  difference: IntervalJson | null;
  relative: IntervalJson | null;
}

export interface ArmResultJson {
  arm: string;
  kind: ArmKind;
  fans: number;
  metrics: Record<ResultMetric, MetricResultJson>;
}

export interface ExperimentResultsAnswer {
  /** Null for the standing global holdout against the fans in no experiment. */
  experimentId: number | null;
  name: string;
  /** The arm every other is compared with. */
  control: string;
  from: string;
  to: string;
  arms: ArmResultJson[];
}
