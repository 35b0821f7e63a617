// The local push service spoken to directly over HTTPS: what it accepts, records, and refuses, and with which status.
import https from 'node:https';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import webpush from 'web-push';
import { type PushService, type ReceivedPush, startPushService } from './push-service.ts';

let service: PushService;
const pushed: ReceivedPush[] = [];
const vapid = webpush.generateVAPIDKeys();
const vapidDetails = { subject: 'mailto:ops@fanfare.test', publicKey: vapid.publicKey, privateKey: vapid.privateKey };

beforeAll(async () => {
  service = await startPushService({ onPush: (push) => pushed.push(push) });
});
afterAll(() => service.stop());
beforeEach(() => {
  service.clear();
  pushed.length = 0;
});

type Reply = { status: number; headers: Record<string, unknown>; body: string };

function request(
  method: string,
  path: string,
  headers: Record<string, string>,
  body = Buffer.alloc(0),
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${service.origin}${path}`, { method, headers, agent: service.agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function vapidHeader(): string {
  return webpush.getVapidHeaders(service.origin, vapidDetails.subject, vapid.publicKey, vapid.privateKey, 'aes128gcm')
    .Authorization;
}

describe('local push service', () => {
  it('records a push without payload and calls onPush', async () => {
    const { id, subscription } = service.createSubscription();
    await webpush.sendNotification(subscription, null, { vapidDetails, TTL: 0, agent: service.agent });
    expect(pushed).toHaveLength(1);
    expect(pushed[0]).toMatchObject({ subscriptionId: id, payload: '', ttl: 0, urgency: 'normal' });
    expect(pushed[0].payloadJson).toBeUndefined();
    expect(service.received).toEqual(pushed);
  });

  it('keeps a payload that is not JSON as text only', async () => {
    const { subscription } = service.createSubscription();
    await webpush.sendNotification(subscription, 'plain words', { vapidDetails, TTL: 60, agent: service.agent });
    const [push] = await service.waitFor(1);
    expect(push.payload).toBe('plain words');
    expect(push.payloadJson).toBeUndefined();
  });

  it('answers 413 to a body over 4096 bytes', async () => {
    const { subscription } = service.createSubscription();
    const err = await webpush
      .sendNotification(subscription, 'x'.repeat(4100), { vapidDetails, TTL: 60, agent: service.agent })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ statusCode: 413 });
  });

  it('answers 401 without VAPID and 400 without TTL', async () => {
    const { id } = service.createSubscription();
    expect((await request('POST', `/push/${id}`, { TTL: '60' })).status).toBe(401);
    const noTtl = await request('POST', `/push/${id}`, { Authorization: vapidHeader() });
    expect(noTtl.status).toBe(400);
    expect(noTtl.body).toContain('TTL');
  });

  it('answers 400 to a bad Urgency or Topic, 415 to another encoding and 400 to a body it cannot decrypt', async () => {
    const { id } = service.createSubscription();
    const base = { Authorization: vapidHeader(), TTL: '60' };
    expect((await request('POST', `/push/${id}`, { ...base, Urgency: 'urgent' })).status).toBe(400);
    expect((await request('POST', `/push/${id}`, { ...base, Topic: 'has spaces' })).status).toBe(400);
    const body = Buffer.alloc(120, 1);
    expect((await request('POST', `/push/${id}`, { ...base, 'Content-Encoding': 'aesgcm' }, body)).status).toBe(415);
    const garbled = await request('POST', `/push/${id}`, { ...base, 'Content-Encoding': 'aes128gcm' }, body);
    expect(garbled.status).toBe(400);
    expect(garbled.body).toContain('aes128gcm');
    expect(service.received).toHaveLength(0);
  });

  it('answers 404 to paths that are not push resources and 405 to other methods', async () => {
    const { id } = service.createSubscription();
    expect((await request('POST', '/elsewhere', {})).status).toBe(404);
    expect((await request('GET', `/push/${id}`, {})).status).toBe(405);
  });

  it('replays scripted failures with Retry-After, then recovers', async () => {
    service.respondNext(503, { retryAfter: 7, count: 2 });
    const { id } = service.createSubscription();
    for (let i = 0; i < 2; i += 1) {
      const reply = await request('POST', `/push/${id}`, {});
      expect(reply.status).toBe(503);
      expect(reply.headers['retry-after']).toBe('7');
    }
    expect((await request('POST', `/push/${id}`, {})).status).toBe(401);
    expect(() => service.respondNext(200)).toThrow(/status must be an HTTP 4xx or 5xx/);
  });

  it('answers every request with an outage until it is lifted, then checks again as before', async () => {
    const { id } = service.createSubscription();
    service.outage({ status: 503 });
    for (let i = 0; i < 3; i += 1) expect((await request('POST', `/push/${id}`, {})).status).toBe(503);
    service.outage({ status: 429, retryAfter: 5 });
    const throttled = await request('POST', `/push/${id}`, {});
    expect([throttled.status, throttled.headers['retry-after']]).toEqual([429, '5']);
    service.outage(null);
    // Lifted: the request is judged again, and this one has no VAPID header.
    expect((await request('POST', `/push/${id}`, {})).status).toBe(401);
    expect(() => service.outage({ status: 302 })).toThrow(/outage: status must be an HTTP 4xx or 5xx/);
  });

  it('times out waitFor with a message saying how many arrived', async () => {
    await expect(service.waitFor(1, 50)).rejects.toThrow(/waited 50 ms for 1 pushes, got 0/);
  });
});
