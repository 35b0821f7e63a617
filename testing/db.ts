// Gives a test its own freshly migrated schema in the test database, kept for inspection when a test failed.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { testDatabaseUrl } from '../app/config.ts';
import { createSchema, dropSchema, ensureDatabase } from '../db/databases.ts';
import { migrate } from '../db/migrate.ts';
import { createPool, type Pool } from '../db/pool.ts';

export type TestSchema = {
  /** Connects with search_path set to the schema, so unqualified SQL lands there. */
  connectionString: string;
  schema: string;
  pool: Pool;
  /** Ends the pool and drops the schema with everything in it. */
  drop(): Promise<void>;
};

export type TestSchemaOptions = {
  /** The database to make the schema in; TEST_DATABASE_URL by default. */
  url?: string;
  /** Migrations folder; the repository's migrations/ by default. */
  dir?: string;
  /** false leaves the schema empty. */
  migrate?: boolean;
};

let databaseReady: Promise<void> | undefined;

function schemaName(name: string): string {
  const base =
    name
      .toLowerCase()
      .replace(/[^a-z0-9_]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 40) || 'test';
  return `t_${base}_${randomBytes(4).toString('hex')}`;
}

export async function createTestSchema(name = 'test', options: TestSchemaOptions = {}): Promise<TestSchema> {
  const url = options.url ?? testDatabaseUrl();
  if (options.url) await ensureDatabase(url);
  else {
    databaseReady ??= ensureDatabase(url);
    await databaseReady;
  }
  const schema = schemaName(name);
  const scoped = new URL(url);
  scoped.searchParams.set('options', `-c search_path=${schema}`);
  const connectionString = scoped.toString();
  if (options.migrate === false) {
    await createSchema(url, schema);
  } else {
    await migrate({ connectionString: url, schema, dir: options.dir });
  }
  // A test that stops PostgreSQL on purpose would fill the output with lost-connection lines.
  const pool = createPool(connectionString, 5, { name: schema, log: () => undefined });
  let dropped = false;
  return {
    connectionString,
    schema,
    pool,
    async drop() {
      if (dropped) return;
      dropped = true;
      await pool.end();
      await dropSchema(url, schema);
    },
  };
}

export type TaskLike = { type: string; mode?: string; result?: { state?: string }; tasks?: TaskLike[] };

/** True when every test under the task passed (skipped and todo tests do not count against it). */
export function allTestsPassed(task: TaskLike): boolean {
  if (task.tasks) return task.tasks.every(allTestsPassed);
  if (task.type !== 'test' || task.mode === 'skip' || task.mode === 'todo') return true;
  return task.result?.state === 'pass';
}

/**
 * One schema for the current file or describe block, as pg-boss does: created before its tests, dropped after
 * them only if they all passed, so a failure leaves its rows to inspect.
 */
export function useTestSchema(name?: string, options: TestSchemaOptions = {}): () => TestSchema {
  let testSchema: TestSchema | undefined;
  beforeAll(async () => {
    testSchema = await createTestSchema(name, options);
  });
  // vitest parses a hook's source and requires its first parameter (the fixtures) to be an object pattern even when
  // unused; the suite is the second.
  // biome-ignore lint/correctness/noEmptyPattern: vitest throws unless the fixtures parameter is an object pattern
  afterAll(async ({}, suite) => {
    if (!testSchema) return;
    if (allTestsPassed(suite as TaskLike)) {
      await testSchema.drop();
    } else {
      await testSchema.pool.end();
      process.stderr.write(`kept schema ${testSchema.schema} in ${testDatabaseUrl()} for inspection (a test failed)\n`);
    }
  });
  return () => {
    if (!testSchema)
      throw new Error('useTestSchema: the schema is not ready yet; use the getter inside tests or hooks');
    return testSchema;
  };
}
