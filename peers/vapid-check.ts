// Checks a VAPID Authorization header (RFC 8292) as a push service does: ES256 signature, audience, expiry, subject.
//
// The header is `Authorization: vapid t=<JWT>, k=<application server public key>`, k being
// the uncompressed P-256 point in base64url. The JWT must be signed with the private half
// of k (ES256, signature as raw r||s), carry `aud` equal to the push resource's origin, an
// `exp` in the future and no more than 24 hours ahead, and a `sub` that is a mailto: or
// https: URL so the push service operator can reach the sender.
import { createPublicKey, type KeyObject, verify } from 'node:crypto';

export type VapidClaims = { aud: string; exp: number; sub: string };

export type VapidCheck =
  | { ok: true; publicKey: string; claims: VapidClaims }
  /** 401 when the header is missing or not `vapid`, 403 when it is present but invalid. */
  | { ok: false; status: 401 | 403; reason: string };

const MAX_EXPIRY_SECONDS = 24 * 60 * 60;

export function checkVapid(authorization: string | undefined, origin: string, nowMs = Date.now()): VapidCheck {
  if (!authorization) return { ok: false, status: 401, reason: 'Authorization header is missing' };
  const match = /^vapid\s+(.*)$/i.exec(authorization.trim());
  if (!match) return { ok: false, status: 401, reason: 'Authorization scheme must be "vapid"' };
  const params = parseAuthParams(match[1]);
  const token = params.get('t');
  const publicKey = params.get('k');
  const reject = (reason: string): VapidCheck => ({ ok: false, status: 403, reason });
  if (!token) return reject('vapid parameter t (the JWT) is missing');
  if (!publicKey) return reject('vapid parameter k (the public key) is missing');

  const point = Buffer.from(publicKey, 'base64url');
  if (point.length !== 65 || point[0] !== 0x04) {
    return reject('vapid k must be an uncompressed P-256 point (65 bytes starting 0x04)');
  }
  const parts = token.split('.');
  if (parts.length !== 3) return reject('vapid t must be a JWS compact serialisation with 3 parts');
  const [headerPart, claimsPart, signaturePart] = parts;
  const header = parseJsonPart(headerPart);
  if (header?.alg !== 'ES256') return reject('JWT header alg must be ES256');

  let key: KeyObject;
  try {
    key = createPublicKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: point.subarray(1, 33).toString('base64url'),
        y: point.subarray(33, 65).toString('base64url'),
      },
      format: 'jwk',
    });
  } catch {
    return reject('vapid k is not a point on the P-256 curve');
  }
  const signature = Buffer.from(signaturePart, 'base64url');
  const signed = Buffer.from(`${headerPart}.${claimsPart}`, 'ascii');
  if (signature.length !== 64 || !verify('sha256', signed, { key, dsaEncoding: 'ieee-p1363' }, signature)) {
    return reject('JWT signature does not verify with key k');
  }

  const claims = parseJsonPart(claimsPart);
  if (!claims) return reject('JWT claims are not a JSON object');
  const { aud, exp, sub } = claims;
  if (aud !== origin) return reject(`JWT aud must be the push service origin ${origin}, got ${String(aud)}`);
  const nowSeconds = Math.floor(nowMs / 1000);
  if (typeof exp !== 'number' || !Number.isInteger(exp)) return reject('JWT exp must be an integer');
  if (exp <= nowSeconds) return reject('JWT exp is in the past');
  if (exp > nowSeconds + MAX_EXPIRY_SECONDS) return reject('JWT exp must be at most 24 hours ahead');
  if (typeof sub !== 'string' || !isContactUrl(sub)) return reject('JWT sub must be a mailto: or https: URL');
  return { ok: true, publicKey, claims: { aud, exp, sub } };
}

/** `t=abc, k=def` or with quoted values, per the auth-param syntax of RFC 7235. */
function parseAuthParams(text: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const piece of text.split(',')) {
    const eq = piece.indexOf('=');
    if (eq < 0) continue;
    const name = piece.slice(0, eq).trim().toLowerCase();
    const value = piece
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    params.set(name, value);
  }
  return params;
}

function parseJsonPart(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function isContactUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'mailto:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
