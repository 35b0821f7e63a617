// Wrong bearer tokens over the real API on real PostgreSQL: counted per client address across every kind of token,
// then 429 for any token from that address (the right one included) until the lockout ends; other addresses and
// requests without a token unaffected; the window and the lockout expiring.
import { request } from 'node:http';
import { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig, readToolPaths } from '../app/config.ts';
import { createAuth } from '../auth/auth.ts';
import { createServiceCredential } from '../auth/service-credentials.ts';
import type { Pool } from '../db/pool.ts';
import { createApi } from '../http/api.ts';
import type { HttpApp } from '../http/app.ts';
import { consoleCacheDir } from '../http/console-static.ts';
import { seedAudience } from '../testing/audience.ts';
import { creatorAuthorization } from '../testing/creator-keys.ts';
import { useTestSchema } from '../testing/db.ts';
import type { ErrorAnswer } from '../wire/errors.ts';

const TOKEN = 'token-throttle-admin-token-0123456789';
/** As TOKEN_FAILURES_PER_ADDRESS, TOKEN_FAILURE_WINDOW_SECONDS and TOKEN_LOCKOUT_SECONDS would set them. */
const LIMIT = 3;
const WINDOW_S = 2;
const LOCKOUT_S = 4;
const db = useTestSchema('token_throttle');
let app: HttpApp;
let port: number;
/** Right tokens of each kind, as Authorization headers. */
const right: Record<'env' | 'service' | 'creator', string> = {} as never;
/** Wrong ones, each of a kind the API knows. */
const WRONG = [
  `Bearer ${TOKEN.replace('0123', '3210')}`,
  `Bearer ffs_1_${'A'.repeat(43)}`,
  `Bearer ffk_1_${'B'.repeat(43)}`,
  'Bearer garbage',
];

/** Statements on the throttle's table (rate_limits) through the pool the API's authentication uses. */
let throttleStatements = 0;
function counting(pool: Pool): Pool {
  return new Proxy(pool, {
    get(target, prop) {
      if (prop !== 'query') return Reflect.get(target, prop, target);
      return (...args: unknown[]) => {
        const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text;
        if (text?.includes('rate_limits')) throttleStatements++;
        return (target.query as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

beforeAll(async () => {
  const { creatorId } = await seedAudience(db().pool, {
    fans: 1,
    noPush: [0],
    subscribe: () => {
      throw new Error('no push subscriptions in this test');
    },
  });
  right.creator = await creatorAuthorization(db().pool, creatorId);
  const service = await createServiceCredential(db().pool, { name: 'robot', role: 'viewer', createdBy: 'test' });
  right.service = `Bearer ${service.token}`;
  right.env = `Bearer ${TOKEN}`;
  const config = readConfig({
    DATABASE_URL: db().connectionString,
    TOKEN_FAILURES_PER_ADDRESS: String(LIMIT),
    TOKEN_FAILURE_WINDOW_SECONDS: String(WINDOW_S),
    TOKEN_LOCKOUT_SECONDS: String(LOCKOUT_S),
  });
  app = await createApi(
    {
      pool: db().pool,
      // Never dialled: no route here starts a workflow.
      temporal: new Client(),
      auth: createAuth(counting(db().pool), config.auth),
      adminToken: TOKEN,
      console: { cacheDir: consoleCacheDir(readToolPaths().cacheDir), log: () => undefined },
    },
    { log: () => undefined },
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as { port: number }).port;
});

afterAll(async () => {
  await app?.close();
});

/** A route per kind of token: the team's (ADMIN_TOKEN, service credentials) and the creators'. */
const PATHS = { team: '/api/admin/overview', creator: '/api/events/999999' };

/** A GET from a given loopback address (all of 127.0.0.0/8 reaches the API), so each test is its own client. */
function get(from: string, path: string, authorization?: string) {
  return new Promise<{ status: number; retryAfter?: string; json: unknown }>((resolve, reject) => {
    const headers = authorization === undefined ? {} : { authorization };
    const req = request({ host: '127.0.0.1', port, path, headers, localAddress: from, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => {
        const retryAfter = res.headers['retry-after'];
        resolve({ status: res.statusCode ?? 0, retryAfter, json: text.startsWith('{') ? JSON.parse(text) : text });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const pathOf = (authorization: string) => (authorization.includes('ffk_') ? PATHS.creator : PATHS.team);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The right tokens' answers from an address that may use them: the overview, and an unknown event of the creator. */
async function expectAdmitted(from: string) {
  expect((await get(from, PATHS.team, right.env)).status).toBe(200);
  expect((await get(from, PATHS.team, right.service)).status).toBe(200);
  expect((await get(from, PATHS.creator, right.creator)).status).toBe(404);
}

describe('wrong bearer tokens', () => {
  it('locks an address out after N wrong tokens of any kind: 429 and Retry-After, the right one too', async () => {
    const from = '127.0.0.2';
    for (const wrong of WRONG.slice(0, LIMIT)) expect((await get(from, pathOf(wrong), wrong)).status).toBe(401);
    for (const authorization of [WRONG[3], right.env, right.service, right.creator]) {
      const res = await get(from, pathOf(authorization), authorization);
      expect(res.status, authorization).toBe(429);
      expect(Number(res.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(res.retryAfter)).toBeLessThanOrEqual(LOCKOUT_S);
      expect((res.json as ErrorAnswer).errors).toEqual([
        { field: 'Authorization', rule: expect.stringMatching(/^too many wrong bearer tokens from this address/) },
      ]);
    }
    // The console's pages behind a bearer token are locked too; without a token nothing is a guess: the usual 401.
    expect((await get(from, '/console/', right.env)).status).toBe(429);
    expect((await get(from, PATHS.team)).status).toBe(401);
    expect((await get(from, PATHS.creator)).status).toBe(401);
    // Another address is not affected.
    await expectAdmitted('127.0.0.3');
  });

  it('does not count requests without a token, nor right tokens', async () => {
    const from = '127.0.0.4';
    for (let i = 0; i < LIMIT * 3; i++) {
      expect((await get(from, PATHS.team)).status).toBe(401);
      expect((await get(from, PATHS.creator)).status).toBe(401);
    }
    for (let i = 0; i < LIMIT; i++) await expectAdmitted(from);
    for (const wrong of WRONG.slice(0, LIMIT - 1)) expect((await get(from, pathOf(wrong), wrong)).status).toBe(401);
    await expectAdmitted(from);
  });

  it('reads no counter for a right token from an address this process has not seen fail', async () => {
    const from = '127.0.0.8';
    throttleStatements = 0;
    await expectAdmitted(from);
    expect(throttleStatements).toBe(0);
    expect((await get(from, PATHS.team, WRONG[0])).status).toBe(401);
    expect(throttleStatements).toBe(1);
    // From then on, until its window or lockout could have passed, each bearer request reads the counter once.
    await expectAdmitted(from);
    expect(throttleStatements).toBe(4);
  });

  it('lets no parallel guess past the limit', async () => {
    const from = '127.0.0.5';
    const burst = await Promise.all(
      Array.from({ length: LIMIT * 4 }, (_, i) => get(from, PATHS.team, `Bearer wrong-${i}`)),
    );
    expect(burst.filter((r) => r.status === 401)).toHaveLength(LIMIT);
    expect(burst.filter((r) => r.status === 429)).toHaveLength(LIMIT * 3);
    expect((await get(from, PATHS.team, right.env)).status).toBe(429);
  });

  it('forgets wrong tokens once their window has passed', async () => {
    const from = '127.0.0.6';
    for (const wrong of WRONG.slice(0, LIMIT - 1)) expect((await get(from, pathOf(wrong), wrong)).status).toBe(401);
    await sleep(WINDOW_S * 1000 + 200);
    for (const wrong of WRONG.slice(0, LIMIT - 1)) expect((await get(from, pathOf(wrong), wrong)).status).toBe(401);
    await expectAdmitted(from);
  });

  it('admits the right token again when the lockout ends', async () => {
    const from = '127.0.0.7';
    for (const wrong of WRONG.slice(0, LIMIT)) expect((await get(from, pathOf(wrong), wrong)).status).toBe(401);
    const locked = await get(from, PATHS.team, right.env);
    expect(locked.status).toBe(429);
    // The lockout runs from the failure that reached the limit, longer than the window.
    await sleep(WINDOW_S * 1000 + 200);
    expect((await get(from, PATHS.team, right.env)).status).toBe(429);
    await sleep((LOCKOUT_S - WINDOW_S) * 1000);
    await expectAdmitted(from);
  });
});
