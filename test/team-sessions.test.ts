// Console sessions over the real API on real PostgreSQL: surviving a restart, logout and logout everywhere, throttled
// logins, and the Secure cookie and HSTS over TLS.
import { once } from 'node:events';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readToolPaths } from '../app/config.ts';
import { createAuth } from '../auth/auth.ts';
import { type AuthSettings, DEFAULT_AUTH_SETTINGS } from '../auth/settings.ts';
import { createApi } from '../http/api.ts';
import { HSTS, type HttpApp, type HttpAppOptions } from '../http/app.ts';
import { consoleCacheDir } from '../http/console-static.ts';
import { testCertificatePem, testPrivateKeyPem } from '../peers/test-certificate.ts';
import { useTestSchema } from '../testing/db.ts';
import { addTestMember, TEST_PASSWORD } from '../testing/team.ts';

const db = useTestSchema('team_sessions');
const apps: HttpApp[] = [];

beforeAll(async () => {
  await addTestMember(db().pool, 'mia', 'viewer');
  await addTestMember(db().pool, 'sam', 'viewer');
});

afterAll(async () => {
  for (const app of apps) await app.close();
});

async function startApi(
  authSettings?: AuthSettings,
  options: HttpAppOptions = {},
): Promise<{ app: HttpApp; url: string }> {
  const app = await createApi(
    {
      pool: db().pool,
      // Never dialled: no route here starts a workflow.
      temporal: new Client(),
      auth: createAuth(db().pool, authSettings ?? DEFAULT_AUTH_SETTINGS),
      console: { cacheDir: consoleCacheDir(readToolPaths().cacheDir), log: () => undefined },
    },
    { log: () => undefined, ...options },
  );
  apps.push(app);
  return { app, url: await app.listen({ port: 0, host: '127.0.0.1' }) };
}

function login(url: string, username: string, password: string): Promise<Response> {
  return fetch(`${url}/console/login`, {
    method: 'POST',
    redirect: 'manual',
    body: new URLSearchParams({ username, password }),
  });
}

async function sessionOf(url: string, username: string): Promise<string> {
  const res = await login(url, username, TEST_PASSWORD);
  expect(res.status).toBe(303);
  return res.headers.get('set-cookie')!.split(';')[0];
}

const whoIs = async (url: string, cookie: string) =>
  (await fetch(`${url}/api/admin/session`, { headers: { cookie } })).status;

describe('console sessions', () => {
  it('survive an API restart: a new app on the same database takes the cookie', async () => {
    const first = await startApi();
    const cookie = await sessionOf(first.url, 'mia');
    expect(await whoIs(first.url, cookie)).toBe(200);
    await first.app.close();
    const second = await startApi();
    expect(await whoIs(second.url, cookie)).toBe(200);
  });

  it('end one at a time with logout, and all of a member at once with logout everywhere', async () => {
    const { url } = await startApi();
    const laptop = await sessionOf(url, 'mia');
    const phone = await sessionOf(url, 'mia');
    const other = await sessionOf(url, 'sam');
    const out = await fetch(`${url}/console/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: laptop },
    });
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toMatch(/^fanfare_session=; .*Max-Age=0/);
    expect(await whoIs(url, laptop)).toBe(401);
    expect(await whoIs(url, phone)).toBe(200);

    const tablet = await sessionOf(url, 'mia');
    const everywhere = await fetch(`${url}/console/logout-everywhere`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: phone },
    });
    expect(everywhere.status).toBe(303);
    expect(await whoIs(url, phone)).toBe(401);
    expect(await whoIs(url, tablet)).toBe(401);
    // Another member's session is theirs alone.
    expect(await whoIs(url, other)).toBe(200);

    // The JSON twin, for a member's own sessions.
    const again = await sessionOf(url, 'mia');
    const res = await fetch(`${url}/api/admin/session/logout-everywhere`, {
      method: 'POST',
      headers: { cookie: again },
    });
    expect(await res.json()).toEqual({ loggedOut: 1 });
    expect(await whoIs(url, again)).toBe(401);
  });

  it('throttles wrong passwords: past the limit even the right one gets 429 until the lockout ends', async () => {
    const lockoutSeconds = 2;
    const { url } = await startApi({
      ...DEFAULT_AUTH_SETTINGS,
      loginThrottle: { perAccount: 3, perAddress: 100, windowSeconds: 60, lockoutSeconds },
    });
    await addTestMember(db().pool, 'tom', 'viewer');
    for (let i = 0; i < 3; i++) expect((await login(url, 'tom', `wrong password ${i}`)).status).toBe(401);
    const locked = await login(url, 'tom', TEST_PASSWORD);
    expect(locked.status).toBe(429);
    const wait = Number(locked.headers.get('retry-after'));
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(lockoutSeconds);
    expect(await locked.text()).toContain('too many wrong passwords');
    expect((await login(url, 'tom', TEST_PASSWORD)).status).toBe(429);
    // An unknown name is throttled the same way, so the 429 tells nothing about which names exist.
    for (let i = 0; i < 3; i++) expect((await login(url, 'nobody', 'wrong password')).status).toBe(401);
    expect((await login(url, 'nobody', 'wrong password')).status).toBe(429);

    await new Promise((resolve) => setTimeout(resolve, lockoutSeconds * 1000 + 300));
    expect((await login(url, 'tom', TEST_PASSWORD)).status).toBe(303);
  });
});

/** A request over TLS to the test certificate's server, trusting only that certificate. */
function overTls(port: number, method: string, path: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined> }>((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port, method, path, headers, ca: testCertificatePem, agent: false },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('over TLS', () => {
  it('sets a Secure cookie and sends HSTS on every answer; plain HTTP gets neither', async () => {
    let tls: https.Server | undefined;
    const { url } = await startApi(undefined, {
      alsoServe: (handler) => (tls = https.createServer({ cert: testCertificatePem, key: testPrivateKeyPem }, handler)),
    });
    const server = tls!;
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const port = (server.address() as AddressInfo).port;
      const form = { 'content-type': 'application/x-www-form-urlencoded' };
      const ok = await overTls(
        port,
        'POST',
        '/console/login',
        form,
        `username=sam&password=${encodeURIComponent(TEST_PASSWORD)}`,
      );
      expect(ok.status).toBe(303);
      const cookie = String(ok.headers['set-cookie']);
      expect(cookie).toMatch(/^fanfare_session=[\w-]{43}; .*; Secure$/);
      expect(ok.headers['strict-transport-security']).toBe(HSTS);
      // '/api/events/%' is refused before routing, where no route's hooks run.
      for (const path of ['/healthz', '/api/admin/policy', '/nowhere', '/api/events/%']) {
        const res = await overTls(port, 'GET', path, {});
        expect(res.headers['strict-transport-security'], path).toBe(HSTS);
      }
      const out = await overTls(port, 'POST', '/console/logout', { cookie: cookie.split(';')[0] });
      expect(String(out.headers['set-cookie'])).toMatch(/Max-Age=0; Secure$/);

      const plain = await login(url, 'sam', TEST_PASSWORD);
      expect(plain.headers.get('set-cookie')).not.toContain('Secure');
      expect(plain.headers.get('strict-transport-security')).toBeNull();
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

// Last: it locks out the loopback address every other test here logs in from.
describe('throttled address', () => {
  it('throttles the client address guessing across accounts: then an untouched account is refused too', async () => {
    const { url } = await startApi({
      ...DEFAULT_AUTH_SETTINGS,
      loginThrottle: { perAccount: 100, perAddress: 3, windowSeconds: 60, lockoutSeconds: 60 },
    });
    // One wrong password for each of several names, none of them near its own limit.
    const guesses = [];
    for (const name of ['ann', 'ben', 'cai', 'dev']) guesses.push((await login(url, name, 'wrong password')).status);
    expect(guesses.slice(0, 3).every((s) => s === 401 || s === 429)).toBe(true);
    expect(guesses[3]).toBe(429);
    // sam never failed, so this is the address's lockout, not the account's: the right password is refused unchecked.
    const refused = await login(url, 'sam', TEST_PASSWORD);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get('set-cookie')).toBeNull();
  });
});
