// `fanfare monitor run|alerts|rules`: the relevance monitor on demand, the alerts, the alert rules and their audit.
import { readFile } from 'node:fs/promises';
import { mailDomain, readConfig, requireDatabaseUrl } from '../app/config.ts';
import { activateAlertRules, getActiveAlertRules, listAlertRulesAudit } from '../db/alert-rules.ts';
import { openAlerts, recentAlerts } from '../db/alerts.ts';
import { createPool } from '../db/pool.ts';
import { formatFieldErrors, type Validated } from '../domain/field-error.ts';
import { type AlertRules, DEFAULT_ALERT_RULES, validateAlertRules } from '../policy/alert-rules.ts';
import { formatChanges } from '../policy/diff.ts';
import { defineCommand, defineGroup, ENV, parseFlags, type Syntax, UsageError, usage } from './args.ts';
import { defaultActor } from './policy.ts';
import { withPool } from './pool.ts';
import { columns, instant } from './table.ts';

const RUN = {
  command: 'monitor run',
  summary: 'compute the relevance report, judge the alert rules, raise and clear alerts, email them; print the report',
  flags: {
    'as-of': { value: 'TIME', help: 'the time the run describes, ISO 8601 (default now)' },
    'no-drift': { help: 'leave out feature drift (which replays two windows of features)' },
    json: { help: 'print the whole stored report as JSON' },
  },
  env: {
    ...ENV.database,
    ...ENV.mail,
    FANFARE_ALERT_EMAIL: 'who is emailed when an alert is raised or cleared (default: nobody)',
  },
} satisfies Syntax;

const ALERTS = {
  command: 'monitor alerts',
  summary: 'list the open alerts, or with --all the latest 50, open or cleared',
  flags: { all: { help: 'cleared alerts too' } },
  env: ENV.database,
} satisfies Syntax;

const RULES_SHOW = {
  command: 'monitor rules show',
  summary: 'print the alert rules in force (their version on stderr), or the built-in default',
  flags: { default: { help: 'print the built-in default instead (no database needed)' } },
  env: { DATABASE_URL: 'PostgreSQL connection string (required without --default)' },
} satisfies Syntax;

const RULES_SET = {
  command: 'monitor rules set',
  summary: 'validate an alert rules document and make it the one in force, recording who did',
  operands: ['FILE'],
  flags: { actor: { value: 'NAME', help: 'who is recorded in the audit trail (default cli:<your user name>)' } },
  env: ENV.database,
  notes: ['FILE is a JSON alert rules document (docs/OPERATIONS.md#alerts; fanfare monitor rules show --default).'],
} satisfies Syntax;

const RULES_AUDIT = {
  command: 'monitor rules audit',
  summary: 'list every change of the alert rules, newest first, with what changed',
  env: ENV.database,
} satisfies Syntax;

export function parseRunArgs(args: string[]): {
  asOfMs: number | undefined;
  drift: boolean | undefined;
  json: boolean;
} {
  const line = parseFlags(args, RUN);
  const raw = line.string('as-of');
  const asOfMs = raw === undefined ? undefined : Date.parse(raw);
  if (asOfMs !== undefined && !(Number.isFinite(asOfMs) && /^\d{4}-\d\d-\d\d/.test(raw ?? '')))
    throw new UsageError(`--as-of: must be an ISO 8601 time such as 2026-03-01T04:00:00Z, got "${raw}"`, usage(RUN));
  return { asOfMs, drift: line.switch('no-drift') ? false : undefined, json: line.switch('json') };
}

function out(text: string): void {
  process.stdout.write(`${text}\n`);
}

function err(text: string): void {
  process.stderr.write(`${text}\n`);
}

const fixed = (x: number | null | undefined, digits = 3) => (x === null || x === undefined ? '-' : x.toFixed(digits));

const run = defineCommand(RUN, async (args) => {
  const { asOfMs, drift, json } = parseRunArgs(args);
  const config = readConfig();
  const pool = createPool(requireDatabaseUrl(config), 4, { name: 'monitor run' });
  // Loaded only to run: the report reads the feature code, and the sender opens an SMTP pool.
  const [{ runMonitor }, { createConfiguredEmailSender }] = await Promise.all([
    import('../activities/monitor.ts'),
    import('../app/services.ts'),
  ]);
  const email = config.alertEmail ? createConfiguredEmailSender(config) : undefined;
  try {
    const result = await runMonitor(
      {
        pool,
        mail:
          email && config.alertEmail
            ? { to: config.alertEmail, email, messageIdDomain: mailDomain(config.mailFrom) }
            : undefined,
        log: err,
      },
      { asOfMs, drift },
    );
    const r = result.report;
    if (json) {
      out(JSON.stringify(r, null, 2));
      return 0;
    }
    out(`relevance report ${result.reportId} as of ${r.asOf} (model ${r.modelVersion ?? 'none'})`);
    out(
      `  sends ${r.labelWindow.from} to ${r.labelWindow.to}: ${r.calibration.sends} scored, ` +
        `AUC ${fixed(r.calibration.auc)}, open rate ${fixed(r.calibration.openRate)}`,
    );
    if (r.calibration.deciles.length > 0)
      out(
        columns([
          ['  decile', 'sends', 'predicted', 'observed'],
          ...r.calibration.deciles.map((d) => [
            `  ${d.decile}`,
            String(d.count),
            fixed(d.meanPredicted),
            fixed(d.observedRate),
          ]),
        ]),
      );
    if (r.featureDrift) {
      const top = [...r.featureDrift.features].sort((a, b) => b.psi - a.psi).slice(0, 5);
      out(`  feature drift (${r.driftAsOf ?? 'now'}): ${top.map((f) => `${f.feature} ${fixed(f.psi)}`).join(', ')}`);
    }
    for (const f of r.findings) out(`  ${f.status.padEnd(7)} ${f.message}`);
    out(
      `alerts: ${result.raised.length} raised, ${result.cleared.length} cleared, ${result.open.length} open` +
        (config.alertEmail ? `; ${result.emailed} emailed to ${config.alertEmail}` : '; FANFARE_ALERT_EMAIL unset'),
    );
    return 0;
  } finally {
    email?.close();
    await pool.end();
  }
});

const alerts = defineCommand(ALERTS, async (args) => {
  const all = parseFlags(args, ALERTS).switch('all');
  return withPool(ALERTS.command, async (pool) => {
    const rows = all ? await recentAlerts(pool) : await openAlerts(pool);
    if (rows.length === 0) {
      err(all ? 'no alerts yet' : 'no open alerts');
      return 0;
    }
    out(
      columns([
        ['id', 'rule', 'raised', 'cleared', 'message'],
        ...rows.map((a) => [String(a.id), a.rule, instant(a.raisedAt), instant(a.clearedAt), a.message]),
      ]),
    );
    return 0;
  });
});

/** Reads and validates an alert rules file; a file that is not JSON is reported like any other error. */
export async function readAlertRulesFile(file: string): Promise<Validated<AlertRules>> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code) throw error;
    return { ok: false, errors: [{ field: '(document)', rule: `must be JSON (${(error as Error).message})` }] };
  }
  return validateAlertRules(doc);
}

const rulesShow = defineCommand(RULES_SHOW, async (args) => {
  if (parseFlags(args, RULES_SHOW).switch('default')) {
    out(JSON.stringify(DEFAULT_ALERT_RULES, null, 2));
    return 0;
  }
  return withPool(RULES_SHOW.command, async (pool) => {
    const active = await getActiveAlertRules(pool);
    if (!active) {
      err('no alert rules stored yet; the monitor uses the built-in default (fanfare monitor rules show --default)');
      return 1;
    }
    err(`version ${active.version}, by ${active.createdBy} at ${active.createdAt.toISOString()}`);
    out(JSON.stringify(active.document, null, 2));
    return 0;
  });
});

const rulesSet = defineCommand(RULES_SET, async (args) => {
  const line = parseFlags(args, RULES_SET);
  const file = line.operands[0];
  const actor = line.string('actor') ?? defaultActor();
  const result = await readAlertRulesFile(file);
  if (!result.ok) {
    err(`${file}: invalid alert rules, not stored; the rules in force stay\n${formatFieldErrors(result.errors)}`);
    return 1;
  }
  const document = result.value;
  return withPool(RULES_SET.command, async (pool) => {
    const r = await activateAlertRules(pool, document, actor);
    if (!r.changed) out(`alert rules version ${r.version} are already this document; nothing changed`);
    else out(`alert rules version ${r.version} are in force (by ${actor})\n${formatChanges(r.diff)}`);
    return 0;
  });
});

const rulesAudit = defineCommand(RULES_AUDIT, async (args) => {
  parseFlags(args, RULES_AUDIT);
  return withPool(RULES_AUDIT.command, async (pool) => {
    for (const a of await listAlertRulesAudit(pool)) {
      const changes = formatChanges(a.diff).replace(/^/gm, '    ');
      out(`${a.at.toISOString()}  version ${a.version}  ${a.action} by ${a.actor}\n${changes}`);
    }
    return 0;
  });
});

const rules = defineGroup(
  { command: 'monitor rules', summary: 'show or set the alert rules, and list their audit trail', env: ENV.database },
  { show: rulesShow, set: rulesSet, audit: rulesAudit },
);

export const command = defineGroup(
  {
    command: 'monitor',
    summary: 'the relevance monitor and its alerts: run it now, list alerts, show or set the alert rules',
    env: ENV.database,
  },
  { run, alerts, rules },
);
