// Cap policies in PostgreSQL: the active version, new versions activated with an audit entry, and the audit trail.
import type { JsonChange } from '../domain/json-change.ts';
import type { CapPolicy } from '../policy/cap-policy.ts';
import { jsonDiff } from '../policy/diff.ts';
import { type Pool, withTransaction } from './pool.ts';

/** A row of cap_policies. */
export interface StoredCapPolicy {
  version: number;
  /** Validated before it was stored. */
  document: CapPolicy;
  active: boolean;
  createdBy: string;
  createdAt: Date;
}

/** A row of cap_policy_audit: who did what to which version, when, and what changed against the version before. */
export interface CapPolicyAuditEntry {
  id: number;
  version: number;
  actor: string;
  action: 'activate';
  diff: JsonChange[];
  at: Date;
}

/** The columns of cap_policies, as pg returns them. */
interface CapPolicyRow {
  version: number;
  document: CapPolicy;
  active: boolean;
  created_by: string;
  created_at: Date;
}

function toPolicy(r: CapPolicyRow): StoredCapPolicy {
  return {
    version: r.version,
    document: r.document,
    active: r.active,
    createdBy: r.created_by,
    createdAt: r.created_at,
  };
}

/** The policy new decisions use, or null when none was ever stored (callers then use DEFAULT_CAP_POLICY). */
export async function getActiveCapPolicy(pool: Pool): Promise<StoredCapPolicy | null> {
  const { rows } = await pool.query<CapPolicyRow>(
    `select version, document, active, created_by, created_at from cap_policies where active`,
  );
  return rows.length ? toPolicy(rows[0]) : null;
}

/** One stored version, active or not (an experiment's arm may name any); null when there is none. */
export async function getCapPolicy(pool: Pool, version: number): Promise<StoredCapPolicy | null> {
  const { rows } = await pool.query<CapPolicyRow>(
    `select version, document, active, created_by, created_at from cap_policies where version = $1::int`,
    [version],
  );
  return rows.length ? toPolicy(rows[0]) : null;
}

/** The active version alone (one indexed row), so a per-batch check costs nothing; null when none was stored. */
export async function activeCapPolicyVersion(pool: Pool): Promise<number | null> {
  const { rows } = await pool.query(`select version from cap_policies where active`);
  return rows.length ? (rows[0].version as number) : null;
}

/**
 * Stores `document` as a new version, makes it the active one and records the audit entry, in one transaction:
 * a failure leaves the previous version in force. An unchanged document creates nothing and reports changed: false.
 * The table lock serializes concurrent edits, so the one-active index is never raced and each diff is against the
 * version it replaced.
 */
export async function activateCapPolicy(
  pool: Pool,
  document: CapPolicy,
  actor: string,
): Promise<{ version: number; changed: boolean; diff: JsonChange[] }> {
  if (actor.trim() === '') throw new Error('activateCapPolicy: actor must name who made the change');
  return withTransaction(pool, async (client) => {
    await client.query(`lock table cap_policies in exclusive mode`);
    const current = await client.query(`select version, document from cap_policies where active`);
    const before = current.rows[0]?.document ?? null;
    const diff = jsonDiff(before, document);
    if (current.rows.length && diff.length === 0)
      return { version: current.rows[0].version as number, changed: false, diff };
    await client.query(`update cap_policies set active = false where active`);
    const inserted = await client.query(
      `insert into cap_policies (document, active, created_by) values ($1::jsonb, true, $2::text) returning version`,
      [JSON.stringify(document), actor],
    );
    const version = inserted.rows[0].version as number;
    await client.query(
      `insert into cap_policy_audit (version, actor, action, diff) values ($1::int, $2::text, 'activate', $3::jsonb)`,
      [version, actor, JSON.stringify(diff)],
    );
    return { version, changed: true, diff };
  });
}

/** The audit trail, newest first. */
export async function listCapPolicyAudit(pool: Pool, limit = 50): Promise<CapPolicyAuditEntry[]> {
  const { rows } = await pool.query(
    `select id, version, actor, action, diff, at from cap_policy_audit order by id desc limit $1::int`,
    [limit],
  );
  return rows.map((r) => ({ id: r.id, version: r.version, actor: r.actor, action: r.action, diff: r.diff, at: r.at }));
}
