// Tests the per-test schema helper: the repository's migrations applied, search_path scoped, dropped on request.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../app/config.ts';
import { allTestsPassed, createTestSchema, useTestSchema } from './db.ts';

async function schemaExists(schema: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_namespace where nspname = $1::text', [schema]);
    return rowCount === 1;
  } finally {
    await client.end();
  }
}

describe('useTestSchema', () => {
  const db = useTestSchema('helper');

  it('migrates a fresh schema with the repository migrations and scopes the pool to it', async () => {
    expect(db().schema).toMatch(/^t_helper_[0-9a-f]{8}$/);
    const { rows } = await db().pool.query(
      'select current_schema() as schema, (select count(*)::int from schema_migrations) as applied',
    );
    expect(rows[0].schema).toBe(db().schema);
    expect(rows[0].applied).toBeGreaterThan(0);
  });
});

describe('createTestSchema', () => {
  it('gives a connection string scoped to the schema, and drop removes it', async () => {
    const scoped = await createTestSchema('Drop Me!', { migrate: false });
    expect(scoped.schema).toMatch(/^t_drop_me_[0-9a-f]{8}$/);
    const client = new pg.Client({ connectionString: scoped.connectionString });
    await client.connect();
    const { rows } = await client.query('select current_schema() as schema');
    await client.end();
    expect(rows[0].schema).toBe(scoped.schema);
    await scoped.drop();
    expect(await schemaExists(scoped.schema)).toBe(false);
  });
});

describe('allTestsPassed', () => {
  const test = (state: string, mode = 'run') => ({ type: 'test', mode, result: { state } });

  it('is false when any nested test failed, ignoring skipped ones', () => {
    expect(
      allTestsPassed({
        type: 'suite',
        tasks: [test('pass'), { type: 'suite', tasks: [test('pass'), test('skip', 'skip')] }],
      }),
    ).toBe(true);
    expect(allTestsPassed({ type: 'suite', tasks: [test('pass'), { type: 'suite', tasks: [test('fail')] }] })).toBe(
      false,
    );
  });
});
