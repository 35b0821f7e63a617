// The alerts and the alert rules under /api/admin/: the banner's open alerts, the rules (versioned, audited), the
// latest relevance report; behind the team login, the rules changed by the role that changes cap policies.
import { z } from 'zod';
import { activateAlertRules, getActiveAlertRules, listAlertRulesAudit } from '../db/alert-rules.ts';
import { openAlerts, recentAlerts, type StoredAlert } from '../db/alerts.ts';
import { latestRelevanceReport } from '../db/monitoring.ts';
import type { Pool } from '../db/pool.ts';
import { type Action, auditActor } from '../domain/principal.ts';
import { type AlertRules, DEFAULT_ALERT_RULES, validateAlertRules } from '../policy/alert-rules.ts';
import type { AlertRow, AlertsAnswer } from '../wire/alerts.ts';
import type { ErrorAnswer } from '../wire/errors.ts';
import type { ActivePolicyAnswer, PolicyAuditAnswer, PolicyChange } from '../wire/policy.ts';
import type { TeamGate } from './admin-auth.ts';
import { send } from './answer.ts';
import type { HttpApp } from './app.ts';
import { principalOf, teamOnly } from './auth-hooks.ts';
import { activeDocumentAnswer, auditEntryJson } from './document-answers.ts';
import { intQuery } from './params.ts';

export interface AlertRouteDeps {
  pool: Pool;
  gate: TeamGate;
}

const hidden = { hide: true } as const;

function alertJson(a: StoredAlert): AlertRow {
  return {
    id: a.id,
    rule: a.rule,
    message: a.message,
    value: a.value,
    threshold: a.threshold,
    raisedAt: a.raisedAt.toISOString(),
    clearedAt: a.clearedAt?.toISOString() ?? null,
  };
}

export function registerAlertRoutes(app: HttpApp, deps: AlertRouteDeps): void {
  const may = (action: Action) => ({ onRequest: teamOnly(deps.gate, action), schema: hidden });

  app.get('/api/admin/alerts', may('console.read'), async (_req, reply) => {
    const [open, recent] = await Promise.all([openAlerts(deps.pool), recentAlerts(deps.pool, 20)]);
    const body: AlertsAnswer = { open: open.map(alertJson), recent: recent.map(alertJson) };
    return send(reply, { status: 200, body });
  });

  app.get('/api/admin/relevance-report', may('console.read'), async (_req, reply) => {
    const latest = await latestRelevanceReport(deps.pool);
    if (!latest)
      return send(reply, {
        status: 404,
        body: { errors: [{ field: 'report', rule: 'none yet: the monitor has not run' }] } satisfies ErrorAnswer,
      });
    return send(reply, {
      status: 200,
      body: { id: latest.id, asOf: latest.asOf.toISOString(), report: latest.report },
    });
  });

  app.get('/api/admin/alert-rules', may('console.read'), async (_req, reply) => {
    const body: ActivePolicyAnswer<AlertRules> = activeDocumentAnswer(
      await getActiveAlertRules(deps.pool),
      DEFAULT_ALERT_RULES,
    );
    return send(reply, { status: 200, body });
  });

  app.put('/api/admin/alert-rules', may('policy.change'), async (req, reply) => {
    // The audit names the principal that proved itself, never a name the request typed.
    const actor = auditActor(principalOf(req));
    const checked = validateAlertRules(req.body);
    if (!checked.ok) return send(reply, { status: 400, body: { errors: checked.errors } satisfies ErrorAnswer });
    const r = await activateAlertRules(deps.pool, checked.value, actor);
    const body: PolicyChange = { version: r.version, changed: r.changed, diff: r.diff, actor };
    return send(reply, { status: r.changed ? 201 : 200, body });
  });

  app.get(
    '/api/admin/alert-rules/audit',
    { ...may('console.read'), schema: { ...hidden, querystring: z.object({ limit: intQuery(1, 500, 50) }) } },
    async (req, reply) => {
      const entries = await listAlertRulesAudit(deps.pool, req.query.limit);
      const body: PolicyAuditAnswer = {
        entries: entries.map(auditEntryJson),
      };
      return send(reply, { status: 200, body });
    },
  );
}
