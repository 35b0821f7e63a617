// Tests the migrator against the real test database with throwaway migration folders, one schema per test.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../app/config.ts';
import { createTestSchema, type TestSchema } from '../testing/db.ts';
import { assertSupportedServerVersion, migrate, pendingMigrations, readMigrations } from './migrate.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function migrationsDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fanfare-migrations-'));
  for (const [name, sql] of Object.entries(files)) await writeFile(join(dir, name), sql);
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function emptySchema(name: string): Promise<TestSchema> {
  const schema = await createTestSchema(name, { migrate: false });
  cleanups.push(() => schema.drop());
  return schema;
}

async function recorded(schema: TestSchema): Promise<{ version: number; name: string }[]> {
  const { rows } = await schema.pool.query('select version, name, applied_at from schema_migrations order by version');
  for (const row of rows) expect(row.applied_at).toBeInstanceOf(Date);
  return rows.map(({ version, name }) => ({ version, name }));
}

const TWO_FILES = {
  '0001_create_creators.sql': 'create table creators (id bigint primary key, handle text not null);\n',
  '0002_add_events.sql':
    'create table events (id bigint primary key, creator_id bigint not null references creators (id));\n' +
    'insert into creators values (1, $$a$$);\n',
  'README.md': 'not a migration',
};

describe('migrate', () => {
  it('applies files in order inside the given schema and records each one', async () => {
    const dir = await migrationsDir(TWO_FILES);
    const schema = await emptySchema('migrate_order');
    const result = await migrate({ connectionString: testDatabaseUrl(), schema: schema.schema, dir });
    expect(result.applied).toEqual(['0001_create_creators.sql', '0002_add_events.sql']);
    expect(await recorded(schema)).toEqual([
      { version: 1, name: '0001_create_creators.sql' },
      { version: 2, name: '0002_add_events.sql' },
    ]);
    const { rows } = await schema.pool.query(
      "select to_regclass($1::text) as here, to_regclass('public.events') as public_events",
      [`${schema.schema}.events`],
    );
    expect(rows[0].here).not.toBeNull();
    expect(rows[0].public_events).toBeNull();
  });

  it('creates a missing schema, and a re-run applies only new files', async () => {
    const dir = await migrationsDir(TWO_FILES);
    const holder = await emptySchema('migrate_rerun');
    const schema = `${holder.schema}_new`;
    cleanups.push(async () => void (await holder.pool.query(`drop schema if exists ${schema} cascade`)));
    expect((await migrate({ connectionString: testDatabaseUrl(), schema, dir })).applied).toHaveLength(2);
    expect((await migrate({ connectionString: testDatabaseUrl(), schema, dir })).applied).toEqual([]);
    await writeFile(join(dir, '0003_add_column.sql'), 'alter table creators add column bio text;\n');
    expect((await migrate({ connectionString: testDatabaseUrl(), schema, dir })).applied).toEqual([
      '0003_add_column.sql',
    ]);
    const { rows } = await holder.pool.query(`select count(*)::int as n from ${schema}.schema_migrations`);
    expect(rows[0].n).toBe(3);
  });

  it('follows search_path from the connection string when no schema is given', async () => {
    const dir = await migrationsDir(TWO_FILES);
    const schema = await emptySchema('migrate_search_path');
    await migrate({ connectionString: schema.connectionString, dir });
    expect(await recorded(schema)).toHaveLength(2);
  });

  it('lets two racing migrators apply each file exactly once', async () => {
    const dir = await migrationsDir({
      ...TWO_FILES,
      '0003_slow.sql': 'select pg_sleep(0.3);\ncreate table slow (id int);\n',
    });
    const schema = await emptySchema('migrate_race');
    const results = await Promise.all(
      [1, 2, 3].map(() => migrate({ connectionString: testDatabaseUrl(), schema: schema.schema, dir })),
    );
    const applied = results.flatMap((result) => result.applied).sort();
    expect(applied).toEqual(['0001_create_creators.sql', '0002_add_events.sql', '0003_slow.sql']);
    expect(await recorded(schema)).toHaveLength(3);
  });

  it('rolls back a failing file, does not record it, and applies it once fixed', async () => {
    const dir = await migrationsDir({
      '0001_create_creators.sql': TWO_FILES['0001_create_creators.sql'],
      '0002_broken.sql': 'create table half_done (id int);\n\ncreate tabel oops (id int);\n',
    });
    const schema = await emptySchema('migrate_failure');
    await expect(migrate({ connectionString: testDatabaseUrl(), schema: schema.schema, dir })).rejects.toThrow(
      /migration 0002_broken\.sql failed at line 3 and was rolled back: syntax error at or near "tabel"/,
    );
    expect(await recorded(schema)).toEqual([{ version: 1, name: '0001_create_creators.sql' }]);
    const { rows } = await schema.pool.query('select to_regclass($1::text) as t', [`${schema.schema}.half_done`]);
    expect(rows[0].t).toBeNull();
    await writeFile(join(dir, '0002_broken.sql'), 'create table half_done (id int);\n');
    expect((await migrate({ connectionString: testDatabaseUrl(), schema: schema.schema, dir })).applied).toEqual([
      '0002_broken.sql',
    ]);
  });

  it('refuses to run when an applied migration was renamed', async () => {
    const dir = await migrationsDir(TWO_FILES);
    const schema = await emptySchema('migrate_rename');
    await migrate({ connectionString: testDatabaseUrl(), schema: schema.schema, dir });
    await rm(join(dir, '0002_add_events.sql'));
    await writeFile(join(dir, '0002_add_fans.sql'), 'create table fans (id int);\n');
    await expect(migrate({ connectionString: testDatabaseUrl(), schema: schema.schema, dir })).rejects.toThrow(
      /version 2 was applied as 0002_add_events\.sql but the file is now 0002_add_fans\.sql/,
    );
  });
});

describe('readMigrations', () => {
  it('refuses a gap in the numbering', async () => {
    const dir = await migrationsDir({ '0001_a.sql': '', '0003_c.sql': '' });
    await expect(readMigrations(dir)).rejects.toThrow(
      /without gaps or duplicates: 0003_c\.sql comes after 0001_a\.sql, expected version 2/,
    );
  });

  it('refuses a duplicate version and a misnamed file', async () => {
    await expect(readMigrations(await migrationsDir({ '0001_a.sql': '', '0001_b.sql': '' }))).rejects.toThrow(
      /0001_b\.sql comes after 0001_a\.sql/,
    );
    await expect(readMigrations(await migrationsDir({ '1_init.sql': '' }))).rejects.toThrow(
      /must be named NNNN_lowercase_name\.sql/,
    );
  });

  it('refuses a database that is ahead of the files', () => {
    const files = [{ version: 1, name: '0001_a.sql', path: '/x/0001_a.sql' }];
    expect(() =>
      pendingMigrations(files, [
        { version: 1, name: '0001_a.sql' },
        { version: 2, name: '0002_b.sql' },
      ]),
    ).toThrow(/0002_b\.sql \(version 2\) applied, but it is not among the migration files/);
  });
});

describe('assertSupportedServerVersion', () => {
  it('refuses PostgreSQL older than 13 and names the version', () => {
    expect(() => assertSupportedServerVersion('120015')).toThrow(
      /PostgreSQL 12\.15 \(server_version_num 120015\) is too old: Fanfare needs PostgreSQL 13 or newer/,
    );
    expect(() => assertSupportedServerVersion(90624)).toThrow(/PostgreSQL 9\.6 /);
    expect(() => assertSupportedServerVersion('abc')).toThrow(/server_version_num must be a positive integer/);
  });

  it('accepts 13 and newer', () => {
    expect(() => assertSupportedServerVersion('130000')).not.toThrow();
    expect(() => assertSupportedServerVersion(170006)).not.toThrow();
  });
});
