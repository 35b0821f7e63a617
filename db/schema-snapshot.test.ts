// Keeps db/schema.sql in step with migrations/: regenerate it with `npx tsx scripts/schema-snapshot.ts`.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../app/config.ts';
import { createTestSchema, type TestSchema } from '../testing/db.ts';
import { dumpSchema, normalizeDump, SNAPSHOT_PATH } from './schema-snapshot.ts';

let db: TestSchema | undefined;
afterAll(async () => db?.drop());

describe('schema snapshot', () => {
  it('matches what the migrations build', async () => {
    db = await createTestSchema('snapshot');
    const dumped = await dumpSchema(testDatabaseUrl(), db.schema);
    expect(dumped, 'db/schema.sql is stale: run `npx tsx scripts/schema-snapshot.ts` and commit it').toBe(
      readFileSync(SNAPSHOT_PATH, 'utf8'),
    );
  });

  it('normalizes banners and the schema name away', () => {
    const dump =
      '--\n-- PostgreSQL database dump\nSET statement_timeout = 0;\n' +
      'CREATE TABLE t_x_1.fans (id bigint);\nCREATE SCHEMA t_x_1;\n';
    expect(normalizeDump(dump, 't_x_1')).toBe('CREATE TABLE fanfare.fans (id bigint);\nCREATE SCHEMA fanfare;\n');
  });
});
