// The principals `fanfare dev` hands out each run: an API key for the example creator and a first admin's login.
import { createCreatorKey } from '../auth/creator-keys.ts';
import { addMember, changePassword } from '../auth/team.ts';
import { newSecret } from '../auth/tokens.ts';
import { listCreatorKeys, revokeCreatorKey } from '../db/creator-keys.ts';
import type { Pool } from '../db/pool.ts';
import { formatFieldErrors } from '../domain/field-error.ts';

export const DEV_ADMIN = 'admin';
export const DEV_KEY_LABEL = 'fanfare dev';

export interface DevPrincipals {
  /** A new key of the creator (the one the printed curl announces for); the previous run's is revoked. */
  creatorKey: string;
  /** The first admin, with a password made for this run (the previous run's sessions end). */
  admin: { username: string; password: string };
}

/**
 * Makes this run's key and admin password. Keys and passwords are kept only as hashes, so a restart cannot print the
 * old ones again: it revokes the last run's key and sets a new password instead.
 */
export async function ensureDevPrincipals(pool: Pool, creatorId: number): Promise<DevPrincipals> {
  for (const key of await listCreatorKeys(pool, creatorId)) {
    if (key.label === DEV_KEY_LABEL && key.revokedAt === null) await revokeCreatorKey(pool, key.id);
  }
  const { key } = await createCreatorKey(pool, creatorId, DEV_KEY_LABEL);
  const password = newSecret().slice(0, 24);
  const changed = await changePassword(pool, DEV_ADMIN, password);
  if (changed === null) {
    const added = await addMember(pool, { username: DEV_ADMIN, password, role: 'admin' });
    if (!added.ok) throw new Error(`dev admin: ${formatFieldErrors(added.errors)}`);
  } else if (!changed.ok) {
    throw new Error(`dev admin: ${formatFieldErrors(changed.errors)}`);
  }
  return { creatorKey: key, admin: { username: DEV_ADMIN, password } };
}
