// `fanfare policy`: show, validate and set the cap policy, and list its audit trail; an invalid document never becomes active.
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import type { Command } from './command.ts';
import { activateCapPolicy, getActiveCapPolicy, listCapPolicyAudit } from '../db/cap-policies.ts';
import { databaseUrl } from '../app/config.ts';
import { createPool, type Pool } from '../db/pool.ts';
import { DEFAULT_CAP_POLICY, validateCapPolicy, type CapPolicy } from '../policy/cap-policy.ts';
import { formatFieldErrors, type Validated } from '../domain/field-error.ts';
import { formatChanges } from '../policy/diff.ts';

const USAGE = 'usage: fanfare policy show [--default] | validate FILE | set FILE [--actor NAME] | audit';

export type PolicyArgs =
  | { action: 'show'; builtIn: boolean }
  | { action: 'validate'; file: string }
  | { action: 'set'; file: string; actor: string }
  | { action: 'audit' };

export function parsePolicyArgs(args: string[], defaultActor: string): PolicyArgs {
  const [action, ...rest] = args;
  if (action === 'show' && (rest.length === 0 || (rest.length === 1 && rest[0] === '--default'))) return { action, builtIn: rest.length === 1 };
  if (action === 'audit' && rest.length === 0) return { action };
  if (action === 'validate' && rest.length === 1 && !rest[0].startsWith('--')) return { action, file: rest[0] };
  if (action === 'set' && rest.length >= 1 && !rest[0].startsWith('--')) {
    if (rest.length === 1) return { action, file: rest[0], actor: defaultActor };
    if (rest.length === 3 && rest[1] === '--actor' && rest[2].trim() !== '') return { action, file: rest[0], actor: rest[2] };
  }
  throw new Error(`unexpected arguments "${args.join(' ')}"; ${USAGE}`);
}

/** Reads and validates a policy file; a file that is not JSON is reported like any other error, with its place. */
export async function readPolicyFile(file: string): Promise<Validated<CapPolicy>> {
  const text = await readFile(file, 'utf8');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { ok: false, errors: [{ field: '(document)', rule: `must be JSON (${(err as Error).message})` }] };
  }
  return validateCapPolicy(doc);
}

function out(text: string): void {
  process.stdout.write(`${text}\n`);
}

function err(text: string): void {
  process.stderr.write(`${text}\n`);
}

async function withPool<T>(fn: (pool: Pool) => Promise<T>): Promise<T> {
  const pool = createPool(databaseUrl(), 2);
  try {
    return await fn(pool);
  } finally {
    await pool.end();
  }
}

function defaultActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

export const command: Command = {
  summary: 'show, validate or set the cap policy (DATABASE_URL), and list its audit trail',
  async run(args) {
    const parsed = parsePolicyArgs(args, defaultActor());
    if (parsed.action === 'show' && parsed.builtIn) {
      out(JSON.stringify(DEFAULT_CAP_POLICY, null, 2));
      return 0;
    }
    if (parsed.action === 'validate') {
      const result = await readPolicyFile(parsed.file);
      if (!result.ok) {
        err(`${parsed.file}: invalid cap policy\n${formatFieldErrors(result.errors)}`);
        return 1;
      }
      out(`${parsed.file}: valid cap policy "${result.value.name}"`);
      return 0;
    }
    if (parsed.action === 'set') {
      const result = await readPolicyFile(parsed.file);
      if (!result.ok) {
        err(`${parsed.file}: invalid cap policy, not stored; the active policy stays in force\n${formatFieldErrors(result.errors)}`);
        return 1;
      }
      const document = result.value;
      return withPool(async (pool) => {
        const r = await activateCapPolicy(pool, document, parsed.actor);
        if (!r.changed) out(`cap policy version ${r.version} is already this document; nothing changed`);
        else out(`cap policy version ${r.version} is active (by ${parsed.actor})\n${formatChanges(r.diff)}`);
        return 0;
      });
    }
    return withPool(async (pool) => {
      if (parsed.action === 'audit') {
        for (const a of await listCapPolicyAudit(pool)) {
          out(`${a.at.toISOString()}  version ${a.version}  ${a.action} by ${a.actor}\n${formatChanges(a.diff).replace(/^/gm, '    ')}`);
        }
        return 0;
      }
      const active = await getActiveCapPolicy(pool);
      if (!active) {
        err('no cap policy stored yet; decisions use the built-in default (fanfare policy show --default)');
        return 1;
      }
      err(`version ${active.version}, by ${active.createdBy} at ${active.createdAt.toISOString()}`);
      out(JSON.stringify(active.document, null, 2));
      return 0;
    });
  },
};
