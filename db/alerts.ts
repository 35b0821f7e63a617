// The alerts table: raised once per rule while its condition holds, cleared when a run finds it gone.
import type { Pool } from './pool.ts';

/** A row of alerts. */
export interface StoredAlert {
  id: number;
  /** The rule's name (policy/alert-rules.ts ALERT_RULE_NAMES). */
  rule: string;
  /** The version of the alert rules in force when it was raised; null under the defaults. */
  ruleVersion: number | null;
  message: string;
  value: number;
  threshold: number;
  detail: Record<string, unknown>;
  raisedAt: Date;
  notifiedAt: Date | null;
  clearedAt: Date | null;
}

interface AlertRow {
  id: string;
  rule: string;
  rule_version: number | null;
  message: string;
  value: number;
  threshold: number;
  detail: Record<string, unknown>;
  raised_at: Date;
  notified_at: Date | null;
  cleared_at: Date | null;
}

const COLUMNS = 'id, rule, rule_version, message, value, threshold, detail, raised_at, notified_at, cleared_at';

function toAlert(r: AlertRow): StoredAlert {
  return {
    id: Number(r.id),
    rule: r.rule,
    ruleVersion: r.rule_version,
    message: r.message,
    value: r.value,
    threshold: r.threshold,
    detail: r.detail,
    raisedAt: r.raised_at,
    notifiedAt: r.notified_at,
    clearedAt: r.cleared_at,
  };
}

/** The alerts not yet cleared, oldest first. */
export async function openAlerts(pool: Pool): Promise<StoredAlert[]> {
  const { rows } = await pool.query<AlertRow>(
    `select ${COLUMNS} from alerts where cleared_at is null order by raised_at, id`,
  );
  return rows.map(toAlert);
}

/** The latest alerts, open or cleared, newest first. */
export async function recentAlerts(pool: Pool, limit = 50): Promise<StoredAlert[]> {
  const { rows } = await pool.query<AlertRow>(
    `select ${COLUMNS} from alerts order by raised_at desc, id desc limit $1::int`,
    [limit],
  );
  return rows.map(toAlert);
}

export interface NewAlert {
  rule: string;
  ruleVersion: number | null;
  message: string;
  value: number;
  threshold: number;
  detail: object;
}

/**
 * Raises an alert for `rule` unless one is open already (the partial unique index decides, so two runs racing raise
 * one); returns the new row, or null when the rule's alert was already open (its message and value are refreshed).
 */
export async function raiseAlert(pool: Pool, a: NewAlert, at: Date): Promise<StoredAlert | null> {
  const inserted = await pool.query<AlertRow>(
    `insert into alerts (rule, rule_version, message, value, threshold, detail, raised_at)
     values ($1::text, $2::int, $3::text, $4::double precision, $5::double precision, $6::jsonb, $7::timestamptz)
     on conflict (rule) where cleared_at is null do nothing
     returning ${COLUMNS}`,
    [a.rule, a.ruleVersion, a.message, a.value, a.threshold, JSON.stringify(a.detail), at],
  );
  if (inserted.rows.length) return toAlert(inserted.rows[0]);
  await pool.query(
    `update alerts set message = $2::text, value = $3::double precision, threshold = $4::double precision,
            detail = $5::jsonb
      where rule = $1::text and cleared_at is null`,
    [a.rule, a.message, a.value, a.threshold, JSON.stringify(a.detail)],
  );
  return null;
}

/** Clears the open alert of `rule`, if any; returns it as cleared, or null when none was open. */
export async function clearAlert(pool: Pool, rule: string, at: Date): Promise<StoredAlert | null> {
  const { rows } = await pool.query<AlertRow>(
    `update alerts set cleared_at = greatest($2::timestamptz, raised_at)
      where rule = $1::text and cleared_at is null
     returning ${COLUMNS}`,
    [rule, at],
  );
  return rows.length ? toAlert(rows[0]) : null;
}

/** Records that the email about an alert went out. */
export async function markAlertNotified(pool: Pool, id: number, at: Date): Promise<void> {
  await pool.query(`update alerts set notified_at = $2::timestamptz where id = $1::bigint`, [id, at]);
}
