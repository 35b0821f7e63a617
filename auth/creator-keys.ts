// Creators' API keys: made (shown once), checked on every creator API request.
import { activeCreatorKey, type CreatorKey, insertCreatorKey, touchCreatorKey } from '../db/creator-keys.ts';
import type { Pool } from '../db/pool.ts';
import type { FieldError } from '../domain/field-error.ts';
import type { CreatorPrincipal } from '../domain/principal.ts';
import { formatToken, matchesHash, newSecret, parseToken, sha256, TOKEN_PREFIXES } from './tokens.ts';

/** A key's label: what it is for, 1 to 100 characters without control characters. */
export function checkKeyLabel(label: string, field = 'label'): FieldError[] {
  if (label.trim().length === 0 || label.length > 100 || /\p{Cc}/u.test(label)) {
    return [{ field, rule: 'must be 1 to 100 characters, not blank, without control characters' }];
  }
  return [];
}

/** A new key for a creator: `key` is the only copy of the secret, to show once. Throws UnknownCreatorError. */
export async function createCreatorKey(
  pool: Pool,
  creatorId: number,
  label: string,
): Promise<{ key: string; record: CreatorKey }> {
  const secret = newSecret();
  const record = await insertCreatorKey(pool, creatorId, label, sha256(secret));
  return { key: formatToken(TOKEN_PREFIXES.creatorKey, record.id, secret), record };
}

/**
 * Who a bearer token acts for, if it is an unrevoked creator key: its creator and key id. Null for anything else
 * (malformed, unknown, revoked, wrong secret), so the caller answers 401 alike in every case.
 */
export async function authenticateCreatorKey(pool: Pool, token: string): Promise<CreatorPrincipal | null> {
  const parsed = parseToken(TOKEN_PREFIXES.creatorKey, token);
  if (!parsed) return null;
  const key = await activeCreatorKey(pool, parsed.id);
  if (!key || !matchesHash(parsed.secret, key.secretHash)) return null;
  await touchCreatorKey(pool, key.id);
  return { kind: 'creator', creatorId: key.creatorId, keyId: key.id };
}
