// The one audit log: recording the actions that had no audit of their own, and reading every audit as one list.
import type { AuditEntry, AuditKind } from '../wire/audit.ts';
import type { Pool, PoolClient } from './pool.ts';

/** The kinds audit_log stores; the others come from their own tables. */
export type LoggedAuditKind = Extract<AuditKind, 'model' | 'team' | 'service-credential' | 'creator-key'>;

export interface NewAuditEntry {
  kind: LoggedAuditKind;
  actor: string;
  action: string;
  subject: string;
  detail?: Record<string, unknown>;
}

/** A pool, or a transaction's client so that an action and its entry commit together. */
export async function recordAudit(db: Pool | PoolClient, e: NewAuditEntry): Promise<void> {
  await db.query(
    `insert into audit_log (kind, actor, action, subject, detail) values ($1::text, $2::text, $3::text, $4::text,
     $5::jsonb)`,
    [e.kind, e.actor, e.action, e.subject, JSON.stringify(e.detail ?? {})],
  );
}

/**
 * Every audited action from `from` (inclusive) to `to` (exclusive) of the given kinds, newest first, at most `limit`:
 * cap policy and alert rule activations from their audit tables, experiments created and stopped from their rows,
 * and audit_log.
 */
export async function auditEntries(
  pool: Pool,
  kinds: readonly AuditKind[],
  from: Date,
  to: Date,
  limit: number,
): Promise<AuditEntry[]> {
  const r = await pool.query(
    `select a.*, c.handle as creator_handle from (
       select at, 'cap-policy' as kind, actor, action, 'version ' || version as subject,
              jsonb_build_object('diff', diff) as detail, id
         from cap_policy_audit
       union all
       select at, 'alert-rules', actor, action, 'version ' || version, jsonb_build_object('diff', diff), id
         from alert_rule_audit
       union all
       select started_at, 'experiment', created_by, 'create', '#' || id || ' ' || name,
              jsonb_build_object('buckets', jsonb_build_array(bucket_start, bucket_end)), id
         from experiments
       union all
       select stopped_at, 'experiment', stopped_by, 'stop', '#' || id || ' ' || name, '{}'::jsonb, id
         from experiments where stopped_at is not null
       union all
       select at, kind, actor, action, subject, detail, id from audit_log
     ) a
     left join creators c on a.kind = 'creator-key' and c.id = (a.detail ->> 'creatorId')::bigint
     where a.kind = any($1::text[]) and a.at >= $2::timestamptz and a.at < $3::timestamptz
     order by a.at desc, a.id desc
     limit $4::int`,
    [kinds, from, to, limit],
  );
  return r.rows.map((row) => ({
    at: row.at.toISOString(),
    kind: row.kind,
    actor: row.actor,
    action: row.action,
    subject: row.subject,
    detail: row.detail,
    creator: row.creator_handle === null ? null : { id: Number(row.detail.creatorId), handle: row.creator_handle },
  }));
}
