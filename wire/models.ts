// The model page on the wire: registry versions with their holdout metrics, one version in detail, promote, rollback.
import type { HoldoutMetrics, ModelMetrics, ModelStatus } from '../domain/model-registry.ts';

/** One registry version, without its training parameters and model text. */
export interface ModelRow {
  version: number;
  status: ModelStatus;
  /** Why it was promoted, rejected, retired or reactivated. */
  reason: string | null;
  createdAt: string;
  promotedAt: string | null;
  /** The sends it learned from and was judged on: trainFrom to the holdout's end. */
  trainFrom: string | null;
  trainTo: string | null;
  metrics: ModelMetrics;
  /** Training's window as it noted it in the metrics; null for versions trained before it did. */
  window: { trainFrom: string; holdoutFrom: string; holdoutTo: string } | null;
  /** The rows of each split, as training noted them; null for versions trained before it did. */
  rows: { train: number; validation: number; holdout: number } | null;
  /** The simulator's true probabilities on the same holdout; null when the database holds no simulated world. */
  oracleMetrics: HoldoutMetrics | null;
}

/** The answer of GET /api/admin/models: the newest 100 versions, newest first. */
export interface ModelListAnswer {
  models: ModelRow[];
  /** The version POST /api/admin/models/rollback would reactivate; null when there is no earlier model. */
  rollbackTo: number | null;
}

/** How often the model splits on a feature. */
export interface FeatureSplits {
  feature: string;
  splits: number;
}

/** The answer of GET /api/admin/models/:version. */
export interface ModelDetail extends ModelRow {
  /** From the model text's feature_importances, most splits first; empty without a text. */
  featureImportance: FeatureSplits[];
}

/** The answer of POST /api/admin/models/:version/promote: the version now active. */
export interface PromoteAnswer {
  active: number;
}

/** The answer of POST /api/admin/models/rollback: the version retired and the one active again. */
export interface RollbackAnswer {
  retired: number;
  active: number;
}
