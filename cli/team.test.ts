// Tests `fanfare team` end to end on a real PostgreSQL: members, roles, passwords from stdin, service credentials.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { authenticateServiceCredential } from '../auth/service-credentials.ts';
import { DEFAULT_AUTH_SETTINGS } from '../auth/settings.ts';
import { login, sessionFromToken } from '../auth/team.ts';
import { createLoginThrottle } from '../auth/throttle.ts';
import { useTestSchema } from '../testing/db.ts';
import { parseAddArgs, parseRoleArgs, parseTokenCreateArgs } from './team.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'fanfare.js');
const PASSWORD = 'a long enough passphrase';

describe('fanfare team', () => {
  const db = useTestSchema('team_cli');
  const fanfare = (args: string[], input = '') =>
    spawnSync(process.execPath, [BIN, 'team', ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: db().connectionString },
      encoding: 'utf8',
      input,
    });
  const loginAs = (username: string, password = PASSWORD) =>
    login(
      {
        pool: db().pool,
        throttle: createLoginThrottle(db().pool, DEFAULT_AUTH_SETTINGS.loginThrottle),
        sessionLifetimeMs: 60_000,
      },
      username,
      password,
      '127.0.0.1',
    );

  it('parses its arguments and names a bad one', () => {
    expect(parseAddArgs(['ana', '--role', 'admin', '--password-stdin'])).toEqual({
      username: 'ana',
      role: 'admin',
      passwordStdin: true,
    });
    expect(() => parseAddArgs(['ana'])).toThrow('--role: is required (viewer, editor, admin)');
    expect(() => parseAddArgs(['ana', '--role', 'owner'])).toThrow(
      '--role: must be one of viewer, editor, admin, got "owner"',
    );
    expect(() => parseAddArgs(['ana', PASSWORD, '--role', 'admin'])).toThrow(`unexpected argument "${PASSWORD}"`);
    expect(parseRoleArgs(['ana', 'viewer'])).toEqual({ username: 'ana', role: 'viewer' });
    expect(() => parseRoleArgs(['ana', 'root'])).toThrow('ROLE: must be one of viewer, editor, admin, got "root"');
    expect(parseTokenCreateArgs(['ci-bot', '--role', 'viewer'], 'cli:me')).toEqual({
      name: 'ci-bot',
      role: 'viewer',
      actor: 'cli:me',
    });
    expect(() => parseTokenCreateArgs(['CI Bot', '--role', 'viewer'], 'cli:me')).toThrow(/^NAME: must be 1 to 64/);
  });

  it('adds a member from a password on stdin, who then logs in; refuses weak passwords and no terminal', async () => {
    const added = fanfare(['add', 'ana', '--role', 'editor', '--password-stdin'], `${PASSWORD}\n`);
    expect(added).toMatchObject({ status: 0, stdout: 'ana added as editor\n' });
    expect((await loginAs('ana')).outcome).toBe('session');

    const weak = fanfare(['add', 'ben', '--role', 'viewer', '--password-stdin'], 'short\n');
    expect(weak.status).toBe(1);
    expect(weak.stderr).toContain('password: must be at least 12 characters');
    const noTerminal = fanfare(['add', 'ben', '--role', 'viewer']);
    expect(noTerminal.status).toBe(1);
    expect(noTerminal.stderr).toContain('no terminal to prompt on; pipe it in with --password-stdin');
    const taken = fanfare(['add', 'ana', '--role', 'viewer', '--password-stdin'], PASSWORD);
    expect(taken).toMatchObject({ status: 1, stderr: expect.stringContaining('"ana" is already a team member') });
  });

  it('lists, changes roles and passwords, logs out everywhere and removes members', async () => {
    fanfare(['add', 'cy', '--role', 'viewer', '--password-stdin'], PASSWORD);
    expect(fanfare(['role', 'cy', 'admin']).stdout).toBe('cy is now admin\n');
    expect(fanfare(['list']).stdout).toMatch(/^username +role +since\n(.*\n)*cy +admin +\S+Z$/m);

    const session = await loginAs('cy');
    if (session.outcome !== 'session') throw new Error(session.outcome);
    expect(fanfare(['logout', 'cy']).stdout).toBe('cy: 1 session(s) ended\n');
    expect(await sessionFromToken(db().pool, session.token)).toBeNull();

    const newPassword = 'another long passphrase';
    expect(fanfare(['password', 'cy', '--password-stdin'], `${newPassword}\r\n`).status).toBe(0);
    expect((await loginAs('cy')).outcome).toBe('wrong');
    expect((await loginAs('cy', newPassword)).outcome).toBe('session');

    expect(fanfare(['remove', 'cy']).stdout).toBe('cy removed; their sessions are ended\n');
    expect(fanfare(['list']).stdout).not.toMatch(/^cy /m);
    expect(fanfare(['remove', 'cy'])).toMatchObject({ status: 1, stderr: expect.stringContaining('no member "cy"') });
    // Each change is in the audit log, by the OS user who ran the command.
    const audit = await db().pool.query(
      `select action, subject, detail from audit_log where kind = 'team' and subject = 'cy' order by id`,
    );
    expect(audit.rows.map((r) => r.action)).toEqual(['add', 'role', 'remove']);
    expect(audit.rows[1].detail).toEqual({ role: 'admin' });
    const actors = await db().pool.query(`select distinct actor from audit_log where subject = 'cy'`);
    expect(actors.rows.map((r) => r.actor)).toEqual([expect.stringMatching(/^cli(:|$)/)]);
  });

  it('creates a service credential printed once, lists and revokes it', async () => {
    const created = fanfare(['token', 'create', 'nightly', '--role', 'viewer', '--actor', 'member:ana']);
    expect(created.status).toBe(0);
    expect(created.stdout).toMatch(/^ffs_\d+_[A-Za-z0-9_-]{43}\n$/);
    const token = created.stdout.trim();
    expect(await authenticateServiceCredential(db().pool, token)).toMatchObject({ name: 'nightly', role: 'viewer' });
    const id = token.split('_')[1];
    expect(fanfare(['token', 'list']).stdout).toMatch(new RegExp(`^${id} +nightly +viewer +member:ana +\\S+Z`, 'm'));
    expect(fanfare(['token', 'revoke', id]).stdout).toMatch(new RegExp(`^service credential ${id} "nightly" revoked`));
    expect(await authenticateServiceCredential(db().pool, token)).toBeNull();
  });
});
