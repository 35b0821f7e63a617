// Cap policies in PostgreSQL: the active version, new versions activated with an audit entry, and the audit trail.
import type { JsonChange } from '../domain/json-change.ts';
import type { CapPolicy } from '../policy/cap-policy.ts';
import type { Pool } from './pool.ts';
import {
  activateDocument,
  type DocumentAuditEntry,
  type DocumentTables,
  documentAudit,
  type StoredDocument,
  storedDocument,
} from './versioned-documents.ts';

/** A stored version of the cap policy. */
export type StoredCapPolicy = StoredDocument<CapPolicy>;

/** A row of cap_policy_audit: who did what to which version, when, and what changed against the version before. */
export type CapPolicyAuditEntry = DocumentAuditEntry;

const TABLES: DocumentTables = { documents: 'cap_policies', audit: 'cap_policy_audit' };

/** The policy new decisions use, or null when none was ever stored (callers then use DEFAULT_CAP_POLICY). */
export function getActiveCapPolicy(pool: Pool): Promise<StoredCapPolicy | null> {
  return storedDocument(pool, TABLES, 'active');
}

/** One stored version, active or not (an experiment's arm may name any); null when there is none. */
export function getCapPolicy(pool: Pool, version: number): Promise<StoredCapPolicy | null> {
  return storedDocument(pool, TABLES, version);
}

/** The active version alone (one indexed row), so a per-batch check costs nothing; null when none was stored. */
export async function activeCapPolicyVersion(pool: Pool): Promise<number | null> {
  const { rows } = await pool.query(`select version from cap_policies where active`);
  return rows.length ? (rows[0].version as number) : null;
}

/** Stores and activates a new version with its audit entry; an unchanged one creates nothing (activateDocument). */
export function activateCapPolicy(
  pool: Pool,
  document: CapPolicy,
  actor: string,
): Promise<{ version: number; changed: boolean; diff: JsonChange[] }> {
  return activateDocument(pool, TABLES, document, actor, 'activateCapPolicy');
}

/** The audit trail, newest first. */
export function listCapPolicyAudit(pool: Pool, limit = 50): Promise<CapPolicyAuditEntry[]> {
  return documentAudit(pool, TABLES, limit);
}
