// The API's front door over real PostgreSQL: bad input is a 4xx, the OpenAPI document, headers, timeouts and close.
import { once } from 'node:events';
import https from 'node:https';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readToolPaths } from '../app/config.ts';
import { createAuth } from '../auth/auth.ts';
import { DEFAULT_AUTH_SETTINGS } from '../auth/settings.ts';
import { createTokenSigner } from '../delivery/tokens.ts';
import { createApi } from '../http/api.ts';
import type { HttpApp } from '../http/app.ts';
import { consoleCacheDir } from '../http/console-static.ts';
import { testCertificatePem, testPrivateKeyPem } from '../peers/test-certificate.ts';
import { type SeededAudience, seedAudience } from '../testing/audience.ts';
import { creatorAuthorization } from '../testing/creator-keys.ts';
import { useTestSchema } from '../testing/db.ts';
import { TEST_TRACKING_KEYS } from '../testing/deliveries.ts';
import { memberCookie } from '../testing/team.ts';

const TOKEN = 'front-door-admin-token-0123456789';
const db = useTestSchema('front_door');
let app: HttpApp;
let api: string;
let audience: SeededAudience;
/** The seeded creator's key: the refusals below are of input, past the login. */
let creatorKey: string;

/** Never dialled: every request here is refused before an event could be stored and its workflow started. */
const lazyTemporal = () => new Client();

beforeAll(async () => {
  audience = await seedAudience(db().pool, {
    fans: 2,
    noPush: [0, 1],
    subscribe: () => {
      throw new Error('no push subscriptions in this test');
    },
  });
  creatorKey = await creatorAuthorization(db().pool, audience.creatorId);
  app = await createApi(
    {
      pool: db().pool,
      temporal: lazyTemporal(),
      auth: createAuth(db().pool, DEFAULT_AUTH_SETTINGS),
      adminToken: TOKEN,
      fan: { trackingKeys: TEST_TRACKING_KEYS },
      console: { cacheDir: consoleCacheDir(readToolPaths().cacheDir), log: () => undefined },
    },
    { log: () => undefined },
  );
  api = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app?.close();
});

const good = () => ({
  creatorId: audience.creatorId,
  kind: 'post',
  title: 'New episode',
  url: 'https://creators.example/p/1',
  audience: 'all',
  idempotencyKey: 'front-door-1',
});
const postEvent = (body: unknown) =>
  fetch(`${api}/api/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: creatorKey },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const eventCount = async () =>
  (await db().pool.query(`select count(*)::int as n from creator_events`)).rows[0].n as number;

describe('bad input is a 4xx naming the field and rule', () => {
  it('refuses malformed percent-encoding in any path, before the login check', async () => {
    for (const path of ['/api/events/%', '/t/o/%', '/u/%', '/api/admin/fans/%', '/api/events/%zz', '/t/c/%E0%A4%A']) {
      const res = await fetch(`${api}${path}`);
      expect(res.status, path).toBe(400);
      expect(await res.json(), path).toEqual({
        errors: [{ field: '(path)', rule: 'must be validly percent-encoded' }],
      });
      // Answered before routing, where no hook runs: the security headers are set there too.
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
    }
  });

  it('refuses a NUL byte in any string field and stores nothing', async () => {
    for (const field of ['title', 'idempotencyKey', 'url'] as const) {
      const body = { ...good(), [field]: `${good()[field]}\u0000x` };
      const res = await postEvent(body);
      expect(res.status, field).toBe(400);
      expect(await res.json()).toEqual({ errors: [{ field, rule: 'must not contain a NUL character' }] });
    }
    const q = await fetch(`${api}/api/admin/fans?q=a%00b`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(q.status).toBe(400);
    expect((await q.json()).errors).toEqual([{ field: 'q', rule: 'must not contain a NUL character' }]);
    expect(await eventCount()).toBe(0);
  });

  it('refuses an unpaired surrogate in any string field, which PostgreSQL would store altered', async () => {
    const rule = 'must not contain an unpaired surrogate';
    // JSON escapes write the lone halves; JSON.stringify would escape them the same way.
    for (const [field, text] of [
      ['title', 'A\\ud800B'],
      ['idempotencyKey', 'key-\\udc00'],
      ['url', 'https://creators.example/\\udbff'],
    ] as const) {
      const res = await postEvent(JSON.stringify({ ...good(), [field]: 'x' }).replace('"x"', `"${text}"`));
      expect(res.status, field).toBe(400);
      expect(await res.json()).toEqual({ errors: [{ field, rule }] });
    }
    // A pair is one character (U+1F389) and passes; the 403 for another creator comes after the check, storing nothing.
    const paired = JSON.stringify({ ...good(), creatorId: audience.creatorId + 1, title: 'x' }).replace(
      '"x"',
      '"\\ud83c\\udf89"',
    );
    expect((await postEvent(paired)).status).toBe(403);
    expect(await eventCount()).toBe(0);
  });

  it('refuses audience tiers beyond a PostgreSQL int, however written', async () => {
    const rule = 'must be an integer from 0 to 2147483647';
    for (const minTier of ['2147483648', '1e20']) {
      const res = await postEvent(
        JSON.stringify({ ...good(), audience: 'x' }).replace('"x"', `{"rule":"tier","minTier":${minTier}}`),
      );
      expect(res.status, minTier).toBe(400);
      expect(await res.json()).toEqual({ errors: [{ field: 'audience.minTier', rule }] });
    }
    const text = await postEvent({ ...good(), audience: 'tier>=99999999999' });
    expect(await text.json()).toEqual({ errors: [{ field: 'audience', rule }] });
    const creator = await postEvent({ ...good(), creatorId: 1e20 });
    expect(await creator.json()).toEqual({ errors: [{ field: 'creatorId', rule: 'must be a positive integer' }] });
    expect(await eventCount()).toBe(0);
  });

  it('searches a fan id too long for a bigint as text instead of failing', async () => {
    const res = await fetch(`${api}/api/admin/fans?q=99999999999999999999`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ fans: [] });
  });

  it('refuses a console change whose Origin is "null" or not a URL with 403, naming Origin', async () => {
    const cookie = await memberCookie(db().pool, 'mia', 'editor');
    for (const origin of ['null', 'not a url', 'https://evil.example']) {
      const res = await fetch(`${api}/api/admin/models/rollback`, { method: 'POST', headers: { cookie, origin } });
      expect(res.status, origin).toBe(403);
      expect(await res.json()).toEqual({
        errors: [{ field: 'Origin', rule: 'must be this console for a change made with a session' }],
      });
    }
  });

  it('refuses a body over the limit with 413 and invalid JSON with 400', async () => {
    const big = await postEvent({ ...good(), title: 'x'.repeat(70 * 1024) });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ errors: [{ field: '(body)', rule: 'must be at most 65536 bytes' }] });
    for (const text of ['{"creatorId":', '{"__proto__":{"admin":true}}']) {
      const broken = await postEvent(text);
      expect(broken.status, text).toBe(400);
      expect(await broken.json()).toEqual({ errors: [{ field: '(body)', rule: 'must be valid JSON' }] });
    }
  });
});

describe('links', () => {
  it('says only "invalid link" for a forged token, whatever was wrong with it', async () => {
    const open = await fetch(`${api}/t/o/k1.abc.def`);
    expect(open.status).toBe(400);
    expect(await open.text()).toBe('invalid link\n');
    const signer = createTokenSigner(TEST_TRACKING_KEYS);
    const click = signer.sign({ purpose: 'click', decisionId: 1 });
    const prefs = await fetch(`${api}/api/fans/me/preferences?token=${click}`);
    expect(prefs.status).toBe(401);
    expect(await prefs.json()).toEqual({ errors: [{ field: 'token', rule: 'invalid link' }] });
    // Expired is a reason too: it is told to no one but the log.
    const fanId = audience.fanIds[0];
    const expired = signer.sign({ purpose: 'preferences', fanId, expiresAt: new Date(Date.now() - 1000) });
    const late = await fetch(`${api}/api/fans/me/preferences`, { headers: { authorization: `Bearer ${expired}` } });
    expect(late.status).toBe(401);
    expect(await late.json()).toEqual({ errors: [{ field: 'token', rule: 'invalid link' }] });
  });
});

describe('headers', () => {
  it('sends CSP with frame-ancestors, nosniff and a referrer policy on every HTML page', async () => {
    const signer = createTokenSigner(TEST_TRACKING_KEYS);
    const unsubscribe = signer.sign({ purpose: 'unsubscribe', fanId: audience.fanIds[0], decisionId: 1 });
    for (const path of ['/preferences?token=x', '/fan', `/u/${unsubscribe}`, '/u/forged', '/u', '/console/']) {
      const res = await fetch(`${api}${path}`);
      expect(res.headers.get('content-type'), path).toContain('text/html');
      expect(res.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toMatch(/^(no-referrer|same-origin)$/);
    }
    const page = await (await fetch(`${api}/u/${unsubscribe}`)).text();
    expect(page).toContain('<script src="/link.js"></script>');
    expect(await (await fetch(`${api}/link.js`)).text()).toContain('history.replaceState');
    expect(await (await fetch(`${api}/preferences.js`)).text()).toContain('history.replaceState');
  });
});

describe('OpenAPI', () => {
  it('publishes the creator and fan routes with their fields, generated from the route schemas', async () => {
    const res = await fetch(`${api}/api/openapi.json`);
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/events',
      '/api/events/{id}',
      '/api/fans/me/preferences',
      '/api/push/subscriptions',
      '/api/push/vapid-public-key',
    ]);
    const event = doc.paths['/api/events'].post.requestBody.content['application/json'].schema;
    expect(Object.keys(event.properties).sort()).toEqual(
      ['audience', 'creatorId', 'deadline', 'idempotencyKey', 'kind', 'title', 'url'].sort(),
    );
    expect(event.properties.kind.enum).toEqual(['post', 'live', 'announcement']);
    expect(event.required).toEqual(expect.arrayContaining(['creatorId', 'kind', 'title', 'url', 'idempotencyKey']));
    const sub = doc.paths['/api/push/subscriptions'].post.requestBody.content['application/json'].schema;
    expect(Object.keys(sub.properties.keys.properties).sort()).toEqual(['auth', 'p256dh']);
    expect(doc.paths['/api/events/{id}'].get.parameters[0]).toMatchObject({ name: 'id', in: 'path' });
  });
});

describe('server', () => {
  it('answers /healthz quickly', async () => {
    const started = performance.now();
    const res = await fetch(`${api}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, db: 'up' });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('sets header, request and keep-alive timeouts on the server', () => {
    expect(app.server.headersTimeout).toBe(5_000);
    expect(app.server.requestTimeout).toBe(10_000);
    expect(app.server.keepAliveTimeout).toBe(5_000);
  });

  it('cuts off a client that trickles its body, within seconds', async () => {
    const quick = await createApi(
      {
        pool: db().pool,
        temporal: lazyTemporal(),
        auth: createAuth(db().pool, DEFAULT_AUTH_SETTINGS),
        console: { cacheDir: consoleCacheDir(readToolPaths().cacheDir) },
      },
      { timeouts: { headersMs: 1_000, requestMs: 1_500, checkEveryMs: 250 }, log: () => undefined },
    );
    await quick.listen({ port: 0, host: '127.0.0.1' });
    try {
      const { port } = quick.server.address() as { port: number };
      const socket = connect(port, '127.0.0.1');
      const started = performance.now();
      socket.write(
        'POST /api/events HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n' +
          `authorization: ${creatorKey}\r\n\r\n`,
      );
      const timer = setInterval(() => socket.writable && socket.write(' '), 200);
      const answer = await closed(socket);
      clearInterval(timer);
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(answer).toMatch(/^HTTP\/1\.1 408|^$/);
    } finally {
      await quick.close();
    }
    expect(await eventCount()).toBe(0);
  });

  it("gives a second listener (the dev stack's TLS one) the same limits: a trickling client is cut off", async () => {
    let tlsServer: https.Server | undefined;
    const quick = await createApi(
      {
        pool: db().pool,
        temporal: lazyTemporal(),
        auth: createAuth(db().pool, DEFAULT_AUTH_SETTINGS),
        console: { cacheDir: consoleCacheDir(readToolPaths().cacheDir) },
      },
      {
        timeouts: { headersMs: 1_000, requestMs: 1_500, checkEveryMs: 250, keepAliveMs: 700 },
        log: () => undefined,
        alsoServe: (handler, { keepAliveTimeout, ...limits }) => {
          tlsServer = https.createServer({ cert: testCertificatePem, key: testPrivateKeyPem, ...limits }, handler);
          tlsServer.keepAliveTimeout = keepAliveTimeout;
        },
      },
    );
    await quick.listen({ port: 0, host: '127.0.0.1' });
    const server = tlsServer!;
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      expect([server.headersTimeout, server.requestTimeout, server.keepAliveTimeout]).toEqual([1_000, 1_500, 700]);
      const { port } = server.address() as AddressInfo;
      const socket = tlsConnect({ port, host: '127.0.0.1', ca: testCertificatePem, servername: 'localhost' });
      await once(socket, 'secureConnect');
      const started = performance.now();
      socket.write(
        'POST /api/events HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n' +
          `authorization: ${creatorKey}\r\n\r\n`,
      );
      const timer = setInterval(() => socket.writable && socket.write(' '), 200);
      const answer = await closed(socket);
      clearInterval(timer);
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(answer).toMatch(/^HTTP\/1\.1 408|^$/);
    } finally {
      server.closeAllConnections();
      server.close();
      await quick.close();
    }
    expect(await eventCount()).toBe(0);
  });

  it('closes at once though a keep-alive client stays connected', async () => {
    const other = await createApi(
      {
        pool: db().pool,
        temporal: lazyTemporal(),
        auth: createAuth(db().pool, DEFAULT_AUTH_SETTINGS),
        console: { cacheDir: consoleCacheDir(readToolPaths().cacheDir) },
      },
      { log: () => undefined },
    );
    await other.listen({ port: 0, host: '127.0.0.1' });
    const { port } = other.server.address() as { port: number };
    const socket = connect(port, '127.0.0.1');
    socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: keep-alive\r\n\r\n');
    await new Promise((resolve) => socket.once('data', resolve));
    const started = performance.now();
    await other.close();
    expect(performance.now() - started).toBeLessThan(1_000);
    await closed(socket);
  });
});

/** Everything the server sent until it closed the connection. */
function closed(socket: Socket): Promise<string> {
  let text = '';
  socket.on('data', (d) => {
    text += d.toString();
  });
  return new Promise((resolve) => {
    socket.on('close', () => resolve(text));
    socket.on('error', () => undefined);
  });
}

describe('routing', () => {
  it('answers 405 for a known path under another method and 404 for an unknown path', async () => {
    const wrong = await fetch(`${api}/api/events`, { method: 'PUT' });
    expect(wrong.status).toBe(405);
    expect(await wrong.json()).toEqual({ error: 'method not allowed' });
    const unknown = await fetch(`${api}/api/nothing-here`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'not found' });
  });
});
