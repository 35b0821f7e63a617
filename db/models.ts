// The model registry: candidates with their metrics and text, at most one active, promotion, rejection and rollback.
import type { HoldoutMetrics, ModelMetrics, ModelStatus } from '../domain/model-registry.ts';
import { recordAudit } from './audit-log.ts';
import { type Pool, withTransaction } from './pool.ts';

/** A registry row without its (large) model text. */
export interface ModelSummary {
  version: number;
  status: ModelStatus;
  params: Record<string, unknown>;
  metrics: ModelMetrics;
  oracleMetrics: HoldoutMetrics | null;
  trainFrom: Date | null;
  trainTo: Date | null;
  reason: string | null;
  createdAt: Date;
  promotedAt: Date | null;
}

export interface NewModel {
  params: Record<string, unknown>;
  /** ModelMetrics when training stores it; left open so a test can store a model without evaluating it. */
  metrics: Record<string, unknown>;
  oracleMetrics: HoldoutMetrics | null;
  trainFrom: Date;
  trainTo: Date;
  modelText: string;
}

const SUMMARY_COLUMNS = `version, status, params, metrics, oracle_metrics, train_from, train_to, reason, created_at,
  promoted_at`;

/** The columns SUMMARY_COLUMNS selects, as pg returns them. */
interface SummaryRow {
  version: number;
  status: ModelStatus;
  params: Record<string, unknown>;
  metrics: ModelMetrics;
  oracle_metrics: HoldoutMetrics | null;
  train_from: Date | null;
  train_to: Date | null;
  reason: string | null;
  created_at: Date;
  promoted_at: Date | null;
}

function summary(row: SummaryRow): ModelSummary {
  return {
    version: row.version,
    status: row.status,
    params: row.params,
    metrics: row.metrics,
    oracleMetrics: row.oracle_metrics,
    trainFrom: row.train_from,
    trainTo: row.train_to,
    reason: row.reason,
    createdAt: row.created_at,
    promotedAt: row.promoted_at,
  };
}

/** Stores a trained model as a candidate and returns its version. */
export async function insertCandidateModel(pool: Pool, m: NewModel): Promise<number> {
  const r = await pool.query(
    `insert into models (status, params, metrics, oracle_metrics, train_from, train_to, model_text)
     values ('candidate', $1::jsonb, $2::jsonb, $3::jsonb, $4::timestamptz, $5::timestamptz, $6::text)
     returning version`,
    [
      JSON.stringify(m.params),
      JSON.stringify(m.metrics),
      m.oracleMetrics === null ? null : JSON.stringify(m.oracleMetrics),
      m.trainFrom,
      m.trainTo,
      m.modelText,
    ],
  );
  return r.rows[0].version;
}

/** The active version, or null: cheap enough to ask before every batch of decisions. */
export async function activeModelVersion(pool: Pool): Promise<number | null> {
  const r = await pool.query(`select version from models where status = 'active'`);
  return r.rowCount ? r.rows[0].version : null;
}

export async function modelText(pool: Pool, version: number): Promise<string | null> {
  const r = await pool.query(`select model_text from models where version = $1::int`, [version]);
  return r.rowCount ? r.rows[0].model_text : null;
}

export async function getModel(pool: Pool, version: number): Promise<ModelSummary | null> {
  const r = await pool.query<SummaryRow>(`select ${SUMMARY_COLUMNS} from models where version = $1::int`, [version]);
  return r.rowCount ? summary(r.rows[0]) : null;
}

/** Newest first. */
export async function listModels(pool: Pool, limit = 50): Promise<ModelSummary[]> {
  const r = await pool.query<SummaryRow>(`select ${SUMMARY_COLUMNS} from models order by version desc limit $1::int`, [
    limit,
  ]);
  return r.rows.map(summary);
}

/** Records why a candidate was not promoted; only a candidate can be rejected. */
export async function rejectModel(pool: Pool, version: number, reason: string): Promise<boolean> {
  const r = await pool.query(
    `update models set status = 'rejected', reason = $2::text where version = $1::int and status = 'candidate'`,
    [version, reason],
  );
  return r.rowCount === 1;
}

export class ModelRegistryError extends Error {}

/**
 * Makes `version` the active model and retires the one it replaces, in one transaction.
 * With `expectedActive` the promotion happens only if that is still the active version (null: none),
 * so a gate that compared against one model cannot replace another that was promoted meanwhile.
 */
export async function promoteModel(
  pool: Pool,
  version: number,
  reason: string,
  options: { expectedActive?: number | null; actor?: string } = {},
): Promise<void> {
  const { expectedActive, actor = 'system' } = options;
  await withTransaction(pool, async (c) => {
    // Serializes promotions: the unique index allows one active row,
    // and this lock keeps the check and the swap together.
    await c.query(`lock table models in share row exclusive mode`);
    const target = await c.query(`select status from models where version = $1::int`, [version]);
    if (!target.rowCount) throw new ModelRegistryError(`version: no model ${version}`);
    if (target.rows[0].status === 'active') return;
    const current = await c.query(`select version from models where status = 'active'`);
    const active: number | null = current.rowCount ? current.rows[0].version : null;
    if (expectedActive !== undefined && active !== expectedActive) {
      throw new ModelRegistryError(
        `version ${version}: compared against active model ${expectedActive ?? 'none'}, ` +
          `but ${active ?? 'none'} is active now`,
      );
    }
    await c.query(`update models set status = 'retired' where status = 'active'`);
    await c.query(
      `update models set status = 'active', promoted_at = now(), reason = $2::text where version = $1::int`,
      [version, reason],
    );
    await recordAudit(c, {
      kind: 'model',
      actor,
      action: 'promote',
      subject: `model ${version}`,
      detail: { reason, replaced: active },
    });
  });
}

/**
 * Retires the active model and reactivates the one promoted before it. Returns the versions, or
 * throws when there is nothing to roll back to.
 */
/** The retired, once-promoted version a rollback from `active` would reactivate (the latest promoted before it). */
const ROLLBACK_TARGET = `select version from models
       where status = 'retired' and promoted_at is not null and version <> $1::int
       order by promoted_at desc, version desc limit 1`;

/** The version a rollback would reactivate now, or null when no model is active or none was promoted before it. */
export async function rollbackTarget(pool: Pool): Promise<number | null> {
  const r = await pool.query(
    `select (${ROLLBACK_TARGET.replace('$1::int', 'a.version')}) as target from models a where a.status = 'active'`,
  );
  return r.rows[0]?.target ?? null;
}

export async function rollbackModel(
  pool: Pool,
  reason: string,
  actor = 'system',
): Promise<{ from: number; to: number }> {
  return withTransaction(pool, async (c) => {
    await c.query(`lock table models in share row exclusive mode`);
    const current = await c.query(`select version, promoted_at from models where status = 'active'`);
    if (!current.rowCount) throw new ModelRegistryError('rollback: no model is active');
    const from: number = current.rows[0].version;
    const previous = await c.query(ROLLBACK_TARGET, [from]);
    if (!previous.rowCount) throw new ModelRegistryError(`rollback: model ${from} is the only one ever promoted`);
    const to: number = previous.rows[0].version;
    await c.query(`update models set status = 'retired', reason = $2::text where version = $1::int`, [from, reason]);
    await c.query(
      `update models set status = 'active', promoted_at = now(), reason = $2::text where version = $1::int`,
      [to, `reactivated: ${reason}`],
    );
    await recordAudit(c, {
      kind: 'model',
      actor,
      action: 'rollback',
      subject: `model ${from}`,
      detail: { reason, to },
    });
    return { from, to };
  });
}
