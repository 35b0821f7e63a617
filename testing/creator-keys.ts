// Test helper: a creator's API key, made as `fanfare creator key create` makes it, ready to send as a header.
import { createCreatorKey } from '../auth/creator-keys.ts';
import type { Pool } from '../db/pool.ts';

/** A new key of the creator, as the `Authorization` header of the creator API. */
export async function creatorAuthorization(pool: Pool, creatorId: number, label = 'test'): Promise<string> {
  const { key } = await createCreatorKey(pool, creatorId, label);
  return `Bearer ${key}`;
}
