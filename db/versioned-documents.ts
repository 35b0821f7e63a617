// Versioned, audited documents (the cap policy, the alert rules): one active version, activation with its diff, audit.
import type { JsonChange } from '../domain/json-change.ts';
import { jsonDiff } from '../policy/diff.ts';
import { type Pool, withTransaction } from './pool.ts';

/** A documents table and its audit table; a closed set, so the names go into the SQL as they are. */
export type DocumentTables =
  | { documents: 'cap_policies'; audit: 'cap_policy_audit' }
  | { documents: 'alert_rules'; audit: 'alert_rule_audit' };

/** A stored version. */
export interface StoredDocument<D> {
  version: number;
  /** Validated before it was stored. */
  document: D;
  active: boolean;
  createdBy: string;
  createdAt: Date;
}

/** An audit row: who activated which version, when, and what changed against the version before. */
export interface DocumentAuditEntry {
  id: number;
  version: number;
  actor: string;
  action: 'activate';
  diff: JsonChange[];
  at: Date;
}

/** The columns of a documents table, as pg returns them. */
interface DocumentRow<D> {
  version: number;
  document: D;
  active: boolean;
  created_by: string;
  created_at: Date;
}

function toStored<D>(r: DocumentRow<D>): StoredDocument<D> {
  return {
    version: r.version,
    document: r.document,
    active: r.active,
    createdBy: r.created_by,
    createdAt: r.created_at,
  };
}

/** The active version, or the one numbered `version`; null when there is none. */
export async function storedDocument<D>(
  pool: Pool,
  tables: DocumentTables,
  version: number | 'active',
): Promise<StoredDocument<D> | null> {
  const columns = `select version, document, active, created_by, created_at from ${tables.documents}`;
  const { rows } =
    version === 'active'
      ? await pool.query<DocumentRow<D>>(`${columns} where active`)
      : await pool.query<DocumentRow<D>>(`${columns} where version = $1::int`, [version]);
  return rows.length ? toStored(rows[0]) : null;
}

/**
 * Stores `document` as a new version, makes it the active one and records the audit entry, in one transaction:
 * a failure leaves the previous version in force. An unchanged document creates nothing and reports changed: false.
 * The table lock serializes concurrent edits, so the one-active index is never raced and each diff is against the
 * version it replaced. `caller` names the operation in the error for a blank actor.
 */
export async function activateDocument<D>(
  pool: Pool,
  tables: DocumentTables,
  document: D,
  actor: string,
  caller: string,
): Promise<{ version: number; changed: boolean; diff: JsonChange[] }> {
  if (actor.trim() === '') throw new Error(`${caller}: actor must name who made the change`);
  return withTransaction(pool, async (client) => {
    await client.query(`lock table ${tables.documents} in exclusive mode`);
    const current = await client.query(`select version, document from ${tables.documents} where active`);
    const diff = jsonDiff(current.rows[0]?.document ?? null, document);
    if (current.rows.length && diff.length === 0)
      return { version: current.rows[0].version as number, changed: false, diff };
    await client.query(`update ${tables.documents} set active = false where active`);
    const inserted = await client.query(
      `insert into ${tables.documents} (document, active, created_by) values ($1::jsonb, true, $2::text)
       returning version`,
      [JSON.stringify(document), actor],
    );
    const version = inserted.rows[0].version as number;
    await client.query(
      `insert into ${tables.audit} (version, actor, action, diff) values ($1::int, $2::text, 'activate', $3::jsonb)`,
      [version, actor, JSON.stringify(diff)],
    );
    return { version, changed: true, diff };
  });
}

/** The audit trail, newest first. */
export async function documentAudit(pool: Pool, tables: DocumentTables, limit: number): Promise<DocumentAuditEntry[]> {
  const { rows } = await pool.query(
    `select id, version, actor, action, diff, at from ${tables.audit} order by id desc limit $1::int`,
    [limit],
  );
  return rows.map((r) => ({ id: r.id, version: r.version, actor: r.actor, action: r.action, diff: r.diff, at: r.at }));
}
