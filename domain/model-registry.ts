// The relevance model registry's vocabulary: a version's status, and the holdout figures it is judged and shown by.

/** Where a model version stands (models.status): at most one is active. */
export const MODEL_STATUSES = ['candidate', 'active', 'rejected', 'retired'] as const;
export type ModelStatus = (typeof MODEL_STATUSES)[number];

export interface ReliabilityBin {
  /** Predictions in [from, to). */
  from: number;
  to: number;
  count: number;
  meanPredicted: number;
  observedRate: number;
}

export interface DecileLift {
  /** 1 is the top tenth of scores. */
  decile: number;
  count: number;
  meanPredicted: number;
  observedRate: number;
  /** Observed rate over the holdout's base rate. */
  lift: number;
}

/** Probabilities scored against what happened on the holdout (models/evaluation.ts computes them). */
export interface HoldoutMetrics {
  rows: number;
  positives: number;
  baseRate: number;
  auc: number;
  logloss: number;
  /** Expected calibration error: the count-weighted mean |mean predicted − observed| over the reliability bins. */
  ece: number;
  reliability: ReliabilityBin[];
  liftByDecile: DecileLift[];
}

/**
 * A version's stored metrics (models.metrics): its holdout figures, with what training noted beside them (its
 * window, the row count of each split under `rows`, the active model on the same holdout, timings); those notes
 * vary with the version of the trainer, so only the figures are typed.
 */
export type ModelMetrics = Omit<HoldoutMetrics, 'rows'> & Record<string, unknown>;
