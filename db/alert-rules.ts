// Alert rules in PostgreSQL, versioned and audited as cap policies are: the active version, activation, the audit.
import type { JsonChange } from '../domain/json-change.ts';
import type { AlertRules } from '../policy/alert-rules.ts';
import type { Pool } from './pool.ts';
import {
  activateDocument,
  type DocumentAuditEntry,
  type DocumentTables,
  documentAudit,
  type StoredDocument,
  storedDocument,
} from './versioned-documents.ts';

/** A stored version of the alert rules. */
export type StoredAlertRules = StoredDocument<AlertRules>;

/** A row of alert_rule_audit: who activated which version, when, and what changed against the version before. */
export type AlertRulesAuditEntry = DocumentAuditEntry;

const TABLES: DocumentTables = { documents: 'alert_rules', audit: 'alert_rule_audit' };

/** The rules in force, or null when none were ever stored (callers then use DEFAULT_ALERT_RULES). */
export function getActiveAlertRules(pool: Pool): Promise<StoredAlertRules | null> {
  return storedDocument(pool, TABLES, 'active');
}

/** Stores and activates a new version with its audit entry; an unchanged one creates nothing (activateDocument). */
export function activateAlertRules(
  pool: Pool,
  document: AlertRules,
  actor: string,
): Promise<{ version: number; changed: boolean; diff: JsonChange[] }> {
  return activateDocument(pool, TABLES, document, actor, 'activateAlertRules');
}

/** The audit trail, newest first. */
export function listAlertRulesAudit(pool: Pool, limit = 50): Promise<AlertRulesAuditEntry[]> {
  return documentAudit(pool, TABLES, limit);
}
