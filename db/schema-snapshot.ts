// The schema snapshot: pg_dump --schema-only of a fresh migrated schema, normalized to change only with a migration.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const SNAPSHOT_PATH = fileURLToPath(new URL('./schema.sql', import.meta.url));
const run = promisify(execFile);

/** Drops pg_dump's version banners and session settings, and names the schema "fanfare" whatever it was. */
export function normalizeDump(dump: string, schema: string): string {
  const lines = dump
    .split('\n')
    .filter(
      (l) => !l.startsWith('--') && !/^SET |^SELECT pg_catalog\.set_config/.test(l) && !/^\\(un)?restrict /.test(l),
    )
    .map((l) =>
      l
        .split(`${schema}.`)
        .join('fanfare.')
        .replace(new RegExp(`\\b${schema}\\b`, 'g'), 'fanfare'),
    );
  return `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}

export async function dumpSchema(databaseUrl: string, schema: string): Promise<string> {
  const url = new URL(databaseUrl);
  url.searchParams.delete('options');
  const { stdout } = await run(
    'pg_dump',
    ['--schema-only', '--no-owner', '--no-privileges', `--schema=${schema}`, url.toString()],
    {
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  return normalizeDump(stdout, schema);
}
