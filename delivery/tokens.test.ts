// Token signing and verification (rotation, forgery, purpose, expiry) and the links built from tokens.
import { describe, expect, it } from 'vitest';
import { createLinks, unsubscribeTokenFromAddress } from './links.ts';
import { checkTrackingKeys, createTokenSigner, parseTrackingKeys } from './tokens.ts';

const OLD = { kid: 'k1', secret: 'a'.repeat(40) };
const NEW = { kid: 'k2', secret: 'b'.repeat(40) };

describe('token signer', () => {
  it('round-trips every purpose', () => {
    const s = createTokenSigner([NEW]);
    const expiresAt = new Date('2030-01-01T00:00:00Z');
    expect(s.verify(s.sign({ purpose: 'open', decisionId: 42 }), 'open')).toMatchObject({
      ok: true,
      claims: { decisionId: 42 },
    });
    expect(s.verify(s.sign({ purpose: 'click', decisionId: 7 }), 'click')).toMatchObject({
      ok: true,
      claims: { decisionId: 7 },
    });
    expect(s.verify(s.sign({ purpose: 'unsubscribe', fanId: 3, decisionId: 9 }), 'unsubscribe')).toMatchObject({
      ok: true,
      claims: { fanId: 3, decisionId: 9 },
    });
    const p = s.verify(
      s.sign({ purpose: 'preferences', fanId: 5, expiresAt }),
      'preferences',
      new Date('2029-01-01T00:00:00Z'),
    );
    expect(p).toMatchObject({ ok: true, claims: { fanId: 5, expiresAt } });
  });

  it('signs with the first key and verifies with any, so keys can rotate', () => {
    const before = createTokenSigner([OLD]).sign({ purpose: 'click', decisionId: 1 });
    const rotated = createTokenSigner([NEW, OLD]);
    expect(rotated.verify(before, 'click')).toMatchObject({ ok: true, kid: 'k1' });
    expect(rotated.sign({ purpose: 'click', decisionId: 1 }).startsWith('k2.')).toBe(true);
    expect(createTokenSigner([NEW]).verify(before, 'click')).toEqual({ ok: false, reason: 'unknown_key' });
  });

  it('refuses altered, forged, misused and expired tokens', () => {
    const s = createTokenSigner([NEW]);
    const t = s.sign({ purpose: 'click', decisionId: 100 });
    const [kid, body, mac] = t.split('.');
    expect(s.verify(`${kid}.c2t.${mac}`, 'click')).toEqual({ ok: false, reason: 'bad_signature' });
    expect(s.verify(`${kid}.${body}.${mac.slice(0, -1)}${mac.endsWith('a') ? 'b' : 'a'}`, 'click')).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(createTokenSigner([{ kid: 'k2', secret: 'c'.repeat(40) }]).verify(t, 'click')).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(s.verify(t, 'open')).toEqual({ ok: false, reason: 'wrong_purpose' });
    expect(s.verify('garbage', 'click')).toEqual({ ok: false, reason: 'malformed' });
    const old = s.sign({ purpose: 'preferences', fanId: 1, expiresAt: new Date('2020-01-01T00:00:00Z') });
    expect(s.verify(old, 'preferences')).toEqual({ ok: false, reason: 'expired' });
  });

  it('uses only characters that survive a lowercased mailto local part', () => {
    const t = createTokenSigner([NEW]).sign({ purpose: 'unsubscribe', fanId: 123456789, decisionId: 987654321 });
    expect(t).toMatch(/^[a-z0-9.-]+$/);
  });

  it('parses TRACKING_KEYS and names the rule a key breaks', () => {
    expect(parseTrackingKeys(`k2:${NEW.secret}, k1:${OLD.secret}`)).toEqual([NEW, OLD]);
    expect(checkTrackingKeys(parseTrackingKeys('K1:short'))).toBe(
      'key id "K1" must be 1 to 8 lowercase letters or digits',
    );
    expect(checkTrackingKeys(parseTrackingKeys('k1:short'))).toBe('secret of key "k1" must be at least 32 characters');
    expect(checkTrackingKeys([NEW, NEW])).toBe('key id "k2" must appear once');
  });
});

describe('links', () => {
  const links = createLinks({
    publicUrl: 'https://fans.example/',
    mailDomain: 'mail.example',
    signer: createTokenSigner([NEW]),
  });

  it('builds RFC 8058 headers with an https URL and a mailto whose local part fits 64 octets', () => {
    const h = links.listHeaders(2 ** 40, 2 ** 45, '<alerts.mail.example>');
    const m = /^<(https:\/\/fans\.example\/u\/[^>]+)>, <mailto:([^@]+)@mail\.example\?subject=unsubscribe>$/.exec(
      h['List-Unsubscribe'],
    );
    expect(m).not.toBeNull();
    expect(m![2].length).toBeLessThanOrEqual(64);
    expect(h['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(unsubscribeTokenFromAddress(`${m![2].toUpperCase()}@mail.example`)).toBe(m![2].slice('unsubscribe+'.length));
  });

  it('puts tokens in paths the API serves', () => {
    expect(links.openPixel(1)).toMatch(/^https:\/\/fans\.example\/t\/o\/k2\.o1\.[a-z2-7]{26}$/);
    expect(links.click(1)).toMatch(/^https:\/\/fans\.example\/t\/c\/k2\.c1\./);
    expect(links.preferences(1, new Date())).toMatch(/^https:\/\/fans\.example\/preferences\?token=k2\.p1-/);
  });
});
