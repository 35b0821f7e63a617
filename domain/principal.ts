// Who acts (a creator's key, a team member's session, a service credential) and what each role may do.

/** A growth-team role, each allowed all that the one before it may do (team_members.role, service_credentials.role). */
export const ROLES = ['viewer', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What a team member or a service credential may be allowed to do. */
export const ACTIONS = [
  /** Read the console: overview, fans, decisions, events, models, the cap policy and its audit. */
  'console.read',
  /** Validate a cap policy and run a replay of one: reads that compute, and change nothing. */
  'policy.try',
  /** Make a cap policy the active one. */
  'policy.change',
  /** Promote a model or roll back to the previous one. */
  'model.promote',
  /** Create, list, stop and read the results of experiments on live traffic (docs/EXPERIMENTS.md). */
  'experiment.manage',
  /** Add and remove team members, change their roles, log them out everywhere. */
  'team.manage',
  /** Create, list and revoke service credentials. */
  'service-credentials.manage',
  /** Create, list and revoke creators' API keys. */
  'creator-keys.manage',
] as const;
export type Action = (typeof ACTIONS)[number];

/** The least role that may take each action; a higher role may do everything a lower one may. */
const LEAST_ROLE: Readonly<Record<Action, Role>> = {
  'console.read': 'viewer',
  'policy.try': 'viewer',
  'policy.change': 'editor',
  'model.promote': 'editor',
  'experiment.manage': 'editor',
  'team.manage': 'admin',
  'service-credentials.manage': 'admin',
  'creator-keys.manage': 'admin',
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Whether a role may take an action. */
export function can(role: Role, action: Action): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(LEAST_ROLE[action]);
}

/** The actions a role may take, in the order of ACTIONS. */
export function actionsOf(role: Role): Action[] {
  return ACTIONS.filter((a) => can(role, a));
}

/** A creator's API key: acts for that one creator only (announce, read its own events). */
export interface CreatorPrincipal {
  kind: 'creator';
  creatorId: number;
  keyId: number;
}

/** A growth-team member, known from a console session. */
export interface MemberPrincipal {
  kind: 'member';
  memberId: number;
  username: string;
  role: Role;
  sessionId: number;
}

/** Automation holding a named service credential, with a role like a member's. */
export interface ServicePrincipal {
  kind: 'service';
  credentialId: number;
  name: string;
  role: Role;
}

/** Someone on the growth team's side: a member or a service credential. */
export type TeamPrincipal = MemberPrincipal | ServicePrincipal;
export type Principal = CreatorPrincipal | TeamPrincipal;

/** Whether a principal may take a team action; a creator's key may take none of them. */
export function principalCan(principal: Principal, action: Action): boolean {
  return principal.kind !== 'creator' && can(principal.role, action);
}

/** Whether a principal may act for a creator: only that creator's own keys may. */
export function actsForCreator(principal: Principal, creatorId: number): boolean {
  return principal.kind === 'creator' && principal.creatorId === creatorId;
}

/** How the audit names a principal: `member:<username>`, `service:<name>`, `creator:<id>`; never a typed-in name. */
export function auditActor(principal: Principal): string {
  switch (principal.kind) {
    case 'member':
      return `member:${principal.username}`;
    case 'service':
      return `service:${principal.name}`;
    case 'creator':
      return `creator:${principal.creatorId}`;
  }
}
