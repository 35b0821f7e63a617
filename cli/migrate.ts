// `fanfare migrate`: applies pending migrations to the database named by DATABASE_URL.
import type { Command } from './command.ts';
import { databaseUrl } from '../app/config.ts';
import { migrate } from '../db/migrate.ts';

const USAGE = 'usage: fanfare migrate [--schema <name>] [--dir <migrations folder>]';

export function parseMigrateArgs(args: string[]): { schema?: string; dir?: string } {
  const parsed: { schema?: string; dir?: string } = {};
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (flag !== '--schema' && flag !== '--dir') throw new Error(`unknown argument "${flag}"; ${USAGE}`);
    if (!value || value.startsWith('--')) throw new Error(`${flag} needs a value; ${USAGE}`);
    parsed[flag === '--schema' ? 'schema' : 'dir'] = value;
  }
  return parsed;
}

export const command: Command = {
  summary: 'apply pending SQL migrations to DATABASE_URL',
  async run(args) {
    const { schema, dir } = parseMigrateArgs(args);
    const { applied } = await migrate({
      connectionString: databaseUrl(),
      schema,
      dir,
      log: (message) => process.stdout.write(`${message}\n`),
    });
    if (applied.length === 0) process.stdout.write('migrations: up to date\n');
  },
};
