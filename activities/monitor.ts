// The monitor run: the relevance report, the alert rules judged against it, alerts raised and cleared, emails sent.
import { getActiveAlertRules } from '../db/alert-rules.ts';
import { clearAlert, markAlertNotified, openAlerts, raiseAlert, type StoredAlert } from '../db/alerts.ts';
import { compactConsoleCounts } from '../db/console-overview.ts';
import { insertRelevanceReport, latestRelevanceReport } from '../db/monitoring.ts';
import type { Pool } from '../db/pool.ts';
import type { EmailChannel } from '../delivery/deliver.ts';
import { escapeHtml } from '../delivery/templates.ts';
import { DAY_MS, HOUR_MS } from '../domain/time.ts';
import { type RelevanceReport, relevanceReport } from '../models/relevance-monitor.ts';
import { type AlertFinding, DEFAULT_ALERT_RULES, evaluateAlertRules } from '../policy/alert-rules.ts';

/** Feature drift replays two windows of features; an hourly run reuses the last replay until it is this old. */
export const DRIFT_REFRESH_MS = DAY_MS - 3_600_000;

export interface MonitorDeps {
  pool: Pool;
  /** Where alert emails go (FANFARE_ALERT_EMAIL) and how: without it, alerts are rows and a banner only. */
  mail?: { to: string; email: EmailChannel; messageIdDomain: string };
  now?: () => Date;
  log?: (line: string) => void;
}

export interface MonitorOptions {
  /** The time the run describes (default now). */
  asOfMs?: number;
  /** Replay the features for drift now (true), never (false), or when the last replay is a day old (default). */
  drift?: boolean;
}

/** A stored report: the figures, when drift was last replayed, and what each rule found. */
export type StoredReport = RelevanceReport & { driftAsOf: string | null; findings: AlertFinding[] };

export interface MonitorRun {
  reportId: number;
  report: StoredReport;
  /** Alerts this run raised, and cleared. */
  raised: StoredAlert[];
  cleared: StoredAlert[];
  /** Every alert open after the run. */
  open: StoredAlert[];
  /** Emails sent by this run (raised, cleared, and raised earlier but not yet told). */
  emailed: number;
}

function alertMail(alert: StoredAlert, state: 'raised' | 'cleared') {
  const subject =
    state === 'raised' ? `[Fanfare alert] ${alert.message}` : `[Fanfare alert cleared] ${alert.rule}: ${alert.message}`;
  const lines = [
    state === 'raised'
      ? `Alert "${alert.rule}" was raised at ${alert.raisedAt.toISOString()}.`
      : `Alert "${alert.rule}", raised at ${alert.raisedAt.toISOString()}, ` +
        `cleared at ${alert.clearedAt?.toISOString()}.`,
    '',
    alert.message,
    `Value ${alert.value}, threshold ${alert.threshold}.`,
    '',
    'What to do: docs/OPERATIONS.md#alerts. Open alerts show on every page of the growth console.',
  ];
  return {
    subject: subject.slice(0, 200),
    text: `${lines.join('\n')}\n`,
    html: lines.map((l) => (l ? `<p>${escapeHtml(l)}</p>` : '')).join(''),
  };
}

/** Sends one alert email; a failure is logged and reported false, never thrown: the alert stands without it. */
async function tell(deps: MonitorDeps, alert: StoredAlert, state: 'raised' | 'cleared'): Promise<boolean> {
  if (!deps.mail) return false;
  const { to, email, messageIdDomain } = deps.mail;
  try {
    await email.send({ to, ...alertMail(alert, state), messageId: `alert-${alert.id}-${state}@${messageIdDomain}` });
    return true;
  } catch (err) {
    deps.log?.(`monitor: the email about alert ${alert.id} (${alert.rule}) was not sent: ${(err as Error).message}`);
    return false;
  }
}

/**
 * One monitor run as of `asOfMs`: stores the relevance report, raises an alert for each rule that fires (once, while
 * it keeps firing), clears the open alert of each rule found ok, and emails the configured address about both. A
 * rule with too little data to judge leaves its alert as it is.
 */
export async function runMonitor(deps: MonitorDeps, options: MonitorOptions = {}): Promise<MonitorRun> {
  const { pool } = deps;
  const asOfMs = options.asOfMs ?? (deps.now ?? (() => new Date()))().getTime();
  const at = new Date(asOfMs);
  const stored = await getActiveAlertRules(pool);
  const rules = stored?.document ?? DEFAULT_ALERT_RULES;

  const previous = await latestRelevanceReport<StoredReport>(pool);
  const lastDriftMs = previous?.report.driftAsOf ? Date.parse(previous.report.driftAsOf) : null;
  const replay =
    options.drift ?? (lastDriftMs === null || asOfMs - lastDriftMs >= DRIFT_REFRESH_MS || asOfMs < lastDriftMs);
  const figures = await relevanceReport(pool, asOfMs, { drift: replay, log: deps.log });
  let driftAsOf: string | null = replay && figures.featureDrift ? figures.asOf : null;
  // Between replays, the last one stands for the model it measured.
  if (!replay && previous?.report.featureDrift && previous.report.modelVersion === figures.modelVersion) {
    figures.featureDrift = previous.report.featureDrift;
    driftAsOf = previous.report.driftAsOf;
  }

  const findings = evaluateAlertRules(rules, figures);
  const report: StoredReport = { ...figures, driftAsOf, findings };
  const reportId = await insertRelevanceReport(pool, at, figures.modelVersion, report);

  const raised: StoredAlert[] = [];
  const cleared: StoredAlert[] = [];
  for (const f of findings) {
    if (f.status === 'firing') {
      const alert = await raiseAlert(
        pool,
        {
          rule: f.rule,
          ruleVersion: stored?.version ?? null,
          message: f.message,
          value: f.value,
          threshold: f.threshold,
          detail: { ...f.detail, reportId },
        },
        at,
      );
      if (alert) raised.push(alert);
    } else if (f.status === 'ok') {
      const alert = await clearAlert(pool, f.rule, at);
      if (alert) cleared.push(alert);
    }
  }

  let emailed = 0;
  const open = await openAlerts(pool);
  // Raised now or earlier without an email (SMTP was down, or the address was set since): tell it now.
  for (const alert of open.filter((a) => a.notifiedAt === null)) {
    if (await tell(deps, alert, 'raised')) {
      await markAlertNotified(pool, alert.id, new Date());
      emailed++;
    }
  }
  for (const alert of cleared) if (alert.notifiedAt !== null && (await tell(deps, alert, 'cleared'))) emailed++;
  for (const a of raised) deps.log?.(`monitor: alert raised: ${a.message}`);
  for (const a of cleared) deps.log?.(`monitor: alert cleared: ${a.rule}`);
  return { reportId, report, raised, cleared, open: await openAlerts(pool), emailed };
}

/** The console's counts keep each bucket's deltas this long before the hourly run folds them into one row a group. */
export const CONSOLE_COUNTS_FOLD_AFTER_MS = HOUR_MS;

/**
 * The monitor as a Temporal activity: the schedule's run, as of when it runs. It first folds the console's counts
 * (docs/CONSOLE.md#how-the-counts-are-kept): the hourly schedule is the worker's one periodic run that every
 * deployment has.
 */
export function createMonitorActivities(deps: MonitorDeps) {
  return {
    async monitorRelevance(): Promise<{ reportId: number; raised: string[]; cleared: string[]; open: string[] }> {
      const now = (deps.now ?? (() => new Date()))().getTime();
      const folded = await compactConsoleCounts(deps.pool, new Date(now - CONSOLE_COUNTS_FOLD_AFTER_MS));
      deps.log?.(`monitor: console counts folded, ${folded} rows fewer`);
      const run = await runMonitor(deps);
      return {
        reportId: run.reportId,
        raised: run.raised.map((a) => a.rule),
        cleared: run.cleared.map((a) => a.rule),
        open: run.open.map((a) => a.rule),
      };
    },
  };
}

export type MonitorActivities = ReturnType<typeof createMonitorActivities>;
