// The browser-side decryption checked against the worked example of RFC 8291 §5 and against tampering.
import { describe, expect, it } from 'vitest';
import { type BrowserKeys, decryptPushBody } from './push-decrypt.ts';

const b64 = (text: string) => Buffer.from(text, 'base64url');

// RFC 8291 §5 and Appendix A: the user agent's keys, the auth secret, and the encrypted body.
const rfcKeys: BrowserKeys = {
  publicKey: b64('BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4'),
  privateKey: b64('q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94'),
  authSecret: b64('BTBZMqHH6r4Tts7J_aSIgg'),
};
const rfcBody = b64(
  'DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3j' +
    'l7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN',
);

describe('decryptPushBody', () => {
  it('decrypts the RFC 8291 example', () => {
    expect(decryptPushBody(rfcBody, rfcKeys).toString('utf8')).toBe('When I grow up, I want to be a watermelon');
  });

  it('refuses a body whose ciphertext was altered', () => {
    const tampered = Buffer.from(rfcBody);
    tampered[100] ^= 0x01;
    expect(() => decryptPushBody(tampered, rfcKeys)).toThrow(/authentication tag/);
  });

  it('refuses when the auth secret differs', () => {
    const keys = { ...rfcKeys, authSecret: Buffer.alloc(16, 7) };
    expect(() => decryptPushBody(rfcBody, keys)).toThrow(/authentication tag/);
  });

  it('refuses a body too short to hold the header, or with a keyid that is not a P-256 key', () => {
    expect(() => decryptPushBody(rfcBody.subarray(0, 10), rfcKeys)).toThrow(/21-byte header/);
    const badKeyId = Buffer.from(rfcBody);
    badKeyId[20] = 64;
    expect(() => decryptPushBody(badKeyId, rfcKeys)).toThrow(/keyid/);
  });

  it('refuses a body that needs more than one record', () => {
    const smallRs = Buffer.from(rfcBody);
    smallRs.writeUInt32BE(40, 16);
    expect(() => decryptPushBody(smallRs, rfcKeys)).toThrow(/one record/);
  });
});
