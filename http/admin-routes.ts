// The growth team's admin API: the cap policy (read, validate, replace with an audit entry, audit trail), behind a bearer token.
import { timingSafeEqual } from 'node:crypto';
import { activateCapPolicy, getActiveCapPolicy, listCapPolicyAudit } from '../db/cap-policies.ts';
import type { Pool } from '../db/pool.ts';
import { DEFAULT_CAP_POLICY, validateCapPolicy } from '../policy/cap-policy.ts';
import { readJson, type Handler, type Request, type Response, type Router } from './router.ts';

export interface AdminRouteDeps {
  pool: Pool;
  /** ADMIN_TOKEN; unset means every admin route answers 401. */
  adminToken: string | undefined;
}

const ACTOR_HEADER = 'x-fanfare-actor';

function unauthorized(rule: string): Response {
  return { status: 401, headers: { 'www-authenticate': 'Bearer realm="fanfare-admin"' }, body: { errors: [{ field: 'Authorization', rule }] } };
}

/** Constant-time comparison of the bearer token, so response timing tells nothing about it. */
function authorize(req: Request, token: string | undefined): Response | null {
  if (!token) return unauthorized('the admin API is disabled: set ADMIN_TOKEN');
  const header = req.headers.authorization ?? '';
  const m = /^Bearer (\S+)$/.exec(header);
  if (!m) return unauthorized('must be "Bearer <ADMIN_TOKEN>"');
  const given = Buffer.from(m[1]);
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return unauthorized('must carry the admin token');
  return null;
}

/** Who the audit names: the X-Fanfare-Actor header (a person's name or handle), else "admin-api". */
function actorOf(req: Request): { actor: string } | { error: Response } {
  const raw = req.headers[ACTOR_HEADER];
  if (raw === undefined) return { actor: 'admin-api' };
  const value = Array.isArray(raw) ? raw.join(',') : raw;
  if (!/^[\w.@+ -]{1,100}$/.test(value.trim())) {
    return { error: { status: 400, body: { errors: [{ field: 'X-Fanfare-Actor', rule: 'must be 1 to 100 letters, digits, spaces or . _ @ + -' }] } } };
  }
  return { actor: `api:${value.trim()}` };
}

function auditJson(a: Awaited<ReturnType<typeof listCapPolicyAudit>>[number]) {
  return { id: a.id, version: a.version, actor: a.actor, action: a.action, diff: a.diff, at: a.at.toISOString() };
}

export function registerAdminRoutes(router: Router, deps: AdminRouteDeps): void {
  const on = (method: string, path: string, handler: Handler) =>
    router.on(method, path, async (req) => authorize(req, deps.adminToken) ?? handler(req));

  on('GET', '/api/admin/policy', async () => {
    const active = await getActiveCapPolicy(deps.pool);
    if (!active) return { status: 200, body: { version: null, source: 'default', document: DEFAULT_CAP_POLICY, createdBy: null, createdAt: null } };
    return {
      status: 200,
      body: { version: active.version, source: 'stored', document: active.document, createdBy: active.createdBy, createdAt: active.createdAt.toISOString() },
    };
  });

  on('PUT', '/api/admin/policy', async (req) => {
    const who = actorOf(req);
    if ('error' in who) return who.error;
    const checked = validateCapPolicy(await readJson(req));
    // Refused: nothing is stored and the active version stays in force.
    if (!checked.ok) return { status: 400, body: { errors: checked.errors } };
    const r = await activateCapPolicy(deps.pool, checked.value, who.actor);
    return { status: r.changed ? 201 : 200, body: { version: r.version, changed: r.changed, diff: r.diff, actor: who.actor } };
  });

  on('POST', '/api/admin/policy/validate', async (req) => {
    const checked = validateCapPolicy(await readJson(req));
    return { status: 200, body: checked.ok ? { valid: true, errors: [] } : { valid: false, errors: checked.errors } };
  });

  on('GET', '/api/admin/policy/audit', async (req) => {
    const raw = req.query.get('limit') ?? '50';
    const limit = Number(raw);
    if (!/^\d+$/.test(raw) || limit < 1 || limit > 500) return { status: 400, body: { errors: [{ field: 'limit', rule: 'must be an integer from 1 to 500' }] } };
    return { status: 200, body: { entries: (await listCapPolicyAudit(deps.pool, limit)).map(auditJson) } };
  });
}
