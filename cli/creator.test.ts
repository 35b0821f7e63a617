// Tests `fanfare creator key` end to end on a real PostgreSQL: create prints the key once, rotation, revocation.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { authenticateCreatorKey } from '../auth/creator-keys.ts';
import { useTestSchema } from '../testing/db.ts';
import { parseCreateArgs } from './creator.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'fanfare.js');

describe('fanfare creator key', () => {
  const db = useTestSchema('creator_cli');
  const fanfare = (args: string[]) =>
    spawnSync(process.execPath, [BIN, 'creator', 'key', ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: db().connectionString },
      encoding: 'utf8',
    });

  it('parses its arguments and names a bad one', () => {
    expect(parseCreateArgs(['ana'])).toEqual({ creator: 'ana', label: 'key' });
    expect(parseCreateArgs(['7', '--label', 'ci'])).toEqual({ creator: '7', label: 'ci' });
    expect(() => parseCreateArgs(['7', '--label', 'x'.repeat(101)])).toThrow('--label: must be 1 to 100 characters');
    expect(() => parseCreateArgs([])).toThrow('needs CREATOR');
    const bad = fanfare(['revoke', 'ffk_1']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^fanfare creator: KEY_ID: must be a positive integer, got "ffk_1"/);
  });

  it('creates keys printed once, lists them, and revokes one while the other keeps working', async () => {
    const r = await db().pool.query(`insert into creators (handle, display_name) values ('ana', 'Ana') returning id`);
    const creatorId = r.rows[0].id;

    const first = fanfare(['create', 'ana', '--label', 'laptop']);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^ffk_\d+_[A-Za-z0-9_-]{43}\n$/);
    expect(first.stderr).toMatch(/for creator \d+; it is shown only now/);
    const second = fanfare(['create', String(creatorId), '--label', 'ci']);
    const [oldKey, newKey] = [first.stdout.trim(), second.stdout.trim()];
    const oldId = Number(oldKey.split('_')[1]);
    expect(await authenticateCreatorKey(db().pool, oldKey)).toMatchObject({ creatorId, keyId: oldId });

    const listed = fanfare(['list', 'ana']);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toMatch(/^id +label +created +last used +revoked\n/);
    expect(listed.stdout).toMatch(new RegExp(`^${oldId} +laptop +\\S+Z +\\S+Z +-$`, 'm'));
    expect(listed.stdout).not.toContain(oldKey.slice(-43));

    const revoked = fanfare(['revoke', String(oldId)]);
    expect(revoked.status).toBe(0);
    expect(revoked.stdout).toMatch(new RegExp(`^key ${oldId} \\("laptop"\\) of creator ${creatorId} revoked at `));
    expect(await authenticateCreatorKey(db().pool, oldKey)).toBeNull();
    expect(await authenticateCreatorKey(db().pool, newKey)).toMatchObject({ creatorId });

    expect(fanfare(['create', 'nobody'])).toMatchObject({ status: 1, stderr: expect.stringContaining('no creator') });
    expect(fanfare(['revoke', '999999'])).toMatchObject({ status: 1, stderr: expect.stringContaining('no key') });
  });
});
