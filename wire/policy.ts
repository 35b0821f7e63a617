// The caps page on the wire: the cap policy in force, replacing and validating one, and the audit trail.
import type { FieldError } from '../domain/field-error.ts';
import type { JsonChange } from '../domain/json-change.ts';

/**
 * The answer of GET /api/admin/policy: the stored version in force, or the built-in default when none was stored.
 * Document is the cap policy document: policy/cap-policy.ts's CapPolicy on the server, JSON to edit in the console.
 * PUT /api/admin/policy and POST /api/admin/policy/validate take such a document as their whole body.
 */
export type ActivePolicyAnswer<Document = unknown> =
  | { version: null; source: 'default'; document: Document; createdBy: null; createdAt: null }
  | { version: number; source: 'stored'; document: Document; createdBy: string; createdAt: string };

/** The answer of PUT /api/admin/policy (201 when a version was made, 200 when the document was already in force). */
export interface PolicyChange {
  version: number;
  changed: boolean;
  /** Against the version it replaced; empty when unchanged. */
  diff: JsonChange[];
  /** Who the audit records: `member:<username>` or `service:<name>` (ADMIN_TOKEN is `service:env`). */
  actor: string;
}

/** The answer of POST /api/admin/policy/validate; errors is empty when valid. */
export interface PolicyValidation {
  valid: boolean;
  errors: FieldError[];
}

/** One entry of the audit trail: who made which version active, when, and what changed against the one before. */
export interface PolicyAuditEntry {
  id: number;
  version: number;
  actor: string;
  action: 'activate';
  diff: JsonChange[];
  at: string;
}

/** The answer of GET /api/admin/policy/audit?limit=N: the N latest entries, newest first. */
export interface PolicyAuditAnswer {
  entries: PolicyAuditEntry[];
}

/**
 * One field of the cap policy form: `field` is its path with `[]` for any rule and `*` for any kind or channel; `rule`
 * the allowed values as the validator words a refusal.
 */
export interface PolicyFieldHelp {
  field: string;
  label: string;
  help: string;
  unit: string;
  rule: string;
  input: 'integer' | 'number' | 'duration' | 'text' | 'boolean' | 'choice';
  min?: number;
  max?: number;
  choices?: string[];
}

/** The answer of GET /api/admin/policy/fields. */
export interface PolicyFieldsAnswer {
  fields: PolicyFieldHelp[];
}
