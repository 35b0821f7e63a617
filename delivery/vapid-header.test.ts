// The VAPID header cache: one signed header per push service origin until shortly before its expiry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PushService, startPushService } from '../peers/push-service.ts';
import { checkVapid } from '../peers/vapid-check.ts';
import { parsePushHosts } from './push-endpoint.ts';
import { createPushSender, generateVapidKeys } from './push-sender.ts';
import { createVapidHeaders } from './vapid-header.ts';

const vapid = generateVapidKeys();
const identity = { subject: 'mailto:ops@fanfare.test', publicKey: vapid.publicKey, privateKey: vapid.privateKey };
const T0 = Date.parse('2026-12-07T12:00:00Z');

function clock() {
  let ms = T0;
  return { now: () => ms, advance: (seconds: number) => (ms += seconds * 1000) };
}

describe('VAPID header cache', () => {
  it('reuses one header per origin within its window, and that header verifies until its renewal', () => {
    const c = clock();
    const header = createVapidHeaders(identity, { lifetimeSeconds: 3600, renewBeforeSeconds: 600, now: c.now });
    const first = header('https://push.example.net/a/1');
    // ES256 signatures are randomised: an equal header can only be the same signing reused.
    expect(header('https://push.example.net/b/2?x=1')).toBe(first);
    c.advance(2999);
    expect(header('https://push.example.net/c/3')).toBe(first);
    const check = checkVapid(first, 'https://push.example.net', c.now());
    expect(check).toMatchObject({ ok: true, claims: { aud: 'https://push.example.net', sub: identity.subject } });
    expect(check.ok && check.claims.exp).toBe(T0 / 1000 + 3600);
  });

  it('signs a separate header for another origin, bound to that origin', () => {
    const c = clock();
    const header = createVapidHeaders(identity, { now: c.now });
    const a = header('https://push.example.net/a/1');
    const b = header('https://push.example.net:8443/a/1');
    const other = header('https://updates.example.org/a/1');
    expect(new Set([a, b, other]).size).toBe(3);
    expect(checkVapid(b, 'https://push.example.net:8443', c.now()).ok).toBe(true);
    expect(checkVapid(other, 'https://updates.example.org', c.now()).ok).toBe(true);
    expect(checkVapid(other, 'https://push.example.net', c.now())).toMatchObject({ ok: false, status: 403 });
    expect(header('https://push.example.net/z')).toBe(a);
  });

  it('signs a new header once its expiry is near, and the new one claims a later expiry', () => {
    const c = clock();
    const header = createVapidHeaders(identity, { lifetimeSeconds: 3600, renewBeforeSeconds: 600, now: c.now });
    const first = header('https://push.example.net/a');
    c.advance(3000);
    const second = header('https://push.example.net/a');
    expect(second).not.toBe(first);
    const claims = checkVapid(second, 'https://push.example.net', c.now());
    expect(claims.ok && claims.claims.exp).toBe(T0 / 1000 + 3000 + 3600);
    // The old one would have expired while still in use: past its exp a push service refuses it.
    expect(checkVapid(first, 'https://push.example.net', T0 + 3601 * 1000)).toMatchObject({ ok: false, status: 403 });
    expect(header('https://push.example.net/a')).toBe(second);
  });

  it('refuses a lifetime RFC 8292 does not allow or a renewal margin that leaves no window', () => {
    expect(() => createVapidHeaders(identity, { lifetimeSeconds: 25 * 3600 })).toThrow(RangeError);
    expect(() => createVapidHeaders(identity, { lifetimeSeconds: 600, renewBeforeSeconds: 600 })).toThrow(RangeError);
  });
});

describe('push sender with the cache, against the real push service', () => {
  let service: PushService;
  beforeAll(async () => {
    service = await startPushService();
  });
  afterAll(() => service.stop());

  it('sends every message with the one cached header, and the push service accepts each', async () => {
    const sender = createPushSender({
      vapidPublicKey: vapid.publicKey,
      vapidPrivateKey: vapid.privateKey,
      subject: identity.subject,
      agent: service.agent,
      endpoints: { hosts: parsePushHosts(service.allowEntry) },
    });
    for (let i = 0; i < 3; i++) {
      const { subscription } = service.createSubscription({ applicationServerKey: vapid.publicKey });
      await sender.send({
        subscription,
        payload: { title: `t${i}`, body: 'b', url: 'https://x.test/' },
        ttlSeconds: 60,
        urgency: 'low',
      });
    }
    const pushes = await service.waitFor(3);
    expect(pushes.map((p) => p.payloadJson)).toEqual(
      [0, 1, 2].map((i) => ({ title: `t${i}`, body: 'b', url: 'https://x.test/' })),
    );
    expect(new Set(pushes.map((p) => p.authorization)).size).toBe(1);
    expect(checkVapid(pushes[0].authorization, service.origin).ok).toBe(true);
  });
});
