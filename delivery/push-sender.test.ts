// Push sender against the real local push service: decryption round trip, headers, VAPID checks, and failure mapping.
import https from 'node:https';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type PushService, startPushService } from '../peers/push-service.ts';
import { DeliveryError } from './errors.ts';
import type { PushNotification } from './payload.ts';
import { ENDPOINT_RULES, parsePushHosts } from './push-endpoint.ts';
import {
  createPushSender,
  generateVapidKeys,
  type PushMessage,
  type PushSender,
  parseRetryAfter,
} from './push-sender.ts';

let service: PushService;
let sender: PushSender;
const vapid = generateVapidKeys();

beforeAll(async () => {
  service = await startPushService();
  sender = createPushSender({
    vapidPublicKey: vapid.publicKey,
    vapidPrivateKey: vapid.privateKey,
    subject: 'mailto:ops@fanfare.test',
    agent: service.agent,
    endpoints: { hosts: parsePushHosts(service.allowEntry) },
  });
});

afterAll(() => service.stop());

beforeEach(() => service.clear());

const notification: PushNotification = {
  title: 'Aria went live 🎤',
  body: 'Join the stream — ünïcödé welcome',
  url: 'https://fanfare.test/e/1',
  icon: 'https://fanfare.test/c/aria.png',
  tag: 'event-1',
};

function message(overrides: Partial<PushMessage> = {}): PushMessage {
  const { subscription } = service.createSubscription({ applicationServerKey: vapid.publicKey });
  return { subscription, payload: notification, ttlSeconds: 3600, urgency: 'high', ...overrides };
}

async function failureOf(promise: Promise<unknown>): Promise<DeliveryError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeliveryError);
  return err as DeliveryError;
}

describe('push sender', () => {
  it('delivers a payload the browser side decrypts, with TTL, urgency and topic', async () => {
    const msg = message({ topic: 'event-1-live' });
    const result = await sender.send(msg);
    expect(result.providerMessageId).toMatch(new RegExp(`^${service.origin}/message/`));
    const [push] = await service.waitFor(1);
    expect(push.endpoint).toBe(msg.subscription.endpoint);
    expect(push.payloadJson).toEqual(notification);
    expect(JSON.parse(push.payload)).toEqual(notification);
    expect(push.ttl).toBe(3600);
    expect(push.urgency).toBe('high');
    expect(push.topic).toBe('event-1-live');
    expect(push.vapidSubject).toBe('mailto:ops@fanfare.test');
  });

  it('trims an oversized notification so it still goes through', async () => {
    await sender.send(message({ payload: { ...notification, body: 'x'.repeat(20_000) }, urgency: 'low' }));
    const [push] = await service.waitFor(1);
    expect(Buffer.byteLength(push.payload)).toBeLessThanOrEqual(3072);
    expect((push.payloadJson as PushNotification).title).toBe(notification.title);
    expect(push.urgency).toBe('low');
    expect(push.topic).toBeUndefined();
  });

  it('sends to many subscriptions concurrently', async () => {
    await Promise.all(Array.from({ length: 50 }, () => sender.send(message({ urgency: 'normal' }))));
    const pushes = await service.waitFor(50);
    expect(new Set(pushes.map((p) => p.subscriptionId)).size).toBe(50);
  });

  it('is refused when the VAPID signature does not match the key (wrong private key)', async () => {
    const other = generateVapidKeys();
    const forger = createPushSender({
      vapidPublicKey: vapid.publicKey,
      vapidPrivateKey: other.privateKey,
      subject: 'mailto:ops@fanfare.test',
      agent: service.agent,
      endpoints: { hosts: parsePushHosts(service.allowEntry) },
    });
    const err = await failureOf(forger.send(message()));
    expect(err.code).toBe('push_unauthorized');
    expect(err.status).toBe(403);
    expect(err.permanent).toBe(true);
    expect(err.message).toContain('signature');
    expect(service.received).toHaveLength(0);
  });

  it('is refused when a subscription restricted to another application server key gets our push', async () => {
    const stranger = generateVapidKeys();
    const { subscription } = service.createSubscription({ applicationServerKey: stranger.publicKey });
    const err = await failureOf(sender.send(message({ subscription })));
    expect(err.code).toBe('push_unauthorized');
    expect(err.status).toBe(403);
  });

  it('maps an unknown subscription to gone, and an unsubscribed one too', async () => {
    const unknown = message();
    unknown.subscription = { ...unknown.subscription, endpoint: `${service.origin}/push/nosuchsubscription` };
    const err404 = await failureOf(sender.send(unknown));
    expect([err404.code, err404.status, err404.permanent]).toEqual(['push_subscription_gone', 404, true]);

    const { id, subscription } = service.createSubscription();
    service.unsubscribe(id);
    const err410 = await failureOf(sender.send(message({ subscription })));
    expect([err410.code, err410.status, err410.permanent]).toEqual(['push_subscription_gone', 410, true]);
  });

  it.each([
    [404, 'push_subscription_gone', true],
    [410, 'push_subscription_gone', true],
    [413, 'push_payload_too_large', true],
    [500, 'push_server_error', false],
    [503, 'push_server_error', false],
  ] as const)('maps a %i reply to %s', async (status, code, permanent) => {
    service.respondNext(status);
    const err = await failureOf(sender.send(message()));
    expect(err.code).toBe(code);
    expect(err.status).toBe(status);
    expect(err.permanent).toBe(permanent);
  });

  it('maps 429 to a transient rate limit carrying Retry-After', async () => {
    service.respondNext(429, { retryAfter: 120, count: 2 });
    for (let i = 0; i < 2; i += 1) {
      const err = await failureOf(sender.send(message()));
      expect(err.code).toBe('push_rate_limited');
      expect(err.permanent).toBe(false);
      expect(err.retryAfterMs).toBe(120_000);
    }
    await sender.send(message());
    expect(service.received).toHaveLength(1);
  });

  it('reports an unreachable push service as a transient connection failure', async () => {
    const gone = await startPushService();
    const { subscription } = gone.createSubscription();
    await gone.stop();
    const allowingGone = createPushSender({
      vapidPublicKey: vapid.publicKey,
      vapidPrivateKey: vapid.privateKey,
      subject: 'mailto:ops@fanfare.test',
      endpoints: { hosts: parsePushHosts(gone.allowEntry) },
    });
    const err = await failureOf(allowingGone.send(message({ subscription })));
    expect(err.code).toBe('push_connection_failed');
    expect(err.permanent).toBe(false);
  });

  it('refuses, before any connection, an endpoint the allow-list does not name and a key off the curve', async () => {
    const strict = createPushSender({
      vapidPublicKey: vapid.publicKey,
      vapidPrivateKey: vapid.privateKey,
      subject: 'mailto:ops@fanfare.test',
      agent: service.agent,
      endpoints: { hosts: parsePushHosts('default') },
    });
    const err = await failureOf(strict.send(message()));
    expect(err).toMatchObject({ code: 'push_endpoint_refused', permanent: true });
    expect(err.message).toContain(ENDPOINT_RULES.port);
    const m = message();
    const offCurve = Buffer.from(m.subscription.keys.p256dh, 'base64url');
    offCurve[33] = offCurve[33]! ^ 1;
    const keyErr = await failureOf(
      sender.send({
        ...m,
        subscription: { ...m.subscription, keys: { ...m.subscription.keys, p256dh: offCurve.toString('base64url') } },
      }),
    );
    expect(keyErr).toMatchObject({ code: 'push_key_invalid', permanent: true });
    expect(service.received).toHaveLength(0);
  });

  it('refuses at connect time a host name that resolves to a loopback address, even on the allow-list', async () => {
    const port = new URL(service.origin).port;
    let resolved = 0;
    const rebinding = createPushSender({
      vapidPublicKey: vapid.publicKey,
      vapidPrivateKey: vapid.privateKey,
      subject: 'mailto:ops@fanfare.test',
      agent: service.agent,
      endpoints: {
        hosts: parsePushHosts(`push.rebind.test:${port}`),
        resolve: async () => {
          resolved++;
          return [{ address: '127.0.0.1', family: 4 }];
        },
      },
    });
    const m = message();
    const endpoint = m.subscription.endpoint.replace('127.0.0.1', 'push.rebind.test');
    const err = await failureOf(rebinding.send({ ...m, subscription: { ...m.subscription, endpoint } }));
    expect(err).toMatchObject({ code: 'push_endpoint_refused', permanent: true });
    expect(err.message).toMatch(/push\.rebind\.test resolves to 127\.0\.0\.1/);
    expect(resolved).toBeGreaterThan(0);
    expect(service.received).toHaveLength(0);
  });

  it('refuses an agent with a lookup of its own, which would bypass the checked one', () => {
    const agent = new https.Agent({ lookup: (_host, _options, callback) => callback(null, '127.0.0.1', 4) });
    expect(() =>
      createPushSender({
        vapidPublicKey: vapid.publicKey,
        vapidPrivateKey: vapid.privateKey,
        subject: 'mailto:ops@fanfare.test',
        agent,
        endpoints: { hosts: parsePushHosts('default') },
      }),
    ).toThrow(/must not set its own lookup/);
    agent.destroy();
  });

  it('rejects invalid input before sending, naming the field', async () => {
    const err = await failureOf(sender.send(message({ ttlSeconds: -1 })));
    expect(err.code).toBe('invalid_message');
    expect(err.message).toContain('ttlSeconds');
    const topicErr = await failureOf(sender.send(message({ topic: 'not a valid topic!' })));
    expect(topicErr.message).toContain('topic');
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP-dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('30', now)).toBe(30_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});
