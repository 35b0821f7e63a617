// Tests `fanfare migrate` end to end: argument checks, the DATABASE_URL requirement, and applying a folder.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../app/config.ts';
import { createTestSchema } from '../testing/db.ts';
import { parseMigrateArgs } from './migrate.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'fanfare.js');

function fanfare(args: string[], env: Record<string, string | undefined>) {
  return spawnSync(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    encoding: 'utf8',
  });
}

describe('fanfare migrate', () => {
  it('parses --schema and --dir and names a bad argument', () => {
    expect(parseMigrateArgs(['--schema', 's', '--dir', 'd'])).toEqual({ schema: 's', dir: 'd' });
    expect(() => parseMigrateArgs(['--schema'])).toThrow(/--schema: needs a value/);
    expect(() => parseMigrateArgs(['--force'])).toThrow(/unknown argument "--force"/);
  });

  it('fails with a message naming DATABASE_URL when it is unset', () => {
    const result = fanfare(['migrate'], {});
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/fanfare migrate: DATABASE_URL: must be set to a PostgreSQL connection string/);
  });

  it('applies a migrations folder, then reports it is up to date', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fanfare-cli-migrations-'));
    await writeFile(join(dir, '0001_first.sql'), 'create table first (id int);\n');
    const scoped = await createTestSchema('cli_migrate', { migrate: false });
    try {
      const env = { DATABASE_URL: testDatabaseUrl() };
      const first = fanfare(['migrate', '--schema', scoped.schema, '--dir', dir], env);
      expect(first.stderr).toBe('');
      expect(first.stdout).toMatch(new RegExp(`applied 0001_first\\.sql to schema ${scoped.schema} in \\d+ ms`));
      expect(fanfare(['migrate', '--schema', scoped.schema, '--dir', dir], env).stdout).toBe(
        'migrations: up to date\n',
      );
    } finally {
      await scoped.drop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
