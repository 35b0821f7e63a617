// Answers for a versioned, audited document (the cap policy, the alert rules): the one in force and the audit trail.
import type { DocumentAuditEntry, StoredDocument } from '../db/versioned-documents.ts';
import type { ActivePolicyAnswer, PolicyAuditEntry } from '../wire/policy.ts';

/** The stored active version, or the built-in default when none was ever stored. */
export function activeDocumentAnswer<D>(active: StoredDocument<D> | null, fallback: D): ActivePolicyAnswer<D> {
  return active
    ? {
        version: active.version,
        source: 'stored',
        document: active.document,
        createdBy: active.createdBy,
        createdAt: active.createdAt.toISOString(),
      }
    : { version: null, source: 'default', document: fallback, createdBy: null, createdAt: null };
}

export function auditEntryJson(a: DocumentAuditEntry): PolicyAuditEntry {
  return { id: a.id, version: a.version, actor: a.actor, action: a.action, diff: a.diff, at: a.at.toISOString() };
}
