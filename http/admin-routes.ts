// The admin API for the cap policy (read, validate, replace with an audit entry, audit trail), behind the admin login.
import { activateCapPolicy, getActiveCapPolicy, listCapPolicyAudit } from '../db/cap-policies.ts';
import type { Pool } from '../db/pool.ts';
import { ReplayBusyError } from '../domain/replay-busy.ts';
import { type CapPolicy, DEFAULT_CAP_POLICY, validateCapPolicy } from '../policy/cap-policy.ts';
import type { ErrorAnswer } from '../wire/errors.ts';
import type {
  ActivePolicyAnswer,
  PolicyAuditAnswer,
  PolicyAuditEntry,
  PolicyChange,
  PolicyValidation,
} from '../wire/policy.ts';
import type { ReplayAnswer } from '../wire/replay.ts';
import { type AdminAuth, type AdminPrincipal, actorOf, createAdminAuth } from './admin-auth.ts';
import { type Request, type Response, type Router, readJson } from './router.ts';
import { type ReplayRunner, validateSimulateRequest } from './simulate-input.ts';

export interface AdminRouteDeps {
  pool: Pool;
  /** ADMIN_TOKEN; unset means every admin route answers 401. */
  adminToken: string | undefined;
  /** Shared with the console's login, so its session cookie works here too; made from adminToken when absent. */
  auth?: AdminAuth;
  /** Runs the console's replay; without it POST /api/admin/simulate answers 503. */
  simulate?: ReplayRunner;
}

export type AdminHandler = (req: Request, principal: AdminPrincipal) => Promise<Response>;

/** Registers a route that answers 401 (or 403) unless the request carries the admin token or a console session. */
export function adminRoute(router: Router, auth: AdminAuth) {
  return (method: string, path: string, handler: AdminHandler) =>
    router.on(method, path, async (req) => {
      const checked = auth.check(req);
      return 'denied' in checked ? checked.denied : handler(req, checked.principal);
    });
}

function auditJson(a: Awaited<ReturnType<typeof listCapPolicyAudit>>[number]): PolicyAuditEntry {
  return { id: a.id, version: a.version, actor: a.actor, action: a.action, diff: a.diff, at: a.at.toISOString() };
}

export function registerAdminRoutes(router: Router, deps: AdminRouteDeps): void {
  const on = adminRoute(router, deps.auth ?? createAdminAuth(deps.adminToken));

  on('GET', '/api/admin/policy', async () => {
    const active = await getActiveCapPolicy(deps.pool);
    const body: ActivePolicyAnswer<CapPolicy> = active
      ? {
          version: active.version,
          source: 'stored',
          document: active.document,
          createdBy: active.createdBy,
          createdAt: active.createdAt.toISOString(),
        }
      : { version: null, source: 'default', document: DEFAULT_CAP_POLICY, createdBy: null, createdAt: null };
    return { status: 200, body };
  });

  on('PUT', '/api/admin/policy', async (req, principal) => {
    const who = actorOf(req, principal);
    if ('error' in who) return who.error;
    const checked = validateCapPolicy(await readJson(req));
    // Refused: nothing is stored and the active version stays in force.
    if (!checked.ok) return { status: 400, body: { errors: checked.errors } satisfies ErrorAnswer };
    const r = await activateCapPolicy(deps.pool, checked.value, who.actor);
    const body: PolicyChange = { version: r.version, changed: r.changed, diff: r.diff, actor: who.actor };
    return { status: r.changed ? 201 : 200, body };
  });

  on('POST', '/api/admin/policy/validate', async (req) => {
    const checked = validateCapPolicy(await readJson(req));
    const body: PolicyValidation = checked.ok ? { valid: true, errors: [] } : { valid: false, errors: checked.errors };
    return { status: 200, body };
  });

  on('POST', '/api/admin/simulate', async (req, principal) => {
    const who = actorOf(req, principal);
    if ('error' in who) return who.error;
    const checked = validateSimulateRequest(await readJson(req));
    if (!checked.ok) return { status: 400, body: { errors: checked.errors } satisfies ErrorAnswer };
    if (!deps.simulate) {
      const errors = [{ field: '(request)', rule: 'the replay is not available in this process' }];
      return { status: 503, body: { errors } satisfies ErrorAnswer };
    }
    try {
      // The person is the audit's actor: one replay at a time each, so a double click cannot take two threads.
      return { status: 200, body: (await deps.simulate(checked.value, who.actor)) satisfies ReplayAnswer };
    } catch (err) {
      if (!(err instanceof ReplayBusyError)) throw err;
      const body: ErrorAnswer = { errors: [{ field: 'replay', rule: err.message }] };
      return { status: 429, headers: { 'retry-after': String(err.retryAfterSeconds) }, body };
    }
  });

  on('GET', '/api/admin/policy/audit', async (req) => {
    const raw = req.query.get('limit') ?? '50';
    const limit = Number(raw);
    if (!/^\d+$/.test(raw) || limit < 1 || limit > 500) {
      const errors = [{ field: 'limit', rule: 'must be an integer from 1 to 500' }];
      return { status: 400, body: { errors } satisfies ErrorAnswer };
    }
    const body: PolicyAuditAnswer = { entries: (await listCapPolicyAudit(deps.pool, limit)).map(auditJson) };
    return { status: 200, body };
  });
}
