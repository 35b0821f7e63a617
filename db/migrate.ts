// Applies the numbered, forward-only .sql files in migrations/ to a database, each in its own recorded transaction.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url));
export const MIN_SERVER_VERSION_NUM = 130000;
const FILE_NAME = /^(\d{4})_([a-z0-9][a-z0-9_]*)\.sql$/;

export type Migration = { version: number; name: string; path: string };

export type MigrateOptions = {
  connectionString: string;
  /** Schema to migrate, created if missing; everything runs with search_path set to it. */
  schema?: string;
  /** Folder of NNNN_name.sql files; the repository's migrations/ by default. */
  dir?: string;
  /** Called once per applied file, e.g. to print progress. */
  log?: (message: string) => void;
};

/** Refuses servers older than PostgreSQL 13, given `server_version_num` (e.g. 150004). */
export function assertSupportedServerVersion(serverVersionNum: string | number): void {
  const num = Number(serverVersionNum);
  if (!Number.isInteger(num) || num <= 0) {
    throw new Error(`server_version_num must be a positive integer, got "${serverVersionNum}"`);
  }
  if (num < MIN_SERVER_VERSION_NUM) {
    // Before 10 the number reads MMmmpp (90624 = 9.6.24); from 10 on MM00pp (120015 = 12.15).
    const shown =
      num >= 100000
        ? `${Math.floor(num / 10000)}.${num % 10000}`
        : `${Math.floor(num / 10000)}.${Math.floor(num / 100) % 100}`;
    throw new Error(`PostgreSQL ${shown} (server_version_num ${num}) is too old: Fanfare needs PostgreSQL 13 or newer`);
  }
}

/** Lists NNNN_name.sql files in version order, refusing misnamed files, duplicates and gaps. */
export async function readMigrations(dir: string): Promise<Migration[]> {
  const migrations: Migration[] = [];
  for (const file of (await readdir(dir)).sort()) {
    if (!file.endsWith('.sql')) continue;
    const match = FILE_NAME.exec(file);
    if (!match)
      throw new Error(
        `migration file ${join(dir, file)} must be named NNNN_lowercase_name.sql (four digits, underscore, [a-z0-9_])`,
      );
    migrations.push({ version: Number(match[1]), name: file, path: join(dir, file) });
  }
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      const previous = index > 0 ? `after ${migrations[index - 1].name}` : 'first';
      throw new Error(
        `migrations in ${dir} must be numbered 0001, 0002, ... without gaps or duplicates: ` +
          `${migration.name} comes ${previous}, expected version ${index + 1}`,
      );
    }
  });
  return migrations;
}

/** Checks that what the database recorded is a prefix of the files on disk, under the same names. */
export function pendingMigrations(files: Migration[], recorded: { version: number; name: string }[]): Migration[] {
  for (const row of recorded) {
    const file = files[row.version - 1];
    if (!file)
      throw new Error(
        `the database has migration ${row.name} (version ${row.version}) applied, ` +
          'but it is not among the migration files: this code is older than the database',
      );
    if (file.name !== row.name) {
      throw new Error(
        `migration version ${row.version} was applied as ${row.name} but the file is now ${file.name}: ` +
          'applied migrations must not be renamed or replaced; add a new file instead',
      );
    }
  }
  return files.slice(recorded.length);
}

function lineOf(sql: string, position: string | undefined): string {
  if (!position) return '';
  return ` at line ${sql.slice(0, Number(position)).split('\n').length}`;
}

export async function migrate(options: MigrateOptions): Promise<{ applied: string[] }> {
  const files = await readMigrations(options.dir ?? DEFAULT_MIGRATIONS_DIR);
  const client = new pg.Client({ connectionString: options.connectionString });
  await client.connect();
  try {
    const {
      rows: [server],
    } = await client.query<{ server_version_num: string }>('show server_version_num');
    assertSupportedServerVersion(server.server_version_num);
    if (options.schema !== undefined) {
      if (!options.schema) throw new Error('schema must be a non-empty name when given');
      await client.query(`set search_path to ${client.escapeIdentifier(options.schema)}`);
    }
    const {
      rows: [current],
    } = await client.query<{ schema: string | null }>('select current_schema() as schema');
    const schema = options.schema ?? current.schema;
    if (!schema) throw new Error('the search_path names no existing schema to migrate; pass schema or fix search_path');

    // One migrator per schema at a time; the lock is held by this session until the end, then released.
    await client.query("select pg_advisory_lock(hashtext('fanfare.migrate'), hashtext($1::text))", [schema]);
    try {
      if (options.schema !== undefined)
        await client.query(`create schema if not exists ${client.escapeIdentifier(schema)}`);
      await client.query(`set search_path to ${client.escapeIdentifier(schema)}`);
      await client.query(
        `create table if not exists schema_migrations
           (version int primary key, name text not null, applied_at timestamptz not null default now())`,
      );
      const { rows: recorded } = await client.query<{ version: number; name: string }>(
        'select version, name from schema_migrations order by version',
      );
      const applied: string[] = [];
      for (const migration of pendingMigrations(files, recorded)) {
        const sql = await readFile(migration.path, 'utf8');
        const started = Date.now();
        try {
          await client.query('begin');
          // Recorded first, in the same transaction: a racing migrator without the lock would hit the primary key.
          await client.query(
            'insert into schema_migrations (version, name, applied_at) values ($1::int, $2::text, now())',
            [migration.version, migration.name],
          );
          await client.query(sql);
          await client.query('commit');
        } catch (err) {
          await client.query('rollback').catch(() => undefined);
          const pgError = err as { message?: string; position?: string };
          throw new Error(
            `migration ${migration.name} failed${lineOf(sql, pgError.position)} and was rolled back: ` +
              `${pgError.message ?? String(err)}`,
          );
        }
        applied.push(migration.name);
        options.log?.(`applied ${migration.name} to schema ${schema} in ${Date.now() - started} ms`);
      }
      return { applied };
    } finally {
      await client
        .query("select pg_advisory_unlock(hashtext('fanfare.migrate'), hashtext($1::text))", [schema])
        .catch(() => undefined);
    }
  } finally {
    await client.end();
  }
}
