// The creator API behind creators' keys, over real PostgreSQL, a Temporal dev server and the real API: anonymous and
// cross-creator requests, revoked and rotated keys, idempotency conflicts, the rate limit and the OpenAPI document.
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig, readToolPaths } from '../app/config.ts';
import { createAuth } from '../auth/auth.ts';
import { createCreatorKey } from '../auth/creator-keys.ts';
import { revokeCreatorKey } from '../db/creator-keys.ts';
import { createApi } from '../http/api.ts';
import type { HttpApp } from '../http/app.ts';
import { consoleCacheDir } from '../http/console-static.ts';
import { CONFLICT_RULE } from '../http/creator-routes.ts';
import { seedAudience } from '../testing/audience.ts';
import { creatorAuthorization } from '../testing/creator-keys.ts';
import { useTestSchema } from '../testing/db.ts';
import { freePort } from '../testing/free-port.ts';
import { useTemporalDevServer } from '../testing/temporal.ts';

const temporal = useTemporalDevServer();
const db = useTestSchema('creator_api');
/** Set through the settings, as ANNOUNCE_RATE_LIMIT would be: low enough to reach in a test. */
const LIMIT = 5;
let app: HttpApp;
let api: string;
let client: Client;
/** Three creators: ana and ben for access, cy for the rate limit; and a key of each. */
const creators: Record<'ana' | 'ben' | 'cy', { id: number; authorization: string }> = {} as never;

beforeAll(async () => {
  for (const handle of ['ana', 'ben', 'cy'] as const) {
    const { creatorId } = await seedAudience(db().pool, {
      handle,
      fans: 1,
      noPush: [0],
      subscribe: () => {
        throw new Error('no push subscriptions in this test');
      },
    });
    creators[handle] = { id: creatorId, authorization: await creatorAuthorization(db().pool, creatorId) };
  }
  const config = readConfig({ DATABASE_URL: db().connectionString, ANNOUNCE_RATE_LIMIT: String(LIMIT) });
  // No worker: an announced event's workflow is started and waits on its task queue, which is all this file needs.
  client = new Client({ connection: await Connection.connect({ address: temporal().address }) });
  app = await createApi(
    {
      pool: db().pool,
      temporal: client,
      auth: createAuth(db().pool, config.auth),
      console: { cacheDir: consoleCacheDir(readToolPaths().cacheDir), log: () => undefined },
    },
    { log: () => undefined },
  );
  api = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app?.close();
  await client?.connection.close();
});

const event = (creatorId: number, idempotencyKey: string) => ({
  creatorId,
  kind: 'post',
  title: 'New episode',
  url: 'https://creators.example/p/1',
  audience: 'all',
  idempotencyKey,
  deadline: '2099-01-01T00:00:00Z',
});

async function post(body: unknown, authorization?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization) headers.authorization = authorization;
  const res = await fetch(`${api}/api/events`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, headers: res.headers, json: await res.json() };
}

async function get(id: number | string, authorization?: string) {
  const res = await fetch(`${api}/api/events/${id}`, { headers: authorization ? { authorization } : {} });
  return { status: res.status, headers: res.headers, json: await res.json() };
}

const eventCount = async (creatorId: number) =>
  (await db().pool.query(`select count(*)::int as n from creator_events where creator_id = $1`, [creatorId])).rows[0]
    .n as number;

const UNAUTHORIZED = { errors: [{ field: 'Authorization', rule: 'must be "Bearer " and a live creator API key' }] };

describe('who may announce and read', () => {
  it('refuses anonymous and forged requests with 401 and WWW-Authenticate, before looking at the body', async () => {
    const { ana } = creators;
    const forgeries = [
      undefined,
      'Bearer',
      'Basic YWxhZGRpbjpvcGVuc2VzYW1l',
      `Bearer ffk_${ana.id}_not-the-secret`,
      'Bearer ffk_999999_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      ana.authorization.replace('Bearer ffk_', 'Bearer ffs_'),
    ];
    for (const authorization of forgeries) {
      const good = await post(event(ana.id, 'anon-1'), authorization);
      expect(good.status, authorization).toBe(401);
      expect(good.headers.get('www-authenticate')).toBe('Bearer');
      expect(good.json).toEqual(UNAUTHORIZED);
      // A body that would be a 400 is still a 401: an outsider learns nothing of the input rules.
      const bad = await post({ creatorId: 'x', title: '\u0000' }, authorization);
      expect(bad.status).toBe(401);
      expect(bad.json).toEqual(UNAUTHORIZED);
      const read = await get(1, authorization);
      expect(read.status).toBe(401);
      expect(read.json).toEqual(UNAUTHORIZED);
    }
    expect(await eventCount(ana.id)).toBe(0);
  });

  it('refuses announcing for another creator with 403, storing nothing', async () => {
    const { ana, ben } = creators;
    const res = await post(event(ben.id, 'not-yours'), ana.authorization);
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ errors: [{ field: 'creatorId', rule: "must be the API key's own creator" }] });
    expect(await eventCount(ben.id)).toBe(0);
  });

  it("answers another creator's event exactly as an event that does not exist: 404", async () => {
    const { ana, ben } = creators;
    const created = await post(event(ana.id, 'ana-1'), ana.authorization);
    expect(created.status).toBe(201);
    const id = created.json.id as number;
    const own = await get(id, ana.authorization);
    expect(own.status).toBe(200);
    expect(own.json).toMatchObject({ id, creatorId: ana.id, idempotencyKey: 'ana-1', progress: { decisions: {} } });
    const foreign = await get(id, ben.authorization);
    const missing = await get(id + 1000, ben.authorization);
    expect(foreign.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(foreign.json).toEqual({ error: `no event with id ${id}` });
    expect(missing.json).toEqual({ error: `no event with id ${id + 1000}` });
  });

  it('refuses a revoked key; after rotation the new key works and the old one does not', async () => {
    const { ben } = creators;
    const next = await createCreatorKey(db().pool, ben.id, 'rotation: next');
    const old = await createCreatorKey(db().pool, ben.id, 'rotation: old');
    expect((await post(event(ben.id, 'rotate-1'), `Bearer ${old.key}`)).status).toBe(201);
    await revokeCreatorKey(db().pool, old.record.id);
    const revoked = await post(event(ben.id, 'rotate-2'), `Bearer ${old.key}`);
    expect(revoked.status).toBe(401);
    expect(revoked.json).toEqual(UNAUTHORIZED);
    const rotated = await post(event(ben.id, 'rotate-2'), `Bearer ${next.key}`);
    expect(rotated.status).toBe(201);
    // Either live key reads the creator's events, whichever key announced them.
    expect((await get(rotated.json.id, `Bearer ${next.key}`)).status).toBe(200);
    expect((await get(rotated.json.id, `Bearer ${old.key}`)).status).toBe(401);
  });
});

describe('idempotency per creator', () => {
  it('answers a repeat with the same event, the same key with other values 409 naming each field', async () => {
    const { ana, ben } = creators;
    const first = await post(event(ana.id, 'idem-1'), ana.authorization);
    expect(first.status).toBe(201);
    // The same instant written another way is the same request.
    const repeat = await post({ ...event(ana.id, 'idem-1'), deadline: '2099-01-01T01:00:00+01:00' }, ana.authorization);
    expect(repeat.status).toBe(200);
    expect(repeat.json).toEqual(first.json);

    const changed = { ...event(ana.id, 'idem-1'), title: 'Another title', audience: 'tier>=2', deadline: null };
    const conflict = await post(changed, ana.authorization);
    expect(conflict.status).toBe(409);
    expect(conflict.json).toEqual({
      errors: [
        { field: 'title', rule: CONFLICT_RULE },
        { field: 'audience', rule: CONFLICT_RULE },
        { field: 'deadline', rule: CONFLICT_RULE },
      ],
    });
    const stored = await db().pool.query(`select title from creator_events where idempotency_key = 'idem-1'`);
    expect(stored.rows).toEqual([{ title: 'New episode' }]);

    // Another creator's use of the same key is another event.
    const other = await post({ ...event(ben.id, 'idem-1'), title: 'Ben too' }, ben.authorization);
    expect(other.status).toBe(201);
    expect(other.json.id).not.toBe(first.json.id);
  });
});

describe('rate limit', () => {
  it(`allows ${LIMIT} announcements per window per creator, then 429 with Retry-After, storing nothing`, async () => {
    const { cy, ana } = creators;
    for (let i = 0; i < LIMIT; i++) expect((await post(event(cy.id, `burst-${i}`), cy.authorization)).status).toBe(201);
    const refused = await post(event(cy.id, 'burst-over'), cy.authorization);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.json).toEqual({
      errors: [{ field: 'creatorId', rule: `must wait ${retryAfter} s: announcements are rate-limited per creator` }],
    });
    expect(await eventCount(cy.id)).toBe(LIMIT);
    // The allowance is the creator's own: another creator is unaffected.
    expect((await post(event(ana.id, 'after-burst'), ana.authorization)).status).toBe(201);
  });
});

describe('Temporal out of reach', () => {
  it('stores the event and answers 503 with Retry-After; the same request sent again starts the workflow', async () => {
    const { ben } = creators;
    // The same API and database, its Temporal client pointed at a port where nothing listens.
    const nowhere = new Client({ connection: await Connection.lazy({ address: `127.0.0.1:${await freePort()}` }) });
    const down = await createApi(
      {
        pool: db().pool,
        temporal: nowhere,
        auth: createAuth(db().pool, readConfig({}).auth),
        console: { cacheDir: consoleCacheDir(readToolPaths().cacheDir), log: () => undefined },
      },
      { log: () => undefined },
    );
    try {
      const body = event(ben.id, 'temporal-down');
      const res = await down.inject({
        method: 'POST',
        url: '/api/events',
        headers: { authorization: ben.authorization },
        payload: body,
      });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.json()).toEqual({ errors: [{ field: 'temporal', rule: 'unavailable, retry' }] });
      const stored = await db().pool.query(`select id from creator_events where idempotency_key = 'temporal-down'`);
      expect(stored.rows).toHaveLength(1);

      const retried = await post(body, ben.authorization);
      expect(retried.status).toBe(200);
      expect(retried.json.id).toBe(stored.rows[0].id);
      const started = await client.workflow.getHandle(retried.json.workflowId).describe();
      expect(started.type).toBe('announceEvent');
    } finally {
      await down.close();
      await nowhere.connection.close();
    }
  }, 30_000);
});

describe('OpenAPI', () => {
  it('declares the bearer scheme on the creator routes and their refusals', async () => {
    const doc = await (await fetch(`${api}/api/openapi.json`)).json();
    expect(doc.components.securitySchemes.creatorKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    const announce = doc.paths['/api/events'].post;
    const read = doc.paths['/api/events/{id}'].get;
    expect(announce.security).toEqual([{ creatorKey: [] }]);
    expect(read.security).toEqual([{ creatorKey: [] }]);
    expect(Object.keys(announce.responses).sort()).toEqual(['200', '201', '400', '401', '403', '409', '429', '503']);
    expect(Object.keys(read.responses).sort()).toEqual(['200', '400', '401', '404', '429']);
    const refusal = announce.responses['409'].content['application/json'].schema;
    expect(refusal.properties.errors.items.required.sort()).toEqual(['field', 'rule']);
    // The fan routes take no creator key.
    expect(doc.paths['/api/fans/me/preferences'].get.security).toBeUndefined();
  });
});
