// Signs and verifies tracking, unsubscribe and preference link tokens: HMAC-SHA256 with a key id, so keys can rotate.
//
// A token is `<kid>.<body>.<mac>`, all lowercase letters, digits, '-' and '.', because the
// unsubscribe token also travels in a mailto local part, which mail systems may lowercase and
// which RFC 5321 caps at 64 octets. So numbers are base36, the MAC is HMAC-SHA256 truncated
// to 128 bits (still far beyond guessing over HTTP) in lowercase base32, and the body starts
// with a letter naming the purpose, so a token made for one link cannot be used as another.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface TrackingKey {
  /** 1 to 8 lowercase letters or digits; travels in every token. */
  kid: string;
  secret: string;
}

export type TokenClaims =
  | { purpose: 'open'; decisionId: number }
  | { purpose: 'click'; decisionId: number }
  /** decisionId names the message the fan unsubscribed from, when there was one. */
  | { purpose: 'unsubscribe'; fanId: number; decisionId?: number }
  | { purpose: 'preferences'; fanId: number; expiresAt: Date };

export type Purpose = TokenClaims['purpose'];

export type VerifyResult<P extends Purpose> =
  | { ok: true; claims: Extract<TokenClaims, { purpose: P }>; kid: string }
  | { ok: false; reason: 'malformed' | 'unknown_key' | 'bad_signature' | 'wrong_purpose' | 'expired' };

export interface TokenSigner {
  /** Signs with the first (newest) key. */
  sign(claims: TokenClaims): string;
  /** Accepts a token signed by any configured key, for the purpose asked. */
  verify<P extends Purpose>(token: string, purpose: P, now?: Date): VerifyResult<P>;
}

const LETTER: Record<Purpose, string> = { open: 'o', click: 'c', unsubscribe: 'u', preferences: 'p' };
const KID = /^[a-z0-9]{1,8}$/;
export const MIN_SECRET_LENGTH = 32;

export function checkTrackingKeys(keys: readonly TrackingKey[]): string | null {
  if (keys.length === 0) return 'must list at least one key';
  const seen = new Set<string>();
  for (const k of keys) {
    if (!KID.test(k.kid)) return `key id "${k.kid}" must be 1 to 8 lowercase letters or digits`;
    if (seen.has(k.kid)) return `key id "${k.kid}" must appear once`;
    seen.add(k.kid);
    if (k.secret.length < MIN_SECRET_LENGTH)
      return `secret of key "${k.kid}" must be at least ${MIN_SECRET_LENGTH} characters`;
  }
  return null;
}

export function createTokenSigner(keys: readonly TrackingKey[]): TokenSigner {
  const problem = checkTrackingKeys(keys);
  if (problem) throw new TypeError(`tracking keys: ${problem}`);
  const byKid = new Map(keys.map((k) => [k.kid, k.secret]));
  const newest = keys[0];

  return {
    sign(claims) {
      const body = encodeBody(claims);
      return `${newest.kid}.${body}.${mac(newest.secret, newest.kid, body)}`;
    },
    verify(token, purpose, now = new Date()) {
      const parts = token.split('.');
      if (parts.length !== 3) return { ok: false, reason: 'malformed' };
      const [kid, body, given] = parts;
      const secret = byKid.get(kid);
      if (secret === undefined) return { ok: false, reason: 'unknown_key' };
      const expected = Buffer.from(mac(secret, kid, body));
      const actual = Buffer.from(given);
      if (actual.length !== expected.length || !timingSafeEqual(actual, expected))
        return { ok: false, reason: 'bad_signature' };
      const claims = decodeBody(body);
      if (!claims) return { ok: false, reason: 'malformed' };
      if (claims.purpose !== purpose) return { ok: false, reason: 'wrong_purpose' };
      if (claims.purpose === 'preferences' && claims.expiresAt.getTime() <= now.getTime())
        return { ok: false, reason: 'expired' };
      return { ok: true, claims: claims as Extract<TokenClaims, { purpose: typeof purpose }>, kid };
    },
  };
}

function mac(secret: string, kid: string, body: string): string {
  const digest = createHmac('sha256', secret).update(`fanfare-token-v1.${kid}.${body}`).digest();
  return base32(digest.subarray(0, 16));
}

const id36 = (n: number) => {
  if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`token: ids must be positive integers, got ${n}`);
  return n.toString(36);
};

function encodeBody(c: TokenClaims): string {
  const letter = LETTER[c.purpose];
  switch (c.purpose) {
    case 'open':
    case 'click':
      return letter + id36(c.decisionId);
    case 'unsubscribe':
      return letter + id36(c.fanId) + (c.decisionId === undefined ? '' : `-${id36(c.decisionId)}`);
    case 'preferences':
      return `${letter}${id36(c.fanId)}-${id36(Math.ceil(c.expiresAt.getTime() / 1000))}`;
  }
}

function decodeBody(body: string): TokenClaims | null {
  const m = /^([ocup])([0-9a-z]{1,11})(?:-([0-9a-z]{1,11}))?$/.exec(body);
  if (!m) return null;
  const a = parseInt(m[2], 36);
  const b = m[3] === undefined ? undefined : parseInt(m[3], 36);
  switch (m[1]) {
    case 'o':
      return b === undefined ? { purpose: 'open', decisionId: a } : null;
    case 'c':
      return b === undefined ? { purpose: 'click', decisionId: a } : null;
    case 'u':
      return b === undefined
        ? { purpose: 'unsubscribe', fanId: a }
        : { purpose: 'unsubscribe', fanId: a, decisionId: b };
    default:
      return b === undefined ? null : { purpose: 'preferences', fanId: a, expiresAt: new Date(b * 1000) };
  }
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** RFC 4648 base32, lowercase, without padding. */
function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** Parses TRACKING_KEYS, "kid1:secret1,kid2:secret2", newest first. */
export function parseTrackingKeys(text: string): TrackingKey[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((pair) => {
      const at = pair.indexOf(':');
      return at < 0 ? { kid: pair, secret: '' } : { kid: pair.slice(0, at), secret: pair.slice(at + 1) };
    });
}
