// Unit tests for the push service's VAPID check: each RFC 8292 rule refused on its own, with the right status.
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkVapid } from './vapid-check.ts';

const origin = 'https://127.0.0.1:8443';
const now = Date.parse('2026-06-01T12:00:00Z');
const nowSeconds = now / 1000;

function keyPair(): { privateKey: KeyObject; k: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
  return { privateKey, k: point.toString('base64url') };
}

function header(claims: Record<string, unknown>, signer = keyPair(), k = signer.k, alg = 'ES256'): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signed = `${part({ typ: 'JWT', alg })}.${part(claims)}`;
  const signature = sign('sha256', Buffer.from(signed), { key: signer.privateKey, dsaEncoding: 'ieee-p1363' });
  return `vapid t=${signed}.${signature.toString('base64url')}, k=${k}`;
}

const good = { aud: origin, exp: nowSeconds + 3600, sub: 'mailto:ops@fanfare.test' };

describe('checkVapid', () => {
  it('accepts a valid token and returns the key and claims', () => {
    const signer = keyPair();
    const result = checkVapid(header(good, signer), origin, now);
    expect(result).toEqual({ ok: true, publicKey: signer.k, claims: good });
  });

  it('accepts an https: subject and quoted parameters', () => {
    const value = header({ ...good, sub: 'https://fanfare.test/contact' }).replace(
      /t=([^,]+), k=(.+)$/,
      't="$1", k="$2"',
    );
    expect(checkVapid(value, origin, now).ok).toBe(true);
  });

  it('answers 401 when the header is missing or of another scheme', () => {
    expect(checkVapid(undefined, origin, now)).toMatchObject({ ok: false, status: 401 });
    expect(checkVapid('Bearer abc', origin, now)).toMatchObject({ ok: false, status: 401 });
  });

  it.each([
    ['a signature made with another key', () => header(good, keyPair(), keyPair().k), /signature/],
    ['an audience that is not this origin', () => header({ ...good, aud: 'https://push.example' }), /aud/],
    ['an expiry in the past', () => header({ ...good, exp: nowSeconds - 1 }), /past/],
    ['an expiry more than 24 hours ahead', () => header({ ...good, exp: nowSeconds + 86_401 }), /24 hours/],
    ['a subject that is not mailto: or https:', () => header({ ...good, sub: 'http://fanfare.test' }), /sub/],
    ['a missing subject', () => header({ aud: origin, exp: good.exp }), /sub/],
    ['another algorithm', () => header(good, undefined, undefined, 'HS256'), /ES256/],
    [
      'a k that is not a P-256 point',
      () => header(good).replace(/k=.*$/, `k=${Buffer.alloc(65, 4).toString('base64url')}`),
      /curve|signature/,
    ],
    ['a token without three parts', () => `vapid t=abc.def, k=${keyPair().k}`, /3 parts/],
  ])('answers 403 for %s', (_what, make, reason) => {
    const result = checkVapid(make(), origin, now);
    expect(result).toMatchObject({ ok: false, status: 403 });
    expect(result.ok === false && result.reason).toMatch(reason);
  });
});
