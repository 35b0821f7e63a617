// Growth-team principals for tests: a member with a role and a live session cookie, made with the real auth core.
import { createAuth, SESSION_COOKIE } from '../auth/auth.ts';
import { DEFAULT_AUTH_SETTINGS } from '../auth/settings.ts';
import { addMember } from '../auth/team.ts';
import type { Pool } from '../db/pool.ts';
import { formatFieldErrors } from '../domain/field-error.ts';
import type { Role } from '../domain/principal.ts';

/** Every test member's password: long enough for the password rule. */
export const TEST_PASSWORD = 'correct horse battery staple';

/** Adds a member with TEST_PASSWORD. */
export async function addTestMember(pool: Pool, username: string, role: Role): Promise<void> {
  const added = await addMember(pool, { username, password: TEST_PASSWORD, role });
  if (!added.ok) throw new Error(`test member ${username}: ${formatFieldErrors(added.errors)}`);
}

/**
 * Adds a member and logs them in as the console's login does; the answer is the `Cookie` header value of the session,
 * which any API over the same database accepts (sessions live in PostgreSQL).
 */
export async function memberCookie(pool: Pool, username: string, role: Role): Promise<string> {
  await addTestMember(pool, username, role);
  const r = await createAuth(pool, DEFAULT_AUTH_SETTINGS).login(username, TEST_PASSWORD, '127.0.0.1');
  if (r.outcome !== 'session') throw new Error(`test member ${username}: login ${r.outcome}`);
  return `${SESSION_COOKIE}=${r.token}`;
}
