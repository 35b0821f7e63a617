// Tests the per-request calls the HTTP layer makes, on a real PostgreSQL, and the session cookie's attributes.
import { describe, expect, it } from 'vitest';
import { useTestSchema } from '../testing/db.ts';
import { clearedSessionCookie, cookieValue, createAuth, SESSION_COOKIE, sessionCookie } from './auth.ts';
import { createCreatorKey } from './creator-keys.ts';
import { createServiceCredential } from './service-credentials.ts';
import { DEFAULT_AUTH_SETTINGS } from './settings.ts';
import { addMember } from './team.ts';

const PASSWORD = 'correct horse battery';

describe('createAuth', () => {
  const db = useTestSchema('auth_requests');
  const auth = () =>
    createAuth(db().pool, { ...DEFAULT_AUTH_SETTINGS, announceRate: { points: 1, windowSeconds: 60 } });

  it('knows a creator by its key, and no one without one', async () => {
    const r = await db().pool.query(`insert into creators (handle, display_name) values ('ana', 'Ana') returning id`);
    const { key, record } = await createCreatorKey(db().pool, r.rows[0].id, 'main');
    expect(await auth().creator({ authorization: `Bearer ${key}` })).toEqual({
      kind: 'creator',
      creatorId: r.rows[0].id,
      keyId: record.id,
    });
    expect(await auth().creator({})).toBeNull();
    expect(await auth().creator({ authorization: key })).toBeNull();
    expect(await auth().team({ authorization: `Bearer ${key}` })).toBeNull();
  });

  it('knows a team member by session cookie and a service by bearer token, never falling back', async () => {
    await addMember(db().pool, { username: 'ben', password: PASSWORD, role: 'viewer' });
    const a = auth();
    const result = await a.login('ben', PASSWORD, '10.1.0.1');
    if (result.outcome !== 'session') throw new Error(result.outcome);
    const cookie = `theme=dark; ${SESSION_COOKIE}=${result.token}`;
    expect(await a.team({ cookie })).toMatchObject({ kind: 'member', username: 'ben', role: 'viewer' });

    const { token } = await createServiceCredential(db().pool, { name: 'bot', role: 'editor', createdBy: 'test' });
    expect(await a.team({ authorization: `Bearer ${token}` })).toMatchObject({ kind: 'service', name: 'bot' });
    expect(await a.team({ authorization: 'Bearer wrong', cookie })).toBeNull();
    expect(await a.team({})).toBeNull();

    await a.logout({ cookie });
    expect(await a.team({ cookie })).toBeNull();
  });

  it('hands out the announce allowance per creator', async () => {
    const a = auth();
    expect(await a.announce(41)).toEqual({ allowed: true, remaining: 0 });
    expect(await a.announce(41)).toMatchObject({ allowed: false, retryAfterSeconds: expect.any(Number) });
  });
});

describe('the session cookie', () => {
  it('is HttpOnly, SameSite=Strict, for the whole site, Secure over TLS, and ends with the session', () => {
    const expires = new Date(Date.now() + 3600_000);
    const plain = sessionCookie('tok', expires, { secure: false });
    expect(plain).toMatch(/^fanfare_session=tok; Path=\/; HttpOnly; SameSite=Strict; Max-Age=(3599|3600)$/);
    expect(sessionCookie('tok', expires, { secure: true })).toMatch(/; Secure$/);
    expect(clearedSessionCookie({ secure: true })).toBe(
      'fanfare_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure',
    );
  });

  it('is read from a Cookie header among others', () => {
    expect(cookieValue('a=1; fanfare_session=x=y; b=2', SESSION_COOKIE)).toBe('x=y');
    expect(cookieValue('fanfare_sessionx=1', SESSION_COOKIE)).toBeUndefined();
    expect(cookieValue(undefined, SESSION_COOKIE)).toBeUndefined();
  });
});
