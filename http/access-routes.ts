// Who may act, managed from the console: team members, service credentials and creators' API keys (admin only).
import { z } from 'zod';
import { checkKeyLabel, createCreatorKey } from '../auth/creator-keys.ts';
import { checkUsername } from '../auth/passwords.ts';
import { checkCredentialName, createServiceCredential } from '../auth/service-credentials.ts';
import { addMember } from '../auth/team.ts';
import { type NewAuditEntry, recordAudit } from '../db/audit-log.ts';
import { type CreatorKey, listCreatorKeys, revokeCreatorKey } from '../db/creator-keys.ts';
import { searchCreators } from '../db/creators.ts';
import { UnknownCreatorError } from '../db/events.ts';
import type { Pool } from '../db/pool.ts';
import {
  DuplicateCredentialNameError,
  listServiceCredentials,
  revokeServiceCredential,
  type ServiceCredential,
} from '../db/service-credentials.ts';
import {
  currentMember,
  DuplicateUsernameError,
  listMembers,
  removeMember,
  setMemberRole,
  type TeamMember,
} from '../db/team.ts';
import { type Action, auditActor, ROLES } from '../domain/principal.ts';
import type {
  CreatorKeyRow,
  CreatorKeysAnswer,
  CreatorSearchAnswer,
  LoggedOutAnswer,
  MemberRow,
  NewCreatorKeyAnswer,
  NewServiceCredentialAnswer,
  ServiceCredentialRow,
  ServiceCredentialsAnswer,
  TeamAnswer,
} from '../wire/access.ts';
import type { TeamGate } from './admin-auth.ts';
import { refuse, send } from './answer.ts';
import type { HttpApp } from './app.ts';
import { principalOf, teamOnly } from './auth-hooks.ts';
import { idParam, idParams } from './params.ts';

export interface AccessRouteDeps {
  pool: Pool;
  gate: TeamGate;
}

const text = z.string({ error: 'must be a string' });
const role = z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` });
const usernameParams = z.object({ username: z.string() });

const CREATOR_QUERY = 'must be a creator id or part of a handle, at most 200 characters';
/** How many creators one search lists: the picker narrows by typing, never by paging. */
const CREATOR_PICKS = 50;

const iso = (d: Date | null) => d?.toISOString() ?? null;
const memberJson = (m: TeamMember): MemberRow => ({ username: m.username, role: m.role, createdAt: iso(m.createdAt)! });
const credentialJson = (c: ServiceCredential): ServiceCredentialRow => ({
  id: c.id,
  name: c.name,
  role: c.role,
  createdBy: c.createdBy,
  createdAt: iso(c.createdAt)!,
  lastUsedAt: iso(c.lastUsedAt),
  revokedAt: iso(c.revokedAt),
});
const keyJson = (k: CreatorKey): CreatorKeyRow => ({
  id: k.id,
  creatorId: k.creatorId,
  label: k.label,
  createdAt: iso(k.createdAt)!,
  lastUsedAt: iso(k.lastUsedAt),
  revokedAt: iso(k.revokedAt),
});

const noMember = (username: string) =>
  refuse(404, { field: 'username', rule: `must name a current member, not "${username}"` });

export function registerAccessRoutes(app: HttpApp, deps: AccessRouteDeps): void {
  const may = <S extends object>(action: Action, schema: S) => ({
    onRequest: teamOnly(deps.gate, action),
    schema: { hide: true, ...schema },
  });
  const { pool } = deps;
  /** The audit entry of a change made through these routes, named by the principal that proved itself. */
  const audit = (req: Parameters<typeof principalOf>[0], entry: Omit<NewAuditEntry, 'actor'>) =>
    recordAudit(pool, { ...entry, actor: auditActor(principalOf(req)) });

  // Team members.
  app.get('/api/admin/team', may('team.manage', {}), async (_req, reply) => {
    const body: TeamAnswer = { members: (await listMembers(pool)).map(memberJson) };
    return send(reply, { status: 200, body });
  });

  const newMember = z.object({ username: text, password: text, role });
  app.post('/api/admin/team', may('team.manage', { body: newMember }), async (req, reply) => {
    try {
      const added = await addMember(pool, req.body);
      if (!added.ok) return send(reply, refuse(400, ...added.errors));
      await audit(req, {
        kind: 'team',
        action: 'add',
        subject: added.member.username,
        detail: { role: added.member.role },
      });
      return send(reply, { status: 201, body: { member: memberJson(added.member) } });
    } catch (err) {
      if (!(err instanceof DuplicateUsernameError)) throw err;
      return send(reply, refuse(409, { field: 'username', rule: 'must not be a current member already' }));
    }
  });

  // A member's own account is changed by another admin (or `fanfare team`): nobody locks themselves out by a click.
  const notSelf = (req: Parameters<typeof principalOf>[0], username: string) => {
    const p = principalOf(req);
    return p.kind === 'member' && p.username === username
      ? refuse(409, { field: 'username', rule: 'must not be your own account: another admin changes it' })
      : null;
  };

  app.delete('/api/admin/team/:username', may('team.manage', { params: usernameParams }), async (req, reply) => {
    const { username } = req.params;
    const own = notSelf(req, username);
    if (own) return send(reply, own);
    const removed = checkUsername(username).length ? null : await removeMember(pool, username);
    if (!removed) return send(reply, noMember(username));
    await audit(req, { kind: 'team', action: 'remove', subject: username });
    return send(reply, { status: 200, body: { member: memberJson(removed) } });
  });

  const roleBody = z.object({ role });
  app.put(
    '/api/admin/team/:username/role',
    may('team.manage', { params: usernameParams, body: roleBody }),
    async (req, reply) => {
      const { username } = req.params;
      const own = notSelf(req, username);
      if (own) return send(reply, own);
      const changed = checkUsername(username).length ? null : await setMemberRole(pool, username, req.body.role);
      if (!changed) return send(reply, noMember(username));
      await audit(req, { kind: 'team', action: 'role', subject: username, detail: { role: changed.role } });
      return send(reply, { status: 200, body: { member: memberJson(changed) } });
    },
  );

  app.post('/api/admin/team/:username/logout', may('team.manage', { params: usernameParams }), async (req, reply) => {
    const { username } = req.params;
    const member = checkUsername(username).length ? null : await currentMember(pool, username);
    if (!member) return send(reply, noMember(username));
    const body: LoggedOutAnswer = { loggedOut: await deps.gate.auth.logoutEverywhere(member.id) };
    return send(reply, { status: 200, body });
  });

  // Any member ends every one of their own sessions (the console's "Log out everywhere" is the form twin).
  app.post('/api/admin/session/logout-everywhere', may('console.read', {}), async (req, reply) => {
    const p = principalOf(req);
    if (p.kind !== 'member') {
      const rule = "must be a member's session: a service credential is revoked instead";
      return send(reply, refuse(400, { field: 'session', rule }));
    }
    const body: LoggedOutAnswer = { loggedOut: await deps.gate.auth.logoutEverywhere(p.memberId) };
    return send(reply, { status: 200, body });
  });

  // Service credentials.
  app.get('/api/admin/service-credentials', may('service-credentials.manage', {}), async (_req, reply) => {
    const body: ServiceCredentialsAnswer = { credentials: (await listServiceCredentials(pool)).map(credentialJson) };
    return send(reply, { status: 200, body });
  });

  const newCredential = z.object({ name: text, role });
  app.post(
    '/api/admin/service-credentials',
    may('service-credentials.manage', { body: newCredential }),
    async (req, reply) => {
      const errors = checkCredentialName(req.body.name);
      if (errors.length) return send(reply, refuse(400, ...errors));
      try {
        const createdBy = auditActor(principalOf(req));
        const made = await createServiceCredential(pool, { ...req.body, createdBy });
        await audit(req, {
          kind: 'service-credential',
          action: 'create',
          subject: made.record.name,
          detail: { id: made.record.id, role: made.record.role },
        });
        const body: NewServiceCredentialAnswer = { credential: credentialJson(made.record), token: made.token };
        return send(reply, { status: 201, headers: { 'cache-control': 'no-store' }, body });
      } catch (err) {
        if (!(err instanceof DuplicateCredentialNameError)) throw err;
        return send(reply, refuse(409, { field: 'name', rule: 'must not be a credential name already' }));
      }
    },
  );

  app.delete(
    '/api/admin/service-credentials/:id',
    may('service-credentials.manage', { params: idParams('id') }),
    async (req, reply) => {
      const revoked = await revokeServiceCredential(pool, req.params.id);
      if (!revoked) return send(reply, refuse(404, { field: 'id', rule: 'must name an existing service credential' }));
      await audit(req, {
        kind: 'service-credential',
        action: 'revoke',
        subject: revoked.name,
        detail: { id: revoked.id },
      });
      return send(reply, { status: 200, body: { credential: credentialJson(revoked) } });
    },
  );

  // Creators' API keys, and the creators to pick from.
  const creatorQuery = z.object({ q: z.string({ error: CREATOR_QUERY }).trim().max(200, CREATOR_QUERY).default('') });
  app.get('/api/admin/creators', may('creator-keys.manage', { querystring: creatorQuery }), async (req, reply) => {
    const body: CreatorSearchAnswer = { creators: await searchCreators(pool, req.query.q, CREATOR_PICKS) };
    return send(reply, { status: 200, body });
  });

  app.get(
    '/api/admin/creators/:id/keys',
    may('creator-keys.manage', { params: idParams('id') }),
    async (req, reply) => {
      const body: CreatorKeysAnswer = { keys: (await listCreatorKeys(pool, req.params.id)).map(keyJson) };
      return send(reply, { status: 200, body });
    },
  );

  const newKey = z.object({ label: text });
  app.post(
    '/api/admin/creators/:id/keys',
    may('creator-keys.manage', { params: idParams('id'), body: newKey }),
    async (req, reply) => {
      const errors = checkKeyLabel(req.body.label);
      if (errors.length) return send(reply, refuse(400, ...errors));
      try {
        const made = await createCreatorKey(pool, req.params.id, req.body.label);
        await audit(req, {
          kind: 'creator-key',
          action: 'create',
          subject: `key ${made.record.id} of creator ${req.params.id}`,
          detail: { creatorId: req.params.id, keyId: made.record.id, label: made.record.label },
        });
        const body: NewCreatorKeyAnswer = { key: keyJson(made.record), token: made.key };
        return send(reply, { status: 201, headers: { 'cache-control': 'no-store' }, body });
      } catch (err) {
        if (!(err instanceof UnknownCreatorError)) throw err;
        return send(reply, refuse(404, { field: 'id', rule: 'must name an existing creator' }));
      }
    },
  );

  const keyParams = z.object({ id: idParam, keyId: idParam });
  app.delete(
    '/api/admin/creators/:id/keys/:keyId',
    may('creator-keys.manage', { params: keyParams }),
    async (req, reply) => {
      const revoked = await revokeCreatorKey(pool, req.params.keyId, req.params.id);
      if (!revoked) return send(reply, refuse(404, { field: 'keyId', rule: "must name one of this creator's keys" }));
      await audit(req, {
        kind: 'creator-key',
        action: 'revoke',
        subject: `key ${revoked.id} of creator ${revoked.creatorId}`,
        detail: { creatorId: revoked.creatorId, keyId: revoked.id, label: revoked.label },
      });
      return send(reply, { status: 200, body: { key: keyJson(revoked) } });
    },
  );
}
