// Tests members, passwords, sessions and login throttling on a real PostgreSQL.
import { describe, expect, it } from 'vitest';
import { createPool } from '../db/pool.ts';
import { DuplicateUsernameError, removeMember, setMemberRole } from '../db/team.ts';
import { useTestSchema } from '../testing/db.ts';
import { checkPassword, hashPassword, verifyPassword } from './passwords.ts';
import { DEFAULT_AUTH_SETTINGS } from './settings.ts';
import { addMember, type LoginDeps, login, logout, logoutEverywhere, sessionFromToken } from './team.ts';
import { counterKey, createLoginThrottle } from './throttle.ts';

const PASSWORD = 'correct horse battery';

describe('passwords', () => {
  it('hashes with argon2id and a fresh salt, and verifies only the right password', async () => {
    const a = await hashPassword(PASSWORD);
    const b = await hashPassword(PASSWORD);
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword(a, PASSWORD)).toBe(true);
    expect(await verifyPassword(a, `${PASSWORD}!`)).toBe(false);
    expect(await verifyPassword('not a hash', PASSWORD)).toBe(false);
  });

  it('names the rule a new password breaks', () => {
    expect(checkPassword(PASSWORD)).toEqual([]);
    expect(checkPassword('short')).toEqual([{ field: 'password', rule: 'must be at least 12 characters' }]);
    expect(checkPassword('x'.repeat(257))[0].rule).toBe('must be at most 256 characters');
    expect(checkPassword('twelve chars\u0000!')[0].rule).toBe('must contain no control characters');
  });
});

describe('team members and sessions', () => {
  const db = useTestSchema('team_auth');
  const throttleSettings = { perAccount: 3, perAddress: 5, windowSeconds: 600, lockoutSeconds: 300 };
  const deps = (): LoginDeps => ({
    pool: db().pool,
    throttle: createLoginThrottle(db().pool, throttleSettings),
    sessionLifetimeMs: DEFAULT_AUTH_SETTINGS.sessionLifetimeMs,
  });

  async function member(username: string, role: 'viewer' | 'editor' | 'admin' = 'editor') {
    const added = await addMember(db().pool, { username, password: PASSWORD, role });
    if (!added.ok) throw new Error(JSON.stringify(added.errors));
    return added.member;
  }

  it('adds a member with a hashed password, refusing bad names, weak passwords and a taken name', async () => {
    const ana = await member('ana');
    const row = await db().pool.query(`select password_hash from team_members where id = $1`, [ana.id]);
    expect(row.rows[0].password_hash).toMatch(/^\$argon2id\$/);
    expect(row.rows[0].password_hash).not.toContain(PASSWORD);
    const bad = await addMember(db().pool, { username: 'Ana Smith', password: 'short', role: 'viewer' });
    expect(bad.ok ? [] : bad.errors.map((e) => e.field)).toEqual(['username', 'password']);
    await expect(member('ana')).rejects.toBeInstanceOf(DuplicateUsernameError);
  });

  it('logs in with the right password into a session that a new pool finds (an API restart)', async () => {
    await member('ben', 'viewer');
    const result = await login(deps(), 'ben', PASSWORD, '10.0.0.1');
    if (result.outcome !== 'session') throw new Error(`expected a session, got ${result.outcome}`);
    expect(result.principal).toMatchObject({ kind: 'member', username: 'ben', role: 'viewer' });
    expect(result.expiresAt.getTime() - Date.now()).toBeGreaterThan(11 * 3_600_000);
    const stored = await db().pool.query(`select * from sessions where id = $1`, [result.principal.sessionId]);
    expect(JSON.stringify(stored.rows[0])).not.toContain(result.token);

    const restarted = createPool(db().connectionString, 1);
    try {
      expect(await sessionFromToken(restarted, result.token)).toEqual(result.principal);
    } finally {
      await restarted.end();
    }
    // Another last character (a token may already end in 'A').
    const altered = `${result.token.slice(0, -1)}${result.token.endsWith('A') ? 'B' : 'A'}`;
    expect(await sessionFromToken(db().pool, altered)).toBeNull();
    expect(await sessionFromToken(db().pool, 'short')).toBeNull();
  });

  it('ends a session at logout, at expiry, on removal; a role change shows on the next request', async () => {
    await member('cy', 'viewer');
    const open = async () => {
      const r = await login(deps(), 'cy', PASSWORD, '10.0.0.2');
      if (r.outcome !== 'session') throw new Error(r.outcome);
      return r;
    };
    const a = await open();
    expect(await logout(db().pool, a.token)).toBe(true);
    expect(await sessionFromToken(db().pool, a.token)).toBeNull();
    expect(await logout(db().pool, a.token)).toBe(false);

    const b = await open();
    await db().pool.query(
      `update sessions set expires_at = now() - interval '1 second', created_at = now() - interval '1 hour'
                            where id = $1`,
      [b.principal.sessionId],
    );
    expect(await sessionFromToken(db().pool, b.token)).toBeNull();

    const c = await open();
    await setMemberRole(db().pool, 'cy', 'admin');
    expect((await sessionFromToken(db().pool, c.token))?.role).toBe('admin');
    await removeMember(db().pool, 'cy');
    expect(await sessionFromToken(db().pool, c.token)).toBeNull();
    expect((await login(deps(), 'cy', PASSWORD, '10.0.0.2')).outcome).toBe('wrong');
  });

  it('logs a member out everywhere, leaving other members logged in', async () => {
    const dee = await member('dee');
    await member('eve');
    const sessions = [];
    for (const [who, address] of [
      ['dee', '10.0.1.1'],
      ['dee', '10.0.1.2'],
      ['eve', '10.0.1.3'],
    ]) {
      const r = await login(deps(), who, PASSWORD, address);
      if (r.outcome !== 'session') throw new Error(r.outcome);
      sessions.push(r.token);
    }
    expect(await logoutEverywhere(db().pool, dee.id)).toBe(2);
    expect(await sessionFromToken(db().pool, sessions[0])).toBeNull();
    expect(await sessionFromToken(db().pool, sessions[1])).toBeNull();
    expect(await sessionFromToken(db().pool, sessions[2])).toMatchObject({ username: 'eve' });
  });

  it('throttles an account after N wrong passwords, refusing the right one too, from any address', async () => {
    await member('fay');
    const d = deps();
    for (let i = 0; i < 3; i++) expect((await login(d, 'fay', 'wrong password!', `10.0.2.${i}`)).outcome).toBe('wrong');
    const refused = await login(d, 'fay', PASSWORD, '10.0.2.99');
    expect(refused).toEqual({ outcome: 'throttled', retryAfterSeconds: expect.any(Number) });
    if (refused.outcome === 'throttled') {
      expect(refused.retryAfterSeconds).toBeGreaterThan(290);
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(300);
    }
    // Another member, from an address that has not failed, is not affected.
    await member('gus');
    expect((await login(d, 'gus', PASSWORD, '10.0.2.100')).outcome).toBe('session');
    // The lockout ends: the counters live in rate_limits, expiring at epoch milliseconds.
    await db().pool.query(`update rate_limits set expire = $1 where key = 'login-account:fay'`, [Date.now() - 1]);
    expect((await login(d, 'fay', PASSWORD, '10.0.2.99')).outcome).toBe('session');
  });

  it('counts parallel guesses before checking them, so a burst gets no more than N', async () => {
    await member('kim');
    const d = deps();
    const burst = await Promise.all(
      Array.from({ length: 8 }, (_, i) => login(d, 'kim', 'wrong password!', `203.0.113.${i}`)),
    );
    expect(burst.filter((r) => r.outcome === 'wrong')).toHaveLength(3);
    expect(burst.filter((r) => r.outcome === 'throttled')).toHaveLength(5);
  });

  it('clears the count of an account on a right password, so old mistakes do not add up', async () => {
    await member('hal');
    const d = deps();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 2; i++)
        expect((await login(d, 'hal', 'wrong password!', `10.0.3.${round}`)).outcome).toBe('wrong');
      expect((await login(d, 'hal', PASSWORD, `10.0.3.${round}`)).outcome).toBe('session');
    }
  });

  it('answers wrong, never failing, for names and passwords no account can have', async () => {
    await member('jan');
    const d = deps();
    const odd = ['x'.repeat(1000), 'ja\u0000n', 'JAN', '', '\u00e9'.repeat(300)];
    for (const name of odd) expect((await login(d, name, PASSWORD, '198.51.100.1')).outcome).toBe('wrong');
    expect(
      (await login(d, 'jan', `${PASSWORD}${'!'.repeat(300)}`, `198.51.100.2\u0000${'x'.repeat(300)}`)).outcome,
    ).toBe('wrong');
    expect(counterKey('jan')).toBe('jan');
    expect(counterKey('x'.repeat(101))).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(counterKey('a\u0000b')).not.toContain('\u0000');
  });

  it('throttles an address that guesses across many accounts, unknown names included', async () => {
    await member('ivy');
    const d = deps();
    const names = ['ivy', 'nobody-1', 'nobody-2', 'nobody-3', 'nobody-4'];
    for (const name of names) expect((await login(d, name, 'wrong password!', '192.0.2.7')).outcome).toBe('wrong');
    expect((await login(d, 'ivy', PASSWORD, '192.0.2.7')).outcome).toBe('throttled');
    expect((await login(d, 'ivy', PASSWORD, '192.0.2.8')).outcome).toBe('session');
  });
});
