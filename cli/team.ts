// `fanfare team add|list|remove|role|password|logout` and `team token create|list|revoke`: the growth team's accounts
// and the service credentials of its automation. Passwords come from a prompt or stdin, never from the arguments.
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import { checkCredentialName, createServiceCredential } from '../auth/service-credentials.ts';
import { addMember, changePassword, logoutEverywhere } from '../auth/team.ts';
import { recordAudit } from '../db/audit-log.ts';
import { listServiceCredentials, revokeServiceCredential, type ServiceCredential } from '../db/service-credentials.ts';
import { currentMember, listMembers, removeMember, setMemberRole, type TeamMember } from '../db/team.ts';
import { formatFieldErrors } from '../domain/field-error.ts';
import { ROLES, type Role } from '../domain/principal.ts';
import { type CommandLine, defineCommand, defineGroup, ENV, parseFlags, type Syntax } from './args.ts';
import { positiveId } from './creator.ts';
import { defaultActor } from './policy.ts';
import { withPool } from './pool.ts';
import { columns, instant } from './table.ts';

const ROLE_HELP =
  'viewer reads the console; editor also changes cap policies and promotes models; ' +
  'admin also manages people, service credentials and creator keys';
const PASSWORD_STDIN = {
  'password-stdin': { help: 'read the password from stdin (one line) instead of prompting for it twice' },
} as const;

const ADD = {
  command: 'team add',
  summary: 'add a growth-team member with a role and a password (argon2id-hashed)',
  operands: ['USERNAME'],
  flags: { role: { value: 'ROLE', help: 'viewer, editor or admin (required)' }, ...PASSWORD_STDIN },
  env: ENV.database,
  notes: [
    'USERNAME: 1 to 64 lowercase letters, digits, . _ or -. The password (at least 12 characters) is prompted for on ' +
      'the terminal, or read from stdin with --password-stdin; it is never taken from the arguments.',
    `Roles: ${ROLE_HELP}.`,
  ],
} satisfies Syntax;
const LIST = {
  command: 'team list',
  summary: 'list the current members and their roles',
  env: ENV.database,
} satisfies Syntax;
const REMOVE = {
  command: 'team remove',
  summary: 'remove a member and end all their sessions (the audit keeps their name)',
  operands: ['USERNAME'],
  env: ENV.database,
} satisfies Syntax;
const ROLE = {
  command: 'team role',
  summary: "change a member's role; their open sessions carry it from their next request",
  operands: ['USERNAME', 'ROLE'],
  env: ENV.database,
  notes: [`Roles: ${ROLE_HELP}.`],
} satisfies Syntax;
const PASSWORD = {
  command: 'team password',
  summary: "set a member's new password and end all their sessions",
  operands: ['USERNAME'],
  flags: PASSWORD_STDIN,
  env: ENV.database,
} satisfies Syntax;
const LOGOUT = {
  command: 'team logout',
  summary: 'log a member out everywhere: end all their sessions, in every API process',
  operands: ['USERNAME'],
  env: ENV.database,
} satisfies Syntax;
const TOKEN_CREATE = {
  command: 'team token create',
  summary: 'make a named service credential (a bearer token for automation) with a role, printed once',
  operands: ['NAME'],
  flags: {
    role: { value: 'ROLE', help: 'viewer, editor or admin (required)' },
    actor: { value: 'NAME', help: 'who is recorded as its creator (default cli:<your user name>)' },
  },
  env: ENV.database,
  notes: ['NAME: 1 to 64 lowercase letters, digits, . _ or -, unique among unrevoked credentials.'],
} satisfies Syntax;
const TOKEN_LIST = {
  command: 'team token list',
  summary: 'list the service credentials: id, name, role, created, last used, revoked',
  env: ENV.database,
} satisfies Syntax;
const TOKEN_REVOKE = {
  command: 'team token revoke',
  summary: 'revoke a service credential at once',
  operands: ['ID'],
  env: ENV.database,
} satisfies Syntax;

function roleOperand<F>(line: CommandLine<F>, field: string, raw: string | undefined): Role {
  if (raw === undefined) return line.fail(`${field}: is required (${ROLES.join(', ')})`);
  if (!(ROLES as readonly string[]).includes(raw))
    line.fail(`${field}: must be one of ${ROLES.join(', ')}, got "${raw}"`);
  return raw as Role;
}

export function parseAddArgs(args: string[]): { username: string; role: Role; passwordStdin: boolean } {
  const line = parseFlags(args, ADD);
  return {
    username: line.operands[0],
    role: roleOperand(line, '--role', line.string('role')),
    passwordStdin: line.switch('password-stdin'),
  };
}

export function parseRoleArgs(args: string[]): { username: string; role: Role } {
  const line = parseFlags(args, ROLE);
  return { username: line.operands[0], role: roleOperand(line, 'ROLE', line.operands[1]) };
}

export function parseTokenCreateArgs(args: string[], actor: string): { name: string; role: Role; actor: string } {
  const line = parseFlags(args, TOKEN_CREATE);
  const name = line.operands[0];
  const [error] = checkCredentialName(name, 'NAME');
  if (error) line.fail(`${error.field}: ${error.rule}, got "${name}"`);
  return { name, role: roleOperand(line, '--role', line.string('role')), actor: line.string('actor') ?? actor };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** One line typed on the terminal without echo. */
async function promptHidden(question: string): Promise<string> {
  process.stderr.write(question);
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = createInterface({ input: process.stdin, output: silent, terminal: true });
  try {
    return await rl.question('');
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}

/** The new password: stdin's first line with --password-stdin, else typed twice on a terminal. */
export async function readPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin) return (await readStdin()).split(/\r?\n/)[0];
  if (!process.stdin.isTTY) throw new Error('password: no terminal to prompt on; pipe it in with --password-stdin');
  const first = await promptHidden('password: ');
  if ((await promptHidden('again: ')) !== first) throw new Error('password: the two entries differ');
  return first;
}

export function formatMembers(members: readonly TeamMember[]): string {
  if (members.length === 0) return 'no members';
  return columns([['username', 'role', 'since'], ...members.map((m) => [m.username, m.role, instant(m.createdAt)])]);
}

export function formatCredentials(credentials: readonly ServiceCredential[]): string {
  if (credentials.length === 0) return 'no service credentials';
  const rows = credentials.map((c) => [
    String(c.id),
    c.name,
    c.role,
    c.createdBy,
    instant(c.createdAt),
    instant(c.lastUsedAt),
    instant(c.revokedAt),
  ]);
  return columns([['id', 'name', 'role', 'created by', 'created', 'last used', 'revoked'], ...rows]);
}

const out = (text: string) => void process.stdout.write(`${text}\n`);

const add = defineCommand(ADD, async (args) => {
  const { username, role, passwordStdin } = parseAddArgs(args);
  const password = await readPassword(passwordStdin);
  return withPool(ADD.command, async (pool) => {
    const added = await addMember(pool, { username, password, role });
    if (!added.ok) throw new Error(`not added\n${formatFieldErrors(added.errors)}`);
    await recordAudit(pool, {
      kind: 'team',
      actor: defaultActor(),
      action: 'add',
      subject: username,
      detail: { role },
    });
    out(`${username} added as ${role}`);
    return 0;
  });
});

const list = defineCommand(LIST, async (args) => {
  parseFlags(args, LIST);
  return withPool(LIST.command, async (pool) => {
    out(formatMembers(await listMembers(pool)));
    return 0;
  });
});

const remove = defineCommand(REMOVE, async (args) => {
  const [username] = parseFlags(args, REMOVE).operands;
  return withPool(REMOVE.command, async (pool) => {
    if (!(await removeMember(pool, username))) throw new Error(`USERNAME: no member "${username}"`);
    await recordAudit(pool, { kind: 'team', actor: defaultActor(), action: 'remove', subject: username });
    out(`${username} removed; their sessions are ended`);
    return 0;
  });
});

const role = defineCommand(ROLE, async (args) => {
  const { username, role: newRole } = parseRoleArgs(args);
  return withPool(ROLE.command, async (pool) => {
    if (!(await setMemberRole(pool, username, newRole))) throw new Error(`USERNAME: no member "${username}"`);
    await recordAudit(pool, {
      kind: 'team',
      actor: defaultActor(),
      action: 'role',
      subject: username,
      detail: { role: newRole },
    });
    out(`${username} is now ${newRole}`);
    return 0;
  });
});

const password = defineCommand(PASSWORD, async (args) => {
  const line = parseFlags(args, PASSWORD);
  const [username] = line.operands;
  const text = await readPassword(line.switch('password-stdin'));
  return withPool(PASSWORD.command, async (pool) => {
    const changed = await changePassword(pool, username, text);
    if (!changed) throw new Error(`USERNAME: no member "${username}"`);
    if (!changed.ok) throw new Error(`password not changed\n${formatFieldErrors(changed.errors)}`);
    out(`${username}'s password changed; ${changed.loggedOut} session(s) ended`);
    return 0;
  });
});

const logout = defineCommand(LOGOUT, async (args) => {
  const [username] = parseFlags(args, LOGOUT).operands;
  return withPool(LOGOUT.command, async (pool) => {
    const member = await currentMember(pool, username);
    if (!member) throw new Error(`USERNAME: no member "${username}"`);
    out(`${username}: ${await logoutEverywhere(pool, member.id)} session(s) ended`);
    return 0;
  });
});

const tokenCreate = defineCommand(TOKEN_CREATE, async (args) => {
  const { name, role: tokenRole, actor } = parseTokenCreateArgs(args, defaultActor());
  return withPool(TOKEN_CREATE.command, async (pool) => {
    const { token, record } = await createServiceCredential(pool, { name, role: tokenRole, createdBy: actor });
    const detail = { id: record.id, role: tokenRole };
    await recordAudit(pool, { kind: 'service-credential', actor, action: 'create', subject: name, detail });
    process.stderr.write(`service credential ${record.id} "${name}" (${tokenRole}); the token is shown only now:\n`);
    out(token);
    return 0;
  });
});

const tokenList = defineCommand(TOKEN_LIST, async (args) => {
  parseFlags(args, TOKEN_LIST);
  return withPool(TOKEN_LIST.command, async (pool) => {
    out(formatCredentials(await listServiceCredentials(pool)));
    return 0;
  });
});

const tokenRevoke = defineCommand(TOKEN_REVOKE, async (args) => {
  const line = parseFlags(args, TOKEN_REVOKE);
  const id = positiveId(line, 'ID', line.operands[0]);
  return withPool(TOKEN_REVOKE.command, async (pool) => {
    const c = await revokeServiceCredential(pool, id);
    if (!c) throw new Error(`ID: no service credential ${id}`);
    const detail = { id };
    await recordAudit(pool, {
      kind: 'service-credential',
      actor: defaultActor(),
      action: 'revoke',
      subject: c.name,
      detail,
    });
    out(`service credential ${id} "${c.name}" revoked at ${instant(c.revokedAt)}`);
    return 0;
  });
});

const token = defineGroup(
  { command: 'team token', summary: 'create, list or revoke service credentials for automation', env: ENV.database },
  { create: tokenCreate, list: tokenList, revoke: tokenRevoke },
);

export const command = defineGroup(
  { command: 'team', summary: "manage the growth team's accounts and service credentials", env: ENV.database },
  { add, list, remove, role, password, logout, token },
);
