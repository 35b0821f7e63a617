// Alert rules in PostgreSQL, versioned and audited as cap policies are: the active version, activation, the audit.
import type { JsonChange } from '../domain/json-change.ts';
import type { AlertRules } from '../policy/alert-rules.ts';
import { jsonDiff } from '../policy/diff.ts';
import { type Pool, withTransaction } from './pool.ts';

/** A row of alert_rules. */
export interface StoredAlertRules {
  version: number;
  /** Validated before it was stored. */
  document: AlertRules;
  active: boolean;
  createdBy: string;
  createdAt: Date;
}

/** A row of alert_rule_audit: who activated which version, when, and what changed against the version before. */
export interface AlertRulesAuditEntry {
  id: number;
  version: number;
  actor: string;
  action: 'activate';
  diff: JsonChange[];
  at: Date;
}

/** The rules in force, or null when none were ever stored (callers then use DEFAULT_ALERT_RULES). */
export async function getActiveAlertRules(pool: Pool): Promise<StoredAlertRules | null> {
  const { rows } = await pool.query(
    `select version, document, active, created_by, created_at from alert_rules where active`,
  );
  if (!rows.length) return null;
  const r = rows[0];
  return {
    version: r.version,
    document: r.document,
    active: r.active,
    createdBy: r.created_by,
    createdAt: r.created_at,
  };
}

/**
 * Stores `document` as a new version, makes it the active one and records the audit entry, in one transaction; an
 * unchanged document creates nothing (changed: false). The table lock serializes edits, as for cap policies.
 */
export async function activateAlertRules(
  pool: Pool,
  document: AlertRules,
  actor: string,
): Promise<{ version: number; changed: boolean; diff: JsonChange[] }> {
  if (actor.trim() === '') throw new Error('activateAlertRules: actor must name who made the change');
  return withTransaction(pool, async (client) => {
    await client.query(`lock table alert_rules in exclusive mode`);
    const current = await client.query(`select version, document from alert_rules where active`);
    const diff = jsonDiff(current.rows[0]?.document ?? null, document);
    if (current.rows.length && diff.length === 0)
      return { version: current.rows[0].version as number, changed: false, diff };
    await client.query(`update alert_rules set active = false where active`);
    const inserted = await client.query(
      `insert into alert_rules (document, active, created_by) values ($1::jsonb, true, $2::text) returning version`,
      [JSON.stringify(document), actor],
    );
    const version = inserted.rows[0].version as number;
    await client.query(
      `insert into alert_rule_audit (version, actor, action, diff) values ($1::int, $2::text, 'activate', $3::jsonb)`,
      [version, actor, JSON.stringify(diff)],
    );
    return { version, changed: true, diff };
  });
}

/** The audit trail, newest first. */
export async function listAlertRulesAudit(pool: Pool, limit = 50): Promise<AlertRulesAuditEntry[]> {
  const { rows } = await pool.query(
    `select id, version, actor, action, diff, at from alert_rule_audit order by id desc limit $1::int`,
    [limit],
  );
  return rows.map((r) => ({ id: r.id, version: r.version, actor: r.actor, action: r.action, diff: r.diff, at: r.at }));
}
