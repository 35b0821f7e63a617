// The admin API for the cap policy (read, validate, replace with an audit entry, audit trail), behind the admin login.

import { z } from 'zod';
import { activateCapPolicy, getActiveCapPolicy, listCapPolicyAudit } from '../db/cap-policies.ts';
import { sampleLoggedHistory } from '../db/logged-history.ts';
import type { Pool } from '../db/pool.ts';
import { type Action, auditActor } from '../domain/principal.ts';
import { ReplayBusyError } from '../domain/replay-busy.ts';
import { DAY_MS } from '../domain/time.ts';
import { type CapPolicy, DEFAULT_CAP_POLICY, validateCapPolicy } from '../policy/cap-policy.ts';
import { CAP_POLICY_FIELDS } from '../policy/cap-policy-fields.ts';
import type { ErrorAnswer } from '../wire/errors.ts';
import type {
  ActivePolicyAnswer,
  PolicyAuditAnswer,
  PolicyChange,
  PolicyFieldsAnswer,
  PolicyValidation,
} from '../wire/policy.ts';
import { HISTORY_REPLAY_RESAMPLES, type HistoryReplayAnswer, type ReplayAnswer } from '../wire/replay.ts';
import type { TeamGate } from './admin-auth.ts';
import { type Answer, send } from './answer.ts';
import type { HttpApp } from './app.ts';
import { principalOf, teamOnly } from './auth-hooks.ts';
import { activeDocumentAnswer, auditEntryJson } from './document-answers.ts';
import { intQuery } from './params.ts';
import {
  type HistoryReplayRunner,
  type ReplayRunner,
  validateHistoryReplayRequest,
  validateSimulateRequest,
} from './simulate-input.ts';

export interface AdminRouteDeps {
  pool: Pool;
  /** Who a request is (shared with the console's login, so its session cookie works here too). */
  gate: TeamGate;
  /** Runs the console's replay; without it POST /api/admin/simulate answers 503. */
  simulate?: ReplayRunner;
  /** Runs the replay on logged history; without it POST /api/admin/simulate-history answers 503. */
  simulateHistory?: HistoryReplayRunner;
  now?: () => Date;
}

const hidden = { hide: true } as const;

export function registerAdminRoutes(app: HttpApp, deps: AdminRouteDeps): void {
  const may = (action: Action) => ({ onRequest: teamOnly(deps.gate, action), schema: hidden });

  app.get('/api/admin/policy', may('console.read'), async (_req, reply) => {
    const body: ActivePolicyAnswer<CapPolicy> = activeDocumentAnswer(
      await getActiveCapPolicy(deps.pool),
      DEFAULT_CAP_POLICY,
    );
    return send(reply, { status: 200, body });
  });

  app.put('/api/admin/policy', may('policy.change'), async (req, reply) => {
    // The audit names the principal that proved itself, never a name the request typed.
    const actor = auditActor(principalOf(req));
    // The policy document's rules live in policy/ (shared with the CLI and the console), so it is checked there.
    const checked = validateCapPolicy(req.body);
    // Refused: nothing is stored and the active version stays in force.
    if (!checked.ok) return send(reply, { status: 400, body: { errors: checked.errors } satisfies ErrorAnswer });
    const r = await activateCapPolicy(deps.pool, checked.value, actor);
    const body: PolicyChange = { version: r.version, changed: r.changed, diff: r.diff, actor };
    return send(reply, { status: r.changed ? 201 : 200, body });
  });

  // The form's help: each field's meaning, unit and range, from the validator's own bounds.
  app.get('/api/admin/policy/fields', may('console.read'), async (_req, reply) => {
    const body: PolicyFieldsAnswer = { fields: CAP_POLICY_FIELDS.map((f) => ({ ...f, choices: f.choices?.slice() })) };
    return send(reply, { status: 200, body });
  });

  app.post('/api/admin/policy/validate', may('policy.try'), async (req, reply) => {
    const checked = validateCapPolicy(req.body);
    const body: PolicyValidation = checked.ok ? { valid: true, errors: [] } : { valid: false, errors: checked.errors };
    return send(reply, { status: 200, body });
  });

  app.post('/api/admin/simulate', may('policy.try'), async (req, reply) => {
    return send(reply, await simulate(deps, req.body, auditActor(principalOf(req))));
  });

  app.post('/api/admin/simulate-history', may('policy.try'), async (req, reply) => {
    return send(reply, await simulateHistory(deps, req.body, auditActor(principalOf(req))));
  });

  app.get(
    '/api/admin/policy/audit',
    { ...may('console.read'), schema: { ...hidden, querystring: z.object({ limit: intQuery(1, 500, 50) }) } },
    async (req, reply) => {
      const body: PolicyAuditAnswer = {
        entries: (await listCapPolicyAudit(deps.pool, req.query.limit)).map(auditEntryJson),
      };
      return send(reply, { status: 200, body });
    },
  );
}

const unavailable = (): Answer => ({
  status: 503,
  body: { errors: [{ field: '(request)', rule: 'the replay is not available in this process' }] } satisfies ErrorAnswer,
});

/** A refusal of a busy replay thread or person as 429 with Retry-After; anything else is thrown on. */
function busy(err: unknown): Answer {
  if (!(err instanceof ReplayBusyError)) throw err;
  const body: ErrorAnswer = { errors: [{ field: 'replay', rule: err.message }] };
  return { status: 429, headers: { 'retry-after': String(err.retryAfterSeconds) }, body };
}

/**
 * The proposed policy against the one in force over a sample of real fans' logged candidates of the last `days`
 * days: the sample is read here, the replay and its bootstrap run on the runner's thread.
 */
async function simulateHistory(deps: AdminRouteDeps, raw: unknown, person: string): Promise<Answer> {
  const checked = validateHistoryReplayRequest(raw);
  if (!checked.ok) return { status: 400, body: { errors: checked.errors } satisfies ErrorAnswer };
  if (!deps.simulateHistory) return unavailable();
  const { policy, days, fans, seed } = checked.value;
  const to = (deps.now ?? (() => new Date()))();
  const from = new Date(to.getTime() - days * DAY_MS);
  const [stored, sample] = await Promise.all([
    getActiveCapPolicy(deps.pool),
    sampleLoggedHistory(deps.pool, { from, to }, fans, seed),
  ]);
  const current = stored?.document ?? DEFAULT_CAP_POLICY;
  try {
    const r = await deps.simulateHistory(
      {
        logged: sample.logged,
        fans: sample.fanIds.length,
        days,
        current,
        proposed: policy,
        resamples: HISTORY_REPLAY_RESAMPLES,
        seed,
      },
      person,
    );
    const body: HistoryReplayAnswer = {
      from: from.toISOString(),
      to: to.toISOString(),
      fans: r.fans,
      days: r.days,
      seed,
      candidates: r.candidates,
      unscored: r.unscored,
      fallbackScore: r.fallbackScore,
      resamples: r.resamples,
      current: { ...r.current, version: stored?.version ?? null },
      proposed: r.proposed,
      difference: r.difference,
    };
    return { status: 200, body };
  } catch (err) {
    return busy(err);
  }
}

async function simulate(deps: AdminRouteDeps, raw: unknown, person: string): Promise<Answer> {
  const checked = validateSimulateRequest(raw);
  if (!checked.ok) return { status: 400, body: { errors: checked.errors } satisfies ErrorAnswer };
  if (!deps.simulate) return unavailable();
  try {
    // The person is the audit's actor: one replay at a time each, so a double click cannot take two threads.
    return { status: 200, body: (await deps.simulate(checked.value, person)) satisfies ReplayAnswer };
  } catch (err) {
    return busy(err);
  }
}
