// The growth team's front door: adding members, logging in (throttled), sessions from cookies, logging out.
import type { Pool } from '../db/pool.ts';
import { insertSession, liveSession, revokeMemberSessions, revokeSession, touchSession } from '../db/sessions.ts';
import { currentMember, insertMember, memberForLogin, setMemberPassword, type TeamMember } from '../db/team.ts';
import type { FieldError } from '../domain/field-error.ts';
import type { MemberPrincipal, Role } from '../domain/principal.ts';
import {
  checkPassword,
  checkUsername,
  decoyHash,
  hashPassword,
  MAX_PASSWORD_LENGTH,
  verifyPassword,
} from './passwords.ts';
import type { AuthSettings } from './settings.ts';
import type { LoginThrottle } from './throttle.ts';
import { newSecret, sha256 } from './tokens.ts';

/**
 * Adds a member after checking the username and password rules; the errors name each bad field. Throws
 * DuplicateUsernameError when a current member has the name.
 */
export async function addMember(
  pool: Pool,
  m: { username: string; password: string; role: Role },
): Promise<{ ok: true; member: TeamMember } | { ok: false; errors: FieldError[] }> {
  const errors = [...checkUsername(m.username), ...checkPassword(m.password)];
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, member: await insertMember(pool, m.username, await hashPassword(m.password), m.role) };
}

/**
 * Sets a current member's new password (checked against the rules) and ends all their sessions, so whoever knew the
 * old one is logged out. Null when there is no such member.
 */
export async function changePassword(
  pool: Pool,
  username: string,
  password: string,
): Promise<{ ok: true; loggedOut: number } | { ok: false; errors: FieldError[] } | null> {
  const errors = checkPassword(password);
  if (errors.length > 0) return { ok: false, errors };
  const member = await currentMember(pool, username);
  if (!member || !(await setMemberPassword(pool, username, await hashPassword(password)))) return null;
  return { ok: true, loggedOut: await revokeMemberSessions(pool, member.id) };
}

/** What a login attempt came to. `token` goes in the session cookie and nowhere else; only its hash is stored. */
export type LoginResult =
  | { outcome: 'session'; token: string; expiresAt: Date; principal: MemberPrincipal }
  | { outcome: 'throttled'; retryAfterSeconds: number }
  | { outcome: 'wrong' };

export interface LoginDeps {
  pool: Pool;
  throttle: LoginThrottle;
  sessionLifetimeMs: AuthSettings['sessionLifetimeMs'];
}

/**
 * Checks a username and password from a client address. Every attempt is counted first; while the username or the
 * address is locked out, every attempt is refused, the right password included, without looking at it. An unknown
 * username costs the same argon2 verification as a known one and counts as a wrong password, so the answer tells
 * nobody which names exist.
 */
export async function login(
  deps: LoginDeps,
  username: string,
  password: string,
  address: string,
): Promise<LoginResult> {
  const locked = await deps.throttle.attempt(username, address);
  if (locked !== null) return { outcome: 'throttled', retryAfterSeconds: locked };
  // A name that breaks the username rule is no one's (and may hold bytes PostgreSQL refuses, such as NUL); a password
  // longer than any we accept is no one's either, and is not worth hashing.
  const member = checkUsername(username).length === 0 ? await memberForLogin(deps.pool, username) : null;
  const tooLong = password.length > MAX_PASSWORD_LENGTH;
  const ok = (await verifyPassword(member?.passwordHash ?? (await decoyHash()), tooLong ? '' : password)) && !tooLong;
  // A wrong password was counted by attempt(); a right one gives its attempt back.
  if (!member || !ok) return { outcome: 'wrong' };
  await deps.throttle.succeeded(username, address);
  const token = newSecret();
  const session = await insertSession(deps.pool, member.id, sha256(token), deps.sessionLifetimeMs);
  return {
    outcome: 'session',
    token,
    expiresAt: session.expiresAt,
    principal: {
      kind: 'member',
      memberId: member.id,
      username: member.username,
      role: member.role,
      sessionId: session.id,
    },
  };
}

/** The member a session cookie's token belongs to, with their role as it is now; null if not a live session. */
export async function sessionFromToken(pool: Pool, token: string): Promise<MemberPrincipal | null> {
  // Every session token is 43 base64url characters; anything else cannot be one, and costs no query.
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const s = await liveSession(pool, sha256(token));
  if (!s) return null;
  await touchSession(pool, s.id);
  return { kind: 'member', memberId: s.memberId, username: s.username, role: s.role, sessionId: s.id };
}

/** Ends the session of this token (logout); false when it was not live. */
export async function logout(pool: Pool, token: string): Promise<boolean> {
  return revokeSession(pool, sha256(token));
}

/** Ends every session of a member, on every device and API process; returns how many were live. */
export async function logoutEverywhere(pool: Pool, memberId: number): Promise<number> {
  return revokeMemberSessions(pool, memberId);
}
