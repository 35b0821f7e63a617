// `fanfare policy show|validate|set|audit`: the cap policy and its audit trail; an invalid one never becomes active.
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { activateCapPolicy, getActiveCapPolicy, listCapPolicyAudit } from '../db/cap-policies.ts';
import { formatFieldErrors, type Validated } from '../domain/field-error.ts';
import { type CapPolicy, DEFAULT_CAP_POLICY, validateCapPolicy } from '../policy/cap-policy.ts';
import { formatChanges } from '../policy/diff.ts';
import { defineCommand, defineGroup, ENV, parseFlags, type Syntax } from './args.ts';
import { withPool } from './pool.ts';

const SHOW = {
  command: 'policy show',
  summary: 'print the active cap policy (its version on stderr), or the built-in default',
  flags: { default: { help: 'print the built-in default instead (no database needed)' } },
  env: { DATABASE_URL: 'PostgreSQL connection string (required without --default)' },
} satisfies Syntax;

const VALIDATE = {
  command: 'policy validate',
  summary: 'check a cap policy document, naming every bad field',
  operands: ['FILE'],
  notes: ['FILE is a JSON cap policy document (docs/POLICY.md).'],
} satisfies Syntax;

const SET = {
  command: 'policy set',
  summary: 'validate a cap policy document and make it the active one, recording who did',
  operands: ['FILE'],
  flags: { actor: { value: 'NAME', help: 'who is recorded in the audit trail (default cli:<your user name>)' } },
  env: ENV.database,
} satisfies Syntax;

const AUDIT = {
  command: 'policy audit',
  summary: 'list every change of the cap policy, newest first, with what changed',
  env: ENV.database,
} satisfies Syntax;

export const parseShowArgs = (args: string[]) => ({ builtIn: parseFlags(args, SHOW).switch('default') });
export const parseValidateArgs = (args: string[]) => ({ file: parseFlags(args, VALIDATE).operands[0] });
export const parseAuditArgs = (args: string[]) => void parseFlags(args, AUDIT);

export function parseSetArgs(args: string[], defaultActor: string): { file: string; actor: string } {
  const line = parseFlags(args, SET);
  return { file: line.operands[0], actor: line.string('actor') ?? defaultActor };
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

export function defaultActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

const show = defineCommand(SHOW, async (args) => {
  if (parseShowArgs(args).builtIn) {
    out(JSON.stringify(DEFAULT_CAP_POLICY, null, 2));
    return 0;
  }
  return withPool(SHOW.command, async (pool) => {
    const active = await getActiveCapPolicy(pool);
    if (!active) {
      err('no cap policy stored yet; decisions use the built-in default (fanfare policy show --default)');
      return 1;
    }
    err(`version ${active.version}, by ${active.createdBy} at ${active.createdAt.toISOString()}`);
    out(JSON.stringify(active.document, null, 2));
    return 0;
  });
});

const validate = defineCommand(VALIDATE, async (args) => {
  const { file } = parseValidateArgs(args);
  const result = await readPolicyFile(file);
  if (!result.ok) {
    err(`${file}: invalid cap policy\n${formatFieldErrors(result.errors)}`);
    return 1;
  }
  out(`${file}: valid cap policy "${result.value.name}"`);
  return 0;
});

const set = defineCommand(SET, async (args) => {
  const { file, actor } = parseSetArgs(args, defaultActor());
  const result = await readPolicyFile(file);
  if (!result.ok) {
    const errors = formatFieldErrors(result.errors);
    err(`${file}: invalid cap policy, not stored; the active policy stays in force\n${errors}`);
    return 1;
  }
  const document = result.value;
  return withPool(SET.command, async (pool) => {
    const r = await activateCapPolicy(pool, document, actor);
    if (!r.changed) out(`cap policy version ${r.version} is already this document; nothing changed`);
    else out(`cap policy version ${r.version} is active (by ${actor})\n${formatChanges(r.diff)}`);
    return 0;
  });
});

const audit = defineCommand(AUDIT, async (args) => {
  parseAuditArgs(args);
  return withPool(AUDIT.command, async (pool) => {
    for (const a of await listCapPolicyAudit(pool)) {
      const changes = formatChanges(a.diff).replace(/^/gm, '    ');
      out(`${a.at.toISOString()}  version ${a.version}  ${a.action} by ${a.actor}\n${changes}`);
    }
    return 0;
  });
});

export const command = defineGroup(
  { command: 'policy', summary: 'show, validate or set the cap policy, and list its audit trail', env: ENV.database },
  { show, validate, set, audit },
);
