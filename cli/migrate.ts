// `fanfare migrate`: applies pending migrations to the database named by DATABASE_URL.
import { databaseUrl } from '../app/config.ts';
import { migrate } from '../db/migrate.ts';
import { defineCommand, ENV, parseFlags, type Syntax } from './args.ts';

const SYNTAX = {
  command: 'migrate',
  summary: 'apply pending SQL migrations to DATABASE_URL',
  flags: {
    schema: { value: 'NAME', help: 'the schema to migrate, created if missing (default: first on the search path)' },
    dir: { value: 'DIR', help: 'the folder of numbered .sql files (default: migrations/)' },
  },
  env: ENV.database,
} satisfies Syntax;

export function parseMigrateArgs(args: string[]): { schema?: string; dir?: string } {
  const line = parseFlags(args, SYNTAX);
  const parsed: { schema?: string; dir?: string } = {};
  const [schema, dir] = [line.string('schema'), line.string('dir')];
  if (schema !== undefined) parsed.schema = schema;
  if (dir !== undefined) parsed.dir = dir;
  return parsed;
}

export const command = defineCommand(SYNTAX, async (args) => {
  const { schema, dir } = parseMigrateArgs(args);
  const { applied } = await migrate({
    connectionString: databaseUrl(),
    schema,
    dir,
    log: (message) => process.stdout.write(`${message}\n`),
  });
  if (applied.length === 0) process.stdout.write('migrations: up to date\n');
  return 0;
});
