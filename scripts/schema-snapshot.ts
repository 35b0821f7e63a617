// Regenerates db/schema.sql from the migrations, in a throwaway schema of the test database.
import { writeFileSync } from 'node:fs';
import { testDatabaseUrl } from '../app/config.ts';
import { dumpSchema, SNAPSHOT_PATH } from '../db/schema-snapshot.ts';
import { createTestSchema } from '../testing/db.ts';

const db = await createTestSchema('snapshot');
try {
  writeFileSync(SNAPSHOT_PATH, await dumpSchema(testDatabaseUrl(), db.schema));
  process.stdout.write(`wrote ${SNAPSHOT_PATH}\n`);
} finally {
  await db.drop();
}
