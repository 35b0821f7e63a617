// Tests the key and admin login `fanfare dev` makes each run, on a real PostgreSQL.
import { describe, expect, it } from 'vitest';
import { authenticateCreatorKey } from '../auth/creator-keys.ts';
import { DEFAULT_AUTH_SETTINGS } from '../auth/settings.ts';
import { login } from '../auth/team.ts';
import { createLoginThrottle } from '../auth/throttle.ts';
import { listMembers } from '../db/team.ts';
import { useTestSchema } from '../testing/db.ts';
import { ensureDevPrincipals } from './principals.ts';

describe('ensureDevPrincipals', () => {
  const db = useTestSchema('dev_principals');

  it("makes a working key and admin each run, revoking the last run's key and password", async () => {
    const r = await db().pool.query(`insert into creators (handle, display_name) values ('ana', 'Ana') returning id`);
    const creatorId = r.rows[0].id;
    const deps = {
      pool: db().pool,
      throttle: createLoginThrottle(db().pool, DEFAULT_AUTH_SETTINGS.loginThrottle),
      sessionLifetimeMs: 60_000,
    };
    const first = await ensureDevPrincipals(db().pool, creatorId);
    expect(await authenticateCreatorKey(db().pool, first.creatorKey)).toMatchObject({ creatorId });
    expect((await login(deps, 'admin', first.admin.password, '127.0.0.1')).outcome).toBe('session');

    const second = await ensureDevPrincipals(db().pool, creatorId);
    expect(await authenticateCreatorKey(db().pool, first.creatorKey)).toBeNull();
    expect(await authenticateCreatorKey(db().pool, second.creatorKey)).toMatchObject({ creatorId });
    expect((await login(deps, 'admin', first.admin.password, '127.0.0.1')).outcome).toBe('wrong');
    expect((await login(deps, 'admin', second.admin.password, '127.0.0.1')).outcome).toBe('session');
    expect((await listMembers(db().pool)).map((m) => [m.username, m.role])).toEqual([['admin', 'admin']]);
  });
});
