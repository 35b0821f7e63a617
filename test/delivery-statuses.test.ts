// Every provider reply through deliverDecisions and the real local peers: what is sent, retried, revoked, recorded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverDecisions } from '../delivery/deliver.ts';
import { vapidKeys } from '../delivery/keys.ts';
import { MAX_PAYLOAD_BYTES } from '../delivery/payload.ts';
import { type PushService, startPushService } from '../peers/push-service.ts';
import { type SmtpCapture, startSmtpCapture } from '../peers/smtp-capture.ts';
import { seedAudience } from '../testing/audience.ts';
import { createTestSchema, type TestSchema } from '../testing/db.ts';
import { type DeliveryRig, decideAlerts, deliveryRig } from '../testing/deliveries.ts';

let db: TestSchema;
let smtp: SmtpCapture;
let push: PushService;
let rig: DeliveryRig;
let n = 0;

/** How mailparser parses the List-* headers: one "list" header object keyed by what follows "List-". */
type ParsedListHeaders = {
  unsubscribe: { url: string; mail: string };
  'unsubscribe-post': { name: string };
  id: { id: string };
};

beforeAll(async () => {
  db = await createTestSchema('delivery_statuses');
  smtp = await startSmtpCapture();
  push = await startPushService();
  rig = await deliveryRig(db.pool, smtp, push);
});

afterAll(async () => {
  rig?.close();
  await smtp?.stop();
  await push?.stop();
  await db?.drop();
});

/** A fresh creator with `fans` fans, each with one push subscription; returns the peer's subscription ids too. */
async function world(fans = 1) {
  const vapid = await vapidKeys(db.pool);
  const subscriptionIds: string[] = [];
  const audience = await seedAudience(db.pool, {
    fans,
    handle: `s${++n}`,
    subscribe: () => {
      const s = push.createSubscription({ applicationServerKey: vapid.publicKey });
      subscriptionIds.push(s.id);
      return s.subscription;
    },
  });
  return { ...audience, subscriptionIds };
}

async function ledger(decisionId: number) {
  const r = await db.pool.query(`select status, attempts, error_code from deliveries where decision_id = $1::bigint`, [
    decisionId,
  ]);
  return r.rows[0];
}

describe('email', () => {
  it('arrives with creator HTML escaped, both parts, From, Reply-To, Message-ID and RFC 8058 headers', async () => {
    const w = await world();
    const d = await decideAlerts(db.pool, {
      creatorId: w.creatorId,
      fanIds: w.fanIds,
      channels: ['email'],
      key: 'esc',
      title: '<img src=x onerror=alert(1)> & "quotes"',
    });
    const before = smtp.messages.length;
    expect(await deliverDecisions(rig.deps, d.email)).toMatchObject({ sent: 1 });
    const mail = smtp.messages[before].parsed;
    expect(mail.subject).toBe('Creator s1 posted: <img src=x onerror=alert(1)> & "quotes"');
    expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;');
    expect(mail.html).not.toContain('<img src=x');
    expect(mail.text).toContain('(leads to https://creators.example/p/1)');
    expect(mail.from?.value).toEqual([{ name: 'Fanfare', address: 'notify@mail.fanfare.test' }]);
    expect(mail.replyTo?.text).toBe('help@fanfare.test');
    expect(mail.messageId).toBe(`<decision-${d.email[0]}.email@mail.fanfare.test>`);
    const list = mail.headers.get('list') as ParsedListHeaders;
    expect(list.unsubscribe.url).toMatch(/^https:\/\/fans\.fanfare\.test\/u\/t1\./);
    expect(list.unsubscribe.mail).toMatch(/^unsubscribe\+t1\.[a-z0-9.-]+@mail\.fanfare\.test\?subject=unsubscribe$/);
    expect(list['unsubscribe-post']).toEqual({ name: 'List-Unsubscribe=One-Click' });
    expect(list.id).toMatchObject({ id: 'alerts.mail.fanfare.test' });
  });

  it('a 5xx is a hard bounce: failed, address marked undeliverable, a bounce recorded, no more email', async () => {
    const w = await world();
    const first = await decideAlerts(db.pool, {
      creatorId: w.creatorId,
      fanIds: w.fanIds,
      channels: ['email'],
      key: 'bounce-1',
    });
    smtp.failNext(1, 550, 'No such user here');
    expect(await deliverDecisions(rig.deps, first.email)).toMatchObject({ failed: 1, sent: 0, retry: 0 });
    expect(await ledger(first.email[0])).toEqual({
      status: 'failed',
      attempts: 1,
      error_code: 'smtp_rejected_permanent',
    });
    const fan = await db.pool.query(`select email_status from fans where id = $1::bigint`, [w.fanIds[0]]);
    expect(fan.rows[0].email_status).toBe('undeliverable');
    const bounce = await db.pool.query(
      `select kind, channel, detail from engagement_events where decision_id = $1::bigint`,
      [first.email[0]],
    );
    expect(bounce.rows).toEqual([
      {
        kind: 'bounce',
        channel: 'email',
        detail: expect.objectContaining({ status: 550, code: 'smtp_rejected_permanent' }),
      },
    ]);

    // Not retried, and the next event's email to the same fan is skipped without touching the server.
    const before = smtp.messages.length;
    expect(await deliverDecisions(rig.deps, first.email)).toMatchObject({ sent: 0, failed: 0, retry: 0 });
    const next = await decideAlerts(db.pool, {
      creatorId: w.creatorId,
      fanIds: w.fanIds,
      channels: ['email'],
      key: 'bounce-2',
    });
    expect(await deliverDecisions(rig.deps, next.email)).toMatchObject({ skipped: 1, sent: 0 });
    expect(await ledger(next.email[0])).toMatchObject({ status: 'skipped', error_code: 'email_undeliverable' });
    expect(smtp.messages.length).toBe(before);
  });

  it('a 4xx is retried and delivered once the server recovers', async () => {
    const w = await world();
    const d = await decideAlerts(db.pool, {
      creatorId: w.creatorId,
      fanIds: w.fanIds,
      channels: ['email'],
      key: 'defer',
    });
    smtp.failNext(2, 451, 'Greylisted, try later', 'data');
    expect(await deliverDecisions(rig.deps, d.email)).toMatchObject({ retry: 1, sent: 0 });
    expect(await ledger(d.email[0])).toEqual({ status: 'retry', attempts: 1, error_code: 'smtp_rejected_transient' });
    expect(await deliverDecisions(rig.deps, d.email)).toMatchObject({ retry: 1 });
    const before = smtp.messages.length;
    expect(await deliverDecisions(rig.deps, d.email)).toMatchObject({ sent: 1 });
    expect(await ledger(d.email[0])).toEqual({ status: 'sent', attempts: 3, error_code: null });
    expect(smtp.messages.length).toBe(before + 1);
    const fan = await db.pool.query(`select email_status from fans where id = $1::bigint`, [w.fanIds[0]]);
    expect(fan.rows[0].email_status).toBe('active');
  });
});

describe('push', () => {
  it('takes TTL from the deadline, urgency from the kind, and collapses by topic', async () => {
    const w = await world();
    const deadline = new Date(Date.now() + 600_000);
    const live = await decideAlerts(db.pool, {
      creatorId: w.creatorId,
      fanIds: w.fanIds,
      channels: ['push'],
      key: 'live',
      kind: 'live',
      deadline,
    });
    const post = await decideAlerts(db.pool, {
      creatorId: w.creatorId,
      fanIds: w.fanIds,
      channels: ['push'],
      key: 'post',
      kind: 'post',
    });
    const before = push.received.length;
    expect(await deliverDecisions(rig.deps, [...live.push, ...post.push])).toMatchObject({ sent: 2 });
    // The two are delivered concurrently: tell them apart by topic, not by arrival order.
    const got = push.received.slice(before);
    expect(got).toHaveLength(2);
    const a = got.find((p) => p.topic === `event-${live.eventId}`)!;
    const b = got.find((p) => p.topic === `event-${post.eventId}`)!;
    expect(a.ttl).toBeGreaterThan(590);
    expect(a.ttl).toBeLessThanOrEqual(600);
    expect(a.urgency).toBe('high');
    expect(a.topic).toBe(`event-${live.eventId}`);
    expect(a.payloadJson).toMatchObject({
      tag: `decision-${live.push[0]}`,
      url: 'https://creators.example/p/1',
      ping: expect.stringMatching(/^https:\/\/fans\.fanfare\.test\/t\/c\//),
    });
    expect(b).toMatchObject({ ttl: 86400, urgency: 'low', topic: `event-${post.eventId}` });
  });

  it('keeps a payload with a very long title under the limit', async () => {
    const w = await world();
    const d = await decideAlerts(db.pool, {
      creatorId: w.creatorId,
      fanIds: w.fanIds,
      channels: ['push'],
      key: 'long',
      title: '🎉 Long '.repeat(2000),
    });
    const before = push.received.length;
    expect(await deliverDecisions(rig.deps, d.push)).toMatchObject({ sent: 1 });
    const got = push.received[before];
    expect(Buffer.byteLength(got.payload)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
    expect((got.payloadJson as { body: string }).body.endsWith('…')).toBe(true);
  });

  it.each([410, 404])('a %i revokes the subscription with no retry', async (status) => {
    const w = await world();
    const d = await decideAlerts(db.pool, {
      creatorId: w.creatorId,
      fanIds: w.fanIds,
      channels: ['push'],
      key: `gone-${status}`,
    });
    if (status === 410) push.unsubscribe(w.subscriptionIds[0]);
    else push.respondNext(404);
    expect(await deliverDecisions(rig.deps, d.push)).toMatchObject({ failed: 1, retry: 0 });
    expect(await ledger(d.push[0])).toMatchObject({ status: 'failed', error_code: 'push_subscription_gone' });
    const sub = await db.pool.query(`select status from push_subscriptions where fan_id = $1::bigint`, [w.fanIds[0]]);
    expect(sub.rows).toEqual([{ status: 'revoked' }]);
    expect(await deliverDecisions(rig.deps, d.push)).toMatchObject({ sent: 0, failed: 0, retry: 0 });
    const next = await decideAlerts(db.pool, {
      creatorId: w.creatorId,
      fanIds: w.fanIds,
      channels: ['push'],
      key: `gone-${status}-next`,
    });
    expect(await deliverDecisions(rig.deps, next.push)).toMatchObject({ skipped: 1 });
  });

  it('a 413 is answered with one trimmed payload', async () => {
    const w = await world();
    const d = await decideAlerts(db.pool, {
      creatorId: w.creatorId,
      fanIds: w.fanIds,
      channels: ['push'],
      key: 'too-large',
      title: 'x'.repeat(2500),
    });
    push.respondNext(413);
    const before = push.received.length;
    expect(await deliverDecisions(rig.deps, d.push)).toMatchObject({ sent: 1 });
    expect(push.received.length).toBe(before + 1);
    expect(Buffer.byteLength(push.received[before].payload)).toBeLessThanOrEqual(1024);
    expect(await ledger(d.push[0])).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('a 413 on the trimmed payload too is final', async () => {
    const w = await world();
    const d = await decideAlerts(db.pool, {
      creatorId: w.creatorId,
      fanIds: w.fanIds,
      channels: ['push'],
      key: 'too-large-twice',
    });
    push.respondNext(413, { count: 2 });
    expect(await deliverDecisions(rig.deps, d.push)).toMatchObject({ failed: 1 });
    expect(await ledger(d.push[0])).toMatchObject({ status: 'failed', error_code: 'push_payload_too_large' });
  });

  it('a 429 is retried after Retry-After', async () => {
    const w = await world();
    const d = await decideAlerts(db.pool, {
      creatorId: w.creatorId,
      fanIds: w.fanIds,
      channels: ['push'],
      key: 'rate',
    });
    push.respondNext(429, { retryAfter: 7 });
    expect(await deliverDecisions(rig.deps, d.push)).toMatchObject({ retry: 1, retryAfterMs: 7000 });
    expect(await ledger(d.push[0])).toMatchObject({ status: 'retry', error_code: 'push_rate_limited' });
    const before = push.received.length;
    expect(await deliverDecisions(rig.deps, d.push)).toMatchObject({ sent: 1 });
    expect(push.received.length).toBe(before + 1);
  });

  it.each([500, 503])('a %i is backed off and retried', async (status) => {
    const w = await world();
    const d = await decideAlerts(db.pool, {
      creatorId: w.creatorId,
      fanIds: w.fanIds,
      channels: ['push'],
      key: `server-${status}`,
    });
    push.respondNext(status);
    expect(await deliverDecisions(rig.deps, d.push)).toMatchObject({ retry: 1 });
    expect(await ledger(d.push[0])).toMatchObject({ status: 'retry', error_code: 'push_server_error' });
    expect(await deliverDecisions(rig.deps, d.push)).toMatchObject({ sent: 1 });
    expect(await ledger(d.push[0])).toMatchObject({ status: 'sent', attempts: 2 });
  });
});
