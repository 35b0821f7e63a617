// The growth team's roles over the real API on real PostgreSQL: each principal's allowed and refused routes, and the
// admin's management of members, service credentials and creator keys.
import { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readToolPaths } from '../app/config.ts';
import { createAuth } from '../auth/auth.ts';
import { DEFAULT_AUTH_SETTINGS } from '../auth/settings.ts';
import { createApi } from '../http/api.ts';
import type { HttpApp } from '../http/app.ts';
import { consoleCacheDir } from '../http/console-static.ts';
import { DEFAULT_CAP_POLICY } from '../policy/cap-policy.ts';
import { seedAudience } from '../testing/audience.ts';
import { useTestSchema } from '../testing/db.ts';
import { memberCookie, TEST_PASSWORD } from '../testing/team.ts';
import type {
  CreatorSearchAnswer,
  NewCreatorKeyAnswer,
  NewServiceCredentialAnswer,
  TeamAnswer,
} from '../wire/access.ts';
import type { ErrorAnswer } from '../wire/errors.ts';
import type { PolicyChange } from '../wire/policy.ts';

const TOKEN = 'team-access-admin-token-0123456789';
const db = useTestSchema('team_access');
let app: HttpApp;
let api: string;
let creatorId: number;
/** Request headers that prove each principal. */
const as: Record<string, Record<string, string>> = {};

beforeAll(async () => {
  ({ creatorId } = await seedAudience(db().pool, {
    fans: 1,
    noPush: [0],
    subscribe: () => {
      throw new Error('no push subscriptions in this test');
    },
  }));
  app = await createApi(
    {
      pool: db().pool,
      // Never dialled: no route here starts a workflow.
      temporal: new Client(),
      auth: createAuth(db().pool, DEFAULT_AUTH_SETTINGS),
      adminToken: TOKEN,
      console: { cacheDir: consoleCacheDir(readToolPaths().cacheDir), log: () => undefined },
    },
    { log: () => undefined },
  );
  api = await app.listen({ port: 0, host: '127.0.0.1' });
  as.viewer = { cookie: await memberCookie(db().pool, 'vera', 'viewer') };
  as.editor = { cookie: await memberCookie(db().pool, 'eddie', 'editor') };
  as.admin = { cookie: await memberCookie(db().pool, 'ada', 'admin') };
  as.env = { authorization: `Bearer ${TOKEN}` };
  const robot = await call<NewServiceCredentialAnswer>('POST', '/api/admin/service-credentials', as.env, {
    name: 'nightly-robot',
    role: 'editor',
  });
  expect(robot.status).toBe(201);
  as.robot = { authorization: `Bearer ${robot.json.token}` };
});

afterAll(async () => {
  await app?.close();
});

/** Calls the API; T is the answer's type from wire/ that the test expects. */
async function call<T = unknown>(method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const res = await fetch(`${api}${path}`, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as T };
}

describe('roles per route', () => {
  /** Representative routes: the least role that may call each, and what they answer when allowed. */
  const ROUTES = [
    { method: 'GET', path: () => '/api/admin/session', least: 'viewer', allowed: [200] },
    { method: 'GET', path: () => '/api/admin/policy', least: 'viewer', allowed: [200] },
    { method: 'GET', path: () => '/api/admin/overview?days=1', least: 'viewer', allowed: [200] },
    {
      method: 'POST',
      path: () => '/api/admin/policy/validate',
      body: DEFAULT_CAP_POLICY,
      least: 'viewer',
      allowed: [200],
    },
    { method: 'PUT', path: () => '/api/admin/policy', body: DEFAULT_CAP_POLICY, least: 'editor', allowed: [200, 201] },
    // Allowed, and refused further on: there is no model to roll back from.
    { method: 'POST', path: () => '/api/admin/models/rollback', least: 'editor', allowed: [409] },
    { method: 'GET', path: () => '/api/admin/team', least: 'admin', allowed: [200] },
    { method: 'GET', path: () => '/api/admin/service-credentials', least: 'admin', allowed: [200] },
    { method: 'GET', path: () => `/api/admin/creators/${creatorId}/keys`, least: 'admin', allowed: [200] },
    { method: 'GET', path: () => '/api/admin/creators?q=an', least: 'admin', allowed: [200] },
  ] as const;
  /** Each principal and its role: members, a service credential, and ADMIN_TOKEN's `env`. */
  const PRINCIPALS = [
    ['viewer', 'viewer'],
    ['editor', 'editor'],
    ['admin', 'admin'],
    ['robot', 'editor'],
    ['env', 'admin'],
  ] as const;
  const RANK = { viewer: 0, editor: 1, admin: 2 };

  it('lets each principal call the routes its role allows and refuses the others with 403 naming role', async () => {
    const seen: string[] = [];
    for (const route of ROUTES) {
      for (const [who, role] of PRINCIPALS) {
        const r = await call<ErrorAnswer>(
          route.method,
          route.path(),
          as[who],
          'body' in route ? route.body : undefined,
        );
        const label = `${who} ${route.method} ${route.path()}`;
        if (RANK[role] >= RANK[route.least]) {
          expect(route.allowed as readonly number[], label).toContain(r.status);
          seen.push(`${label} allowed`);
        } else {
          expect(r.status, label).toBe(403);
          const roles = Object.keys(RANK).slice(RANK[route.least]).join(' or ');
          expect(r.json.errors, label).toEqual([
            { field: 'role', rule: expect.stringMatching(`^must be ${roles} to `) },
          ]);
        }
      }
    }
    // Every principal was allowed something, and refusals happened: the table tests both sides.
    expect(seen.length).toBeGreaterThan(20);
    expect(seen.length).toBeLessThan(ROUTES.length * PRINCIPALS.length);
  });

  it('answers 401 to no principal, a forged cookie, a wrong bearer token and a creator-style key', async () => {
    for (const headers of [
      {},
      { cookie: 'fanfare_session=forged' },
      { authorization: 'Bearer wrong' },
      { authorization: `Bearer ffk_1_${'a'.repeat(43)}` },
    ] as Record<string, string>[]) {
      const r = await call<ErrorAnswer>('GET', '/api/admin/policy', headers);
      expect(r.status, JSON.stringify(headers)).toBe(401);
      expect(r.json.errors[0].field).toBe('Authorization');
    }
  });

  it("audits the session's person and the credential's name, never the X-Fanfare-Actor header", async () => {
    const looser = { ...DEFAULT_CAP_POLICY, name: 'audited' };
    const byEddie = await call<PolicyChange>(
      'PUT',
      '/api/admin/policy',
      { ...as.editor, 'x-fanfare-actor': 'ada' },
      looser,
    );
    expect(byEddie).toMatchObject({ status: 201, json: { actor: 'member:eddie' } });
    const byRobot = await call<PolicyChange>(
      'PUT',
      '/api/admin/policy',
      { ...as.robot, 'x-fanfare-actor': 'ada' },
      {
        ...looser,
        name: 'robotic',
      },
    );
    expect(byRobot).toMatchObject({ status: 201, json: { actor: 'service:nightly-robot' } });
    const byEnv = await call<PolicyChange>('PUT', '/api/admin/policy', as.env, { ...looser, name: 'bootstrap' });
    expect(byEnv).toMatchObject({ status: 201, json: { actor: 'service:env' } });
  });
});

describe('managing access (admin)', () => {
  it('adds a member, changes their role, logs them out everywhere and removes them', async () => {
    const add = (body: unknown) => call<ErrorAnswer>('POST', '/api/admin/team', as.admin, body);
    expect((await add({ username: 'Bad Name', password: 'short', role: 'owner' })).json.errors).toEqual([
      { field: 'role', rule: 'must be one of viewer, editor, admin' },
    ]);
    const weak = await add({ username: 'Bad Name', password: 'short', role: 'viewer' });
    expect(weak.status).toBe(400);
    expect(weak.json.errors.map((e) => e.field)).toEqual(['username', 'password']);
    expect((await add({ username: 'noor', password: TEST_PASSWORD, role: 'viewer' })).status).toBe(201);
    expect((await add({ username: 'noor', password: TEST_PASSWORD, role: 'viewer' })).status).toBe(409);

    const login = await fetch(`${api}/console/login`, {
      method: 'POST',
      redirect: 'manual',
      body: new URLSearchParams({ username: 'noor', password: TEST_PASSWORD }),
    });
    const noor = { cookie: login.headers.get('set-cookie')!.split(';')[0] };
    expect((await call('GET', '/api/admin/session', noor)).json).toMatchObject({ role: 'viewer' });

    expect((await call('PUT', '/api/admin/team/noor/role', as.admin, { role: 'editor' })).status).toBe(200);
    // The role is read on every request: the next one already has it.
    expect((await call('GET', '/api/admin/session', noor)).json).toMatchObject({ role: 'editor' });

    expect((await call('POST', '/api/admin/team/noor/logout', as.admin)).json).toEqual({ loggedOut: 1 });
    expect((await call('GET', '/api/admin/session', noor)).status).toBe(401);

    // Nobody removes or demotes themselves with a click.
    expect((await call<ErrorAnswer>('DELETE', '/api/admin/team/ada', as.admin)).status).toBe(409);
    expect((await call('PUT', '/api/admin/team/ada/role', as.admin, { role: 'viewer' })).status).toBe(409);
    expect((await call('DELETE', '/api/admin/team/noor', as.admin)).status).toBe(200);
    expect((await call('DELETE', '/api/admin/team/noor', as.admin)).status).toBe(404);
    const team = await call<TeamAnswer>('GET', '/api/admin/team', as.admin);
    expect(team.json.members.map((m) => [m.username, m.role])).toEqual([
      ['ada', 'admin'],
      ['eddie', 'editor'],
      ['vera', 'viewer'],
    ]);
  });

  it('creates a service credential shown once, which works with its role until revoked; "env" is taken', async () => {
    const taken = await call<ErrorAnswer>('POST', '/api/admin/service-credentials', as.admin, {
      name: 'env',
      role: 'admin',
    });
    expect(taken).toMatchObject({ status: 400, json: { errors: [{ field: 'name' }] } });
    const made = await call<NewServiceCredentialAnswer>('POST', '/api/admin/service-credentials', as.admin, {
      name: 'reader',
      role: 'viewer',
    });
    expect(made.status).toBe(201);
    expect(made.json.credential).toMatchObject({ name: 'reader', role: 'viewer', createdBy: 'member:ada' });
    const reader = { authorization: `Bearer ${made.json.token}` };
    expect((await call('GET', '/api/admin/policy', reader)).status).toBe(200);
    expect((await call('PUT', '/api/admin/policy', reader, DEFAULT_CAP_POLICY)).status).toBe(403);
    // The list never shows a secret again.
    const list = await fetch(`${api}/api/admin/service-credentials`, { headers: as.admin });
    expect(await list.text()).not.toContain(made.json.token.split('_').slice(2).join('_'));

    const revoked = await call('DELETE', `/api/admin/service-credentials/${made.json.credential.id}`, as.admin);
    expect(revoked).toMatchObject({ status: 200, json: { credential: { revokedAt: expect.any(String) } } });
    expect((await call('GET', '/api/admin/policy', reader)).status).toBe(401);
    expect((await call('DELETE', '/api/admin/service-credentials/999999', as.admin)).status).toBe(404);
  });

  it("creates a creator's key shown once, lists it without the secret, and revokes it", async () => {
    const path = `/api/admin/creators/${creatorId}/keys`;
    expect((await call<ErrorAnswer>('POST', path, as.admin, { label: ' ' })).status).toBe(400);
    expect((await call('POST', '/api/admin/creators/999999/keys', as.admin, { label: 'x' })).status).toBe(404);
    const made = await call<NewCreatorKeyAnswer>('POST', path, as.admin, { label: 'studio laptop' });
    expect(made.status).toBe(201);
    expect(made.json.token).toMatch(new RegExp(`^ffk_${made.json.key.id}_[\\w-]{43}$`));
    const list = await fetch(`${api}${path}`, { headers: as.admin });
    const text = await list.text();
    expect(text).toContain('studio laptop');
    expect(text).not.toContain(made.json.token.split('_').slice(2).join('_'));
    // A key is revoked only under its own creator.
    expect((await call('DELETE', `/api/admin/creators/999999/keys/${made.json.key.id}`, as.admin)).status).toBe(404);
    const revoked = await call('DELETE', `${path}/${made.json.key.id}`, as.admin);
    expect(revoked).toMatchObject({ status: 200, json: { key: { revokedAt: expect.any(String) } } });
  });

  it("finds creators for the console's picker by id, handle or name, with their live keys", async () => {
    const live = await call<NewCreatorKeyAnswer>('POST', `/api/admin/creators/${creatorId}/keys`, as.admin, {
      label: 'picker',
    });
    expect(live.status).toBe(201);
    const ana = { id: creatorId, handle: 'ana', liveKeys: expect.any(Number) };
    for (const q of ['', String(creatorId), 'AN', 'an']) {
      const found = await call<CreatorSearchAnswer>('GET', `/api/admin/creators?q=${q}`, as.admin);
      expect(found, q).toMatchObject({ status: 200, json: { creators: [ana] } });
      expect(found.json.creators[0].liveKeys).toBeGreaterThanOrEqual(1);
    }
    for (const q of ['zz', '999999', '99999999999999999999', '%25', '_'])
      expect((await call<CreatorSearchAnswer>('GET', `/api/admin/creators?q=${q}`, as.admin)).json.creators, q).toEqual(
        [],
      );
    const long = await call<ErrorAnswer>('GET', `/api/admin/creators?q=${'a'.repeat(201)}`, as.admin);
    expect(long).toMatchObject({ status: 400, json: { errors: [{ field: 'q' }] } });
  });
});
