// The admin API over HTTP on real PostgreSQL: bearer token, policy read, validation, a refused edit, an audited edit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPolicyLoader } from '../activities/policy-loader.ts';
import { createAuth } from '../auth/auth.ts';
import { DEFAULT_AUTH_SETTINGS } from '../auth/settings.ts';
import { createTeamGate } from '../http/admin-auth.ts';
import { registerAdminRoutes } from '../http/admin-routes.ts';
import { createHttpApp, type HttpApp } from '../http/app.ts';
import { DEFAULT_CAP_POLICY } from '../policy/cap-policy.ts';
import { runConsoleReplay } from '../replay/console.ts';
import { useTestSchema } from '../testing/db.ts';
import { memberCookie } from '../testing/team.ts';
import type { ErrorAnswer } from '../wire/errors.ts';
import type { PolicyAuditAnswer, PolicyChange } from '../wire/policy.ts';
import type { ReplayAnswer } from '../wire/replay.ts';

const TOKEN = 'test-admin-token-0123456789abcdef';
const db = useTestSchema('admin_policy');
let app: HttpApp;
let api: string;

const gate = (adminToken: string | undefined) =>
  createTeamGate(createAuth(db().pool, DEFAULT_AUTH_SETTINGS), adminToken);

beforeAll(async () => {
  app = await createHttpApp();
  registerAdminRoutes(app, { pool: db().pool, gate: gate(TOKEN), simulate: runConsoleReplay });
  api = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app?.close();
});

/** Calls the admin API; T is the answer's type from wire/ that the test expects of this call. */
async function call<T = unknown>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` },
) {
  const res = await fetch(`${api}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as T };
}

describe('admin API', () => {
  it('answers 401 on every route without the right bearer token', async () => {
    const routes: [string, string][] = [
      ['GET', '/api/admin/policy'],
      ['PUT', '/api/admin/policy'],
      ['GET', '/api/admin/policy/audit'],
      ['POST', '/api/admin/policy/validate'],
      ['POST', '/api/admin/simulate'],
    ];
    for (const [method, path] of routes) {
      for (const headers of [
        {},
        { authorization: 'Bearer wrong-token' },
        { authorization: `Basic ${TOKEN}` },
      ] as Record<string, string>[]) {
        const r = await call<ErrorAnswer>(method, path, method === 'GET' ? undefined : DEFAULT_CAP_POLICY, headers);
        expect(r.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(401);
        expect(r.json.errors[0].field).toBe('Authorization');
      }
    }
    expect(await db().pool.query(`select count(*)::int as n from cap_policies`)).toMatchObject({ rows: [{ n: 0 }] });
  });

  it('takes no bearer token but service credentials when no ADMIN_TOKEN is configured', async () => {
    const closed = await createHttpApp();
    registerAdminRoutes(closed, { pool: db().pool, gate: gate(undefined) });
    const base = await closed.listen({ port: 0, host: '127.0.0.1' });
    const answers = [];
    for (const token of ['anything', TOKEN]) {
      const res = await fetch(`${base}/api/admin/policy`, { headers: { authorization: `Bearer ${token}` } });
      answers.push({ status: res.status, field: ((await res.json()) as ErrorAnswer).errors[0].field });
    }
    await closed.close();
    expect(answers).toEqual([
      { status: 401, field: 'Authorization' },
      { status: 401, field: 'Authorization' },
    ]);
  });

  it('shows the built-in default until a policy is stored', async () => {
    const r = await call('GET', '/api/admin/policy');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ version: null, source: 'default', document: DEFAULT_CAP_POLICY });
  });

  it('validates without storing, naming each field and rule', async () => {
    const bad = {
      ...DEFAULT_CAP_POLICY,
      rules: [{ type: 'cap', name: 'push_per_day', channel: 'push', limit: 3, window: 'a day' }],
    };
    const r = await call('POST', '/api/admin/policy/validate', bad);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      valid: false,
      errors: [{ field: 'rules[0].window', rule: 'must be a duration such as "24h"' }],
    });
    expect((await call('POST', '/api/admin/policy/validate', DEFAULT_CAP_POLICY)).json).toEqual({
      valid: true,
      errors: [],
    });
  });

  it('stores a valid edit as a new version (who, when, the diff), in force for the next decision batch', async () => {
    const loader = createPolicyLoader(db().pool);
    expect((await loader.current()).version).toBeNull();
    // The audit names the session's person; a typed-in X-Fanfare-Actor is not believed.
    const put = await call<PolicyChange>('PUT', '/api/admin/policy', DEFAULT_CAP_POLICY, {
      cookie: await memberCookie(db().pool, 'mia', 'editor'),
      'x-fanfare-actor': 'noah',
    });
    expect(put.status).toBe(201);
    expect(put.json).toMatchObject({ changed: true, actor: 'member:mia' });
    const looser = {
      ...DEFAULT_CAP_POLICY,
      name: 'looser',
      rules: DEFAULT_CAP_POLICY.rules.map((r) => (r.name === 'push_per_day' ? { ...r, limit: 5 } : r)),
    };
    const second = await call<PolicyChange>('PUT', '/api/admin/policy', looser, {
      cookie: await memberCookie(db().pool, 'noah', 'admin'),
      'x-fanfare-actor': 'mia',
    });
    expect(second.status).toBe(201);
    expect(second.json.diff).toEqual([
      { path: 'name', op: 'change', from: 'default', to: 'looser' },
      { path: 'rules[push_per_day].limit', op: 'change', from: 3, to: 5 },
    ]);
    expect(await loader.current()).toMatchObject({ version: second.json.version, policy: { name: 'looser' } });

    const same = await call('PUT', '/api/admin/policy', looser);
    expect(same).toMatchObject({ status: 200, json: { changed: false, version: second.json.version } });

    const audit = await call<PolicyAuditAnswer>('GET', '/api/admin/policy/audit');
    expect(audit.status).toBe(200);
    expect(audit.json.entries.map((e) => [e.version, e.actor, e.action])).toEqual([
      [second.json.version, 'member:noah', 'activate'],
      [put.json.version, 'member:mia', 'activate'],
    ]);
    expect(audit.json.entries[0].diff).toEqual(second.json.diff);
    expect(Date.parse(audit.json.entries[0].at)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('refuses an invalid edit with 400 and every error, and the active version stays in force', async () => {
    const before = await call('GET', '/api/admin/policy');
    const bad = { ...DEFAULT_CAP_POLICY, valueAware: 'yes', digest: { topK: 0, minScore: 0.02, weeklyOn: 1 } };
    const r = await call<ErrorAnswer>('PUT', '/api/admin/policy', bad);
    expect(r.status).toBe(400);
    expect(r.json.errors).toEqual(
      expect.arrayContaining([
        { field: 'digest.topK', rule: 'must be an integer from 1 to 50' },
        { field: 'valueAware', rule: 'must be true or false' },
      ]),
    );
    const notJson = await fetch(`${api}/api/admin/policy`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: '{nope',
    });
    expect(notJson.status).toBe(400);
    const after = await call('GET', '/api/admin/policy');
    expect(after.json).toEqual(before.json);
    expect((await call<PolicyAuditAnswer>('GET', '/api/admin/policy/audit')).json.entries).toHaveLength(2);
    expect((await call<ErrorAnswer>('GET', '/api/admin/policy/audit?limit=0')).json.errors).toEqual([
      { field: 'limit', rule: 'must be an integer from 1 to 500' },
    ]);
  });

  it('replays a policy for the console on a bounded world, and refuses a bad request naming each field', async () => {
    const bad = await call<ErrorAnswer>('POST', '/api/admin/simulate', {
      policy: { ...DEFAULT_CAP_POLICY, valueAware: 1 },
      days: 30,
      world: { fans: 1_000_000, colour: 'red' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.errors).toEqual([
      { field: 'policy.valueAware', rule: 'must be true or false' },
      { field: 'days', rule: 'must be an integer from 1 to 14' },
      { field: 'world.colour', rule: 'is not a known field' },
      { field: 'world.fans', rule: 'must be an integer from 50 to 1000' },
    ]);
    const r = await call<ReplayAnswer>('POST', '/api/admin/simulate', {
      policy: DEFAULT_CAP_POLICY,
      days: 3,
      world: { seed: 4, fans: 150, creators: 6 },
    });
    expect(r.status).toBe(200);
    expect(r.json.outcomes.map((o) => o.policy)).toEqual(['send_everything_now', 'caps_only_fcfs', 'policy']);
    expect(r.json.outcomes.map((o) => o.violations)).toEqual([0, 0, 0]);
    expect(r.json.scorer).toMatch(/^model trained on 14 days/);
    expect(r.json.table).toContain('| default |');
  });
});
