// `fanfare creator key create|list|revoke`: creators' API keys; a new key is printed once and never again.
import { checkKeyLabel, createCreatorKey } from '../auth/creator-keys.ts';
import { recordAudit } from '../db/audit-log.ts';
import { type CreatorKey, listCreatorKeys, revokeCreatorKey } from '../db/creator-keys.ts';
import { creatorIdByHandle } from '../db/creators.ts';
import type { Pool } from '../db/pool.ts';
import { type CommandLine, defineCommand, defineGroup, ENV, parseFlags, type Syntax } from './args.ts';
import { defaultActor } from './policy.ts';
import { withPool } from './pool.ts';
import { columns, instant } from './table.ts';

const CREATOR_NOTE = 'CREATOR is a creator id or handle.';

const CREATE = {
  command: 'creator key create',
  summary: 'make an API key for a creator and print it once (only its hash is kept)',
  operands: ['CREATOR'],
  flags: { label: { value: 'TEXT', help: 'what the key is for, e.g. "ci" (default "key"), at most 100 characters' } },
  env: ENV.database,
  notes: [CREATOR_NOTE, 'The key is printed alone on stdout; keep it now, it cannot be shown again.'],
} satisfies Syntax;

const LIST = {
  command: 'creator key list',
  summary: "list a creator's API keys: id, label, created, last used, revoked",
  operands: ['CREATOR'],
  env: ENV.database,
  notes: [CREATOR_NOTE],
} satisfies Syntax;

const REVOKE = {
  command: 'creator key revoke',
  summary: "revoke an API key at once; the creator's other keys keep working",
  operands: ['KEY_ID'],
  env: ENV.database,
  notes: ['KEY_ID is the number `creator key list` shows (the N in ffk_N_…).'],
} satisfies Syntax;

/** A positive integer operand, or a usage error naming it. */
export function positiveId<F>(line: CommandLine<F>, name: string, raw: string): number {
  if (!/^[1-9]\d{0,15}$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    line.fail(`${name}: must be a positive integer, got "${raw}"`);
  }
  return Number(raw);
}

export function parseCreateArgs(args: string[]): { creator: string; label: string } {
  const line = parseFlags(args, CREATE);
  const label = line.string('label') ?? 'key';
  const [error] = checkKeyLabel(label, '--label');
  if (error) line.fail(`${error.field}: ${error.rule}`);
  return { creator: line.operands[0], label };
}

/** The creator an operand names: an id as it is, a handle looked up. */
async function resolveCreator(pool: Pool, creator: string): Promise<number> {
  if (/^[1-9]\d{0,15}$/.test(creator)) return Number(creator);
  const id = await creatorIdByHandle(pool, creator);
  if (id === null) throw new Error(`CREATOR: no creator with handle "${creator}"`);
  return id;
}

export function formatKeys(keys: readonly CreatorKey[]): string {
  if (keys.length === 0) return 'no keys';
  const rows = keys.map((k) => [
    String(k.id),
    k.label,
    instant(k.createdAt),
    instant(k.lastUsedAt),
    instant(k.revokedAt),
  ]);
  return columns([['id', 'label', 'created', 'last used', 'revoked'], ...rows]);
}

const create = defineCommand(CREATE, async (args) => {
  const { creator, label } = parseCreateArgs(args);
  return withPool(CREATE.command, async (pool) => {
    const { key, record } = await createCreatorKey(pool, await resolveCreator(pool, creator), label);
    await recordAudit(pool, {
      kind: 'creator-key',
      actor: defaultActor(),
      action: 'create',
      subject: `key ${record.id} of creator ${record.creatorId}`,
      detail: { creatorId: record.creatorId, keyId: record.id, label },
    });
    process.stderr.write(`key ${record.id} ("${label}") for creator ${record.creatorId}; it is shown only now:\n`);
    process.stdout.write(`${key}\n`);
    return 0;
  });
});

const list = defineCommand(LIST, async (args) => {
  const { operands } = parseFlags(args, LIST);
  return withPool(LIST.command, async (pool) => {
    process.stdout.write(`${formatKeys(await listCreatorKeys(pool, await resolveCreator(pool, operands[0])))}\n`);
    return 0;
  });
});

const revoke = defineCommand(REVOKE, async (args) => {
  const line = parseFlags(args, REVOKE);
  const id = positiveId(line, 'KEY_ID', line.operands[0]);
  return withPool(REVOKE.command, async (pool) => {
    const key = await revokeCreatorKey(pool, id);
    if (!key) throw new Error(`KEY_ID: no key ${id}`);
    await recordAudit(pool, {
      kind: 'creator-key',
      actor: defaultActor(),
      action: 'revoke',
      subject: `key ${id} of creator ${key.creatorId}`,
      detail: { creatorId: key.creatorId, keyId: id, label: key.label },
    });
    process.stdout.write(
      `key ${id} ("${key.label}") of creator ${key.creatorId} revoked at ${instant(key.revokedAt)}\n`,
    );
    return 0;
  });
});

const key = defineGroup(
  { command: 'creator key', summary: "create, list or revoke creators' API keys", env: ENV.database },
  { create, list, revoke },
);

export const command = defineGroup(
  { command: 'creator', summary: "manage creators' API keys (creator key create|list|revoke)", env: ENV.database },
  { key },
);
