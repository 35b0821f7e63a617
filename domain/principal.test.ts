// Tests the roles' permissions and the principals' checks.
import { describe, expect, it } from 'vitest';
import {
  ACTIONS,
  actionsOf,
  actsForCreator,
  auditActor,
  can,
  isRole,
  type Principal,
  principalCan,
  ROLES,
} from './principal.ts';

describe('can', () => {
  it('lets a viewer read the console and try policies, and nothing that changes anything', () => {
    expect(actionsOf('viewer')).toEqual(['console.read', 'policy.try']);
    expect(can('viewer', 'policy.change')).toBe(false);
    expect(can('viewer', 'model.promote')).toBe(false);
  });

  it('lets an editor also change cap policies and promote or roll back models, but not manage people or keys', () => {
    expect(actionsOf('editor')).toEqual([
      'console.read',
      'policy.try',
      'policy.change',
      'model.promote',
      'experiment.manage',
    ]);
    for (const action of ['team.manage', 'service-credentials.manage', 'creator-keys.manage'] as const) {
      expect(can('editor', action)).toBe(false);
    }
  });

  it('lets an admin do everything', () => {
    expect(actionsOf('admin')).toEqual([...ACTIONS]);
  });

  it('never lets a lower role do what a higher one may not', () => {
    for (const action of ACTIONS) {
      const allowed = ROLES.map((role) => can(role, action));
      expect(allowed).toEqual([...allowed].sort());
    }
  });

  it('recognises only the three roles', () => {
    expect(ROLES.every(isRole)).toBe(true);
    for (const value of ['Admin', 'owner', '', null, 1]) expect(isRole(value)).toBe(false);
  });
});

describe('principals', () => {
  const creator: Principal = { kind: 'creator', creatorId: 7, keyId: 3 };
  const member: Principal = { kind: 'member', memberId: 1, username: 'ana', role: 'editor', sessionId: 9 };
  const service: Principal = { kind: 'service', credentialId: 2, name: 'ci-bot', role: 'viewer' };

  it('lets a creator key act for its own creator only, and take no team action', () => {
    expect(actsForCreator(creator, 7)).toBe(true);
    expect(actsForCreator(creator, 8)).toBe(false);
    expect(actsForCreator(member, 7)).toBe(false);
    expect(ACTIONS.some((a) => principalCan(creator, a))).toBe(false);
  });

  it("gives members and service credentials their role's actions", () => {
    expect(principalCan(member, 'policy.change')).toBe(true);
    expect(principalCan(member, 'team.manage')).toBe(false);
    expect(principalCan(service, 'console.read')).toBe(true);
    expect(principalCan(service, 'policy.change')).toBe(false);
  });

  it('names each principal in the audit by who it is', () => {
    expect([creator, member, service].map(auditActor)).toEqual(['creator:7', 'member:ana', 'service:ci-bot']);
  });
});
