// The console's audit page on the wire: every audited action in one list, newest first.

/** What an entry is about; each kind's actions are listed beside it. */
export const AUDIT_KINDS = [
  'cap-policy',
  'alert-rules',
  'model',
  'experiment',
  'team',
  'service-credential',
  'creator-key',
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

/**
 * cap-policy and alert-rules: activate; model: promote, rollback; experiment: create, stop; team: add, remove, role;
 * service-credential and creator-key: create, revoke.
 */
export interface AuditEntry {
  at: string;
  kind: AuditKind;
  /** member:<username>, service:<name>, cli or training. */
  actor: string;
  action: string;
  /** What was acted on, in words ("version 4", "model 3", "ada", "key 7 of creator 3"). */
  subject: string;
  /** The numbers behind it: a document's diff, a new role, a model's reason. */
  detail: Record<string, unknown>;
  /** The creator a creator-key entry is about (creator text: show it isolated); null for other kinds. */
  creator: { id: number; handle: string } | null;
}

/** The limits of GET /api/admin/audit's query, shared with the console's inputs. */
export const AUDIT_LIMITS = { days: 366, entries: 1000 } as const;

/** GET /api/admin/audit?kind=a,b&from=YYYY-MM-DD&to=YYYY-MM-DD: entries from `from` to `to` inclusive (UTC days). */
export interface AuditAnswer {
  from: string;
  to: string;
  kinds: AuditKind[];
  entries: AuditEntry[];
  /** True when more than AUDIT_LIMITS.entries matched and the oldest were left out. */
  truncated: boolean;
}
