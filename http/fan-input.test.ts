// Preferences and push subscription input checks: each bad field named with its rule.
import { createECDH } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ENDPOINT_RULES, KEY_RULES, parsePushHosts } from '../delivery/push-endpoint.ts';
import { validatePreferences, validatePushSubscription } from './fan-input.ts';

const PREFS = {
  emailEnabled: true,
  pushEnabled: false,
  digestCadence: 'weekly',
  digestHour: 9,
  quietHours: { start: 22, end: 7 },
  mutedCreatorIds: [3, 1, 3],
};
const P256DH = createECDH('prime256v1').generateKeys().toString('base64url');
/** push.example is the allowed push service; it resolves to a public address. */
const ENDPOINTS = {
  hosts: parsePushHosts('push.example'),
  resolve: async () => [{ address: '93.184.216.34', family: 4 }],
};
const AUTH = Buffer.alloc(16, 1).toString('base64url');
const SUB = { endpoint: 'https://push.example/s/1', expirationTime: null, keys: { p256dh: P256DH, auth: AUTH } };

describe('validatePreferences', () => {
  it('accepts a full set and normalises muted ids', () => {
    expect(validatePreferences(PREFS)).toEqual({ ok: true, value: { ...PREFS, mutedCreatorIds: [1, 3] } });
    expect(validatePreferences({ ...PREFS, quietHours: null })).toMatchObject({
      ok: true,
      value: { quietHours: null },
    });
  });

  it('takes a null digest hour as "never chosen"', () => {
    expect(validatePreferences({ ...PREFS, digestHour: null })).toMatchObject({
      ok: true,
      value: { digestHour: null },
    });
  });

  it('names each bad field and its rule', () => {
    const r = validatePreferences({
      emailEnabled: 'yes',
      pushEnabled: true,
      digestCadence: 'hourly',
      digestHour: 24,
      quietHours: { start: 5, end: 5, x: 1 },
      mutedCreatorIds: [0],
      extra: 1,
    });
    expect(r).toEqual({
      ok: false,
      errors: [
        { field: 'extra', rule: 'is not a known field' },
        { field: 'emailEnabled', rule: 'must be true or false' },
        { field: 'digestCadence', rule: 'must be one of "off", "daily", "weekly"' },
        { field: 'digestHour', rule: 'must be an integer from 0 to 23, or null for the default hour' },
        { field: 'quietHours.x', rule: 'is not a known field' },
        { field: 'quietHours.end', rule: 'must differ from quietHours.start' },
        { field: 'mutedCreatorIds[0]', rule: 'must be a positive integer' },
      ],
    });
    expect(validatePreferences({})).toMatchObject({
      ok: false,
      errors: expect.arrayContaining([{ field: 'digestHour', rule: 'is required' }]),
    });
    expect(validatePreferences([])).toEqual({
      ok: false,
      errors: [{ field: '(body)', rule: 'must be a JSON object' }],
    });
  });
});

describe('validatePushSubscription', () => {
  const check = (body: unknown) => validatePushSubscription(body, ENDPOINTS);

  it('accepts what PushSubscription.toJSON() gives', async () => {
    expect(await check(SUB)).toEqual({ ok: true, value: { endpoint: SUB.endpoint, keys: SUB.keys } });
  });

  it('refuses a wrong key length, a non-https endpoint and unknown fields, saying which', async () => {
    expect(await check({ ...SUB, keys: { p256dh: P256DH.slice(0, 40), auth: AUTH } })).toEqual({
      ok: false,
      errors: [
        {
          field: 'keys.p256dh',
          rule: 'must be a base64url uncompressed P-256 public key (65 bytes starting 0x04), got 30 bytes',
        },
      ],
    });
    expect(await check({ ...SUB, keys: { p256dh: P256DH, auth: Buffer.alloc(8).toString('base64url') } })).toEqual({
      ok: false,
      errors: [{ field: 'keys.auth', rule: 'must be a base64url 16-byte secret, got 8 bytes' }],
    });
    expect(await check({ ...SUB, endpoint: 'http://push.example/s/1' })).toEqual({
      ok: false,
      errors: [{ field: 'endpoint', rule: 'must be an https URL' }],
    });
    expect(await check({ ...SUB, owner: 'me', keys: { ...SUB.keys, extra: 'x' } })).toEqual({
      ok: false,
      errors: [
        { field: 'owner', rule: 'is not a known field' },
        { field: 'keys.extra', rule: 'is not a known field' },
      ],
    });
    expect(await check({ endpoint: 'https://p.example/1' })).toEqual({
      ok: false,
      errors: [{ field: 'keys', rule: 'must be an object with p256dh and auth' }],
    });
  });

  it('refuses an endpoint that may not be called and a key off the curve, with the rule', async () => {
    const offCurve = Buffer.from(P256DH, 'base64url');
    offCurve[64] = offCurve[64]! ^ 1;
    expect(await check({ ...SUB, keys: { ...SUB.keys, p256dh: offCurve.toString('base64url') } })).toEqual({
      ok: false,
      errors: [{ field: 'keys.p256dh', rule: KEY_RULES.p256dh }],
    });
    for (const [endpoint, rule] of [
      ['https://push.example:8443/s/1', ENDPOINT_RULES.port],
      ['https://other.example/s/1', ENDPOINT_RULES.host],
      ['https://127.0.0.1/s/1', ENDPOINT_RULES.host],
    ] as const)
      expect(await check({ ...SUB, endpoint }), endpoint).toEqual({ ok: false, errors: [{ field: 'endpoint', rule }] });
    const privately = { ...ENDPOINTS, resolve: async () => [{ address: '10.0.0.7', family: 4 }] };
    expect(await validatePushSubscription(SUB, privately)).toEqual({
      ok: false,
      errors: [{ field: 'endpoint', rule: ENDPOINT_RULES.publicAddress }],
    });
  });
});
