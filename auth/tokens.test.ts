// Tests the format of handed-out tokens and the bearer header, which decide what is even looked up.
import { describe, expect, it } from 'vitest';
import { bearerToken, formatToken, matchesHash, newSecret, parseToken, sha256 } from './tokens.ts';

describe('tokens', () => {
  it('makes 43-character random secrets and matches them only against their own hash', () => {
    const a = newSecret();
    const b = newSecret();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(matchesHash(a, sha256(a))).toBe(true);
    expect(matchesHash(b, sha256(a))).toBe(false);
    expect(matchesHash(a, Buffer.alloc(3))).toBe(false);
  });

  it('round-trips prefix, id and secret, and refuses another kind or a malformed token', () => {
    const secret = newSecret();
    const key = formatToken('ffk', 42, secret);
    expect(key).toBe(`ffk_42_${secret}`);
    expect(parseToken('ffk', key)).toEqual({ id: 42, secret });
    expect(parseToken('ffs', key)).toBeNull();
    for (const bad of [
      '',
      'ffk_42',
      `ffk_0_${secret}`,
      `ffk_042_${secret}`,
      `ffk_42_${secret}x`,
      `ffk_1_${'%'.repeat(43)}`,
    ]) {
      expect(parseToken('ffk', bad)).toBeNull();
    }
  });

  it('reads a bearer token and nothing else from an Authorization header', () => {
    expect(bearerToken('Bearer abc.def')).toBe('abc.def');
    expect(bearerToken('bearer abc')).toBe('abc');
    for (const bad of [undefined, '', 'Basic abc', 'Bearer', 'Bearer a b', 'Bearer \u00e9']) {
      expect(bearerToken(bad)).toBeNull();
    }
  });
});
