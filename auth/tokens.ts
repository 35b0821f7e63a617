// Secrets we hand out (creator keys, session tokens, service credentials): made random, stored as SHA-256, compared
// in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes as base64url (43 characters): high-entropy, so SHA-256 alone protects the stored copy. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Whether a presented secret hashes to the stored hash, in time independent of where they differ. */
export function matchesHash(secret: string, stored: Buffer): boolean {
  const given = sha256(secret);
  return given.length === stored.length && timingSafeEqual(given, stored);
}

/** The prefixes that tell a token's kind at a glance (and let secret scanners recognise a leaked one). */
export const TOKEN_PREFIXES = { creatorKey: 'ffk', serviceCredential: 'ffs' } as const;
export type TokenPrefix = (typeof TOKEN_PREFIXES)[keyof typeof TOKEN_PREFIXES];

/** `<prefix>_<id>_<secret>`: the id finds the row, the secret proves possession. */
export function formatToken(prefix: TokenPrefix, id: number, secret: string): string {
  return `${prefix}_${id}_${secret}`;
}

/** The id and secret of a token of this kind; null for anything else, so a caller answers 401 without a query. */
export function parseToken(prefix: TokenPrefix, token: string): { id: number; secret: string } | null {
  const m = /^([a-z]+)_([1-9]\d{0,15})_([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m || m[1] !== prefix) return null;
  const id = Number(m[2]);
  return Number.isSafeInteger(id) ? { id, secret: m[3] } : null;
}

/** The token of an `Authorization: Bearer <token>` header; null when the header is absent or another scheme. */
export function bearerToken(header: string | undefined): string | null {
  const m = /^Bearer ([\x21-\x7e]+)$/i.exec(header?.trim() ?? '');
  return m ? m[1] : null;
}
