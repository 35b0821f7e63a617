// The links in a delivered message and the fan controls, over HTTP against real PostgreSQL and the real local peers.
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverDecisions } from '../delivery/deliver.ts';
import { createEmailSender } from '../delivery/email-sender.ts';
import { vapidKeys } from '../delivery/keys.ts';
import { parsePushHosts } from '../delivery/push-endpoint.ts';
import { unsubscribeByMail } from '../delivery/unsubscribe-mail.ts';
import { createHttpApp, type HttpApp } from '../http/app.ts';
import { registerFanRoutes } from '../http/fan-routes.ts';
import { type PushService, startPushService } from '../peers/push-service.ts';
import { type SmtpCapture, startSmtpCapture } from '../peers/smtp-capture.ts';
import { type SeededAudience, seedAudience } from '../testing/audience.ts';
import { createTestSchema, type TestSchema } from '../testing/db.ts';
import {
  type DeliveryRig,
  decideAlerts,
  deliveryRig,
  TEST_PUBLIC_URL,
  TEST_TRACKING_KEYS,
} from '../testing/deliveries.ts';

let db: TestSchema;
let smtp: SmtpCapture;
let push: PushService;
let rig: DeliveryRig;
let app: HttpApp;
let api: string;
let audience: SeededAudience;
let first: { eventId: number; email: number[]; push: number[] };

/** A link as the fan's mail client would follow it, pointed at this test's server instead of the public host. */
const local = (url: string) => url.replace(TEST_PUBLIC_URL, api);
const count = async (sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows[0].n as number;
const engagement = (kind: string) =>
  count(`select count(*)::int as n from engagement_events where kind = $1::text`, [kind]);

beforeAll(async () => {
  db = await createTestSchema('fan_links');
  smtp = await startSmtpCapture();
  push = await startPushService();
  rig = await deliveryRig(db.pool, smtp, push);
  const vapid = await vapidKeys(db.pool);
  audience = await seedAudience(db.pool, {
    fans: 3,
    subscribe: () => push.createSubscription({ applicationServerKey: vapid.publicKey }).subscription,
  });
  app = await createHttpApp();
  registerFanRoutes(app, {
    pool: db.pool,
    now: () => new Date(),
    trackingKeys: TEST_TRACKING_KEYS,
    log: () => {},
    pushEndpoints: { hosts: parsePushHosts(push.allowEntry) },
  });
  api = await app.listen({ port: 0, host: '127.0.0.1' });
  first = await decideAlerts(db.pool, {
    creatorId: audience.creatorId,
    fanIds: audience.fanIds,
    key: 'first',
    url: 'https://creators.example/ana/1',
  });
  expect(await deliverDecisions(rig.deps, [...first.email, ...first.push])).toMatchObject({ sent: 6 });
});

afterAll(async () => {
  await app?.close();
  rig?.close();
  await smtp?.stop();
  await push?.stop();
  await db?.drop();
});

function mailTo(fan: number) {
  return smtp.messages.filter((m) => m.envelope.to[0] === audience.emails[fan]).at(-1)!.parsed;
}
const hrefs = (html: string) => [...html.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) => m[1].replaceAll('&amp;', '&'));

describe('open pixel and click redirect', () => {
  it('counts an open once however often the pixel loads', async () => {
    const pixel = hrefs(mailTo(0).html as string).find((u) => u.includes('/t/o/'))!;
    for (let i = 0; i < 3; i++) {
      const res = await fetch(local(pixel));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/gif');
      expect(res.headers.get('cache-control')).toContain('no-store');
    }
    expect(
      await count(`select count(*)::int as n from engagement_events where kind = 'open' and decision_id = $1::bigint`, [
        first.email[0],
      ]),
    ).toBe(1);
  });

  it('redirects a click to the event URL from the database, whatever the query says', async () => {
    const click = hrefs(mailTo(1).html as string).find((u) => u.includes('/t/c/'))!;
    const res = await fetch(`${local(click)}?url=https://evil.example/`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://creators.example/ana/1');
    const rows = await db.pool.query(
      `select kind, channel, fan_id, event_id from engagement_events where decision_id = $1::bigint order by kind`,
      [first.email[1]],
    );
    // A click implies an open: image-blocking clients never load the pixel.
    expect(rows.rows).toEqual([
      { kind: 'click', channel: 'email', fan_id: audience.fanIds[1], event_id: first.eventId },
      { kind: 'open', channel: 'email', fan_id: audience.fanIds[1], event_id: first.eventId },
    ]);
  });

  it('answers a forged or altered token with 400 and records nothing', async () => {
    const before = await count(`select count(*)::int as n from engagement_events`);
    const click = hrefs(mailTo(2).html as string).find((u) => u.includes('/t/c/'))!;
    const [kid, body, mac] = click.split('/t/c/')[1].split('.');
    const otherDecision = `${kid}.c${first.email[0].toString(36)}.${mac}`;
    const flipped = `${kid}.${body}.${mac.slice(0, -1)}${mac.endsWith('a') ? 'b' : 'a'}`;
    for (const token of [otherDecision, flipped, 'nonsense', `zz.${body}.${mac}`]) {
      const res = await fetch(`${api}/t/c/${token}`, { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect((await fetch(`${api}/t/o/${token}`)).status).toBe(400);
    }
    // A valid token for another purpose is refused as well.
    expect(
      (await fetch(local(rig.deps.links.openPixel(first.email[2])).replace('/t/o/', '/t/c/'), { redirect: 'manual' }))
        .status,
    ).toBe(400);
    expect(await count(`select count(*)::int as n from engagement_events`)).toBe(before);
  });
});

describe('unsubscribe', () => {
  it('GET asks without unsubscribing; the RFC 8058 POST unsubscribes at once, before the next send', async () => {
    // The next event is decided before the fan unsubscribes; delivery re-checks at send time.
    const next = await decideAlerts(db.pool, {
      creatorId: audience.creatorId,
      fanIds: [audience.fanIds[0]],
      key: 'next',
    });
    const list = mailTo(0).headers.get('list') as { unsubscribe: { url: string } };
    const page = await fetch(local(list.unsubscribe.url));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<form method="post"');
    expect(html).toContain('name="List-Unsubscribe" value="One-Click"');
    expect(await count(`select count(*)::int as n from preferences where unsubscribed_at is not null`)).toBe(0);

    const post = () =>
      fetch(local(list.unsubscribe.url), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
    expect((await post()).status).toBe(200);
    expect((await post()).status).toBe(200);
    const pref = await db.pool.query(`select unsubscribed_at from preferences where fan_id = $1::bigint`, [
      audience.fanIds[0],
    ]);
    expect(pref.rows[0].unsubscribed_at).toBeInstanceOf(Date);
    const rows = await db.pool.query(`select decision_id, detail from engagement_events where kind = 'unsubscribe'`);
    expect(rows.rows).toEqual([{ decision_id: first.email[0], detail: { via: 'one_click' } }]);

    const mails = smtp.messages.length;
    const pushes = push.received.length;
    expect(await deliverDecisions(rig.deps, [...next.email, ...next.push])).toMatchObject({ sent: 1, skipped: 1 });
    expect(smtp.messages.length).toBe(mails);
    expect(push.received.length).toBe(pushes + 1);
    const skipped = await db.pool.query(`select error_code from deliveries where decision_id = $1::bigint`, [
      next.email[0],
    ]);
    expect(skipped.rows).toEqual([{ error_code: 'email_opted_out' }]);
  });

  it('accepts the multipart form of the one-click body and refuses a POST without it', async () => {
    const u = local(rig.deps.links.unsubscribe(audience.fanIds[1], first.email[1]).url);
    expect(
      (
        await fetch(u, {
          method: 'POST',
          body: 'something=else',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        })
      ).status,
    ).toBe(400);
    const form = new FormData();
    form.set('List-Unsubscribe', 'One-Click');
    expect((await fetch(u, { method: 'POST', body: form })).status).toBe(200);
    expect(await engagement('unsubscribe')).toBe(2);
    const forged = u.replace(/\.([a-z2-7]+)$/, '.aaaaaaaaaaaaaaaaaaaaaaaaaa');
    const res = await fetch(forged, {
      method: 'POST',
      body: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(400);
    expect(await engagement('unsubscribe')).toBe(2);
  });
});

describe('unsubscribe by mail', () => {
  it('a message to the List-Unsubscribe mailto unsubscribes its fan, once; a forged address does nothing', async () => {
    const list = mailTo(2).headers.get('list') as { unsubscribe: { mail: string } };
    const address = list.unsubscribe.mail.split('?')[0];
    // The fan's mail client sends it; the capture plays the server receiving mail for the From domain.
    const client = createEmailSender({ host: smtp.host, port: smtp.port, from: audience.emails[2] });
    await client.send({ to: address.toUpperCase(), subject: 'unsubscribe', text: '', html: '' });
    client.close();
    const received = smtp.messages.at(-1)!;
    const forged = address.replace(/\.([a-z2-7]+)@/, '.aaaaaaaaaaaaaaaaaaaaaaaaaa@');
    const results = await unsubscribeByMail(db.pool, rig.signer, [
      ...received.envelope.to,
      forged,
      'someone@mail.fanfare.test',
    ]);
    expect(results.map((r) => r.outcome)).toEqual(['unsubscribed', 'invalid_token', 'not_an_unsubscribe_address']);
    expect((await unsubscribeByMail(db.pool, rig.signer, received.envelope.to)).map((r) => r.outcome)).toEqual([
      'already_unsubscribed',
    ]);
    const rows = await db.pool.query(
      `select fan_id, detail from engagement_events where kind = 'unsubscribe' and detail->>'via' = 'mailto'`,
    );
    expect(rows.rows).toEqual([{ fan_id: audience.fanIds[2], detail: { via: 'mailto' } }]);
    await db.pool.query(`update preferences set unsubscribed_at = null where fan_id = $1::bigint`, [
      audience.fanIds[2],
    ]);
  });
});

describe('preferences', () => {
  const prefsUrl = (fan: number) =>
    local(rig.deps.links.preferences(audience.fanIds[fan], new Date())).replace(
      '/preferences?',
      '/api/fans/me/preferences?',
    );
  const put = (url: string, body: unknown) =>
    fetch(url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('needs a valid, unexpired signed token', async () => {
    expect((await fetch(`${api}/api/fans/me/preferences`)).status).toBe(401);
    const expired = rig.signer.sign({
      purpose: 'preferences',
      fanId: audience.fanIds[2],
      expiresAt: new Date(Date.now() - 1000),
    });
    const res = await fetch(`${api}/api/fans/me/preferences?token=${expired}`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      errors: [{ field: 'token', rule: 'invalid link' }],
    });
    const click = rig.signer.sign({ purpose: 'click', decisionId: 1 });
    expect(
      (await fetch(`${api}/api/fans/me/preferences`, { headers: { authorization: `Bearer ${click}` } })).status,
    ).toBe(401);
  });

  it('reads, validates and replaces them; turning email on lifts an unsubscribe', async () => {
    const url = prefsUrl(0);
    const got = await (await fetch(url)).json();
    expect(got).toMatchObject({
      fanId: audience.fanIds[0],
      emailEnabled: false,
      pushEnabled: true,
      digestCadence: 'daily',
      quietHours: null,
      mutedCreatorIds: [],
    });
    expect(got.creators).toEqual([{ id: audience.creatorId, displayName: 'Creator ana' }]);
    expect(got.unsubscribedAt).toMatch(/^\d{4}-/);

    const bad = await put(url, {
      emailEnabled: true,
      pushEnabled: 'no',
      digestCadence: 'daily',
      digestHour: 8,
      quietHours: { start: 1, end: 1 },
      mutedCreatorIds: [],
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors).toEqual([
      { field: 'pushEnabled', rule: 'must be true or false' },
      { field: 'quietHours.end', rule: 'must differ from quietHours.start' },
    ]);
    const unknown = await put(url, {
      emailEnabled: true,
      pushEnabled: true,
      digestCadence: 'daily',
      digestHour: 8,
      quietHours: null,
      mutedCreatorIds: [999999],
    });
    expect(await unknown.json()).toEqual({
      errors: [{ field: 'mutedCreatorIds', rule: 'must name existing creators; unknown: 999999' }],
    });

    const ok = await put(url, {
      emailEnabled: true,
      pushEnabled: false,
      digestCadence: 'weekly',
      digestHour: 19,
      quietHours: { start: 22, end: 7 },
      mutedCreatorIds: [audience.creatorId],
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      emailEnabled: true,
      pushEnabled: false,
      digestCadence: 'weekly',
      digestHour: 19,
      quietHours: { start: 22, end: 7 },
      mutedCreatorIds: [audience.creatorId],
      unsubscribedAt: null,
    });
    const row = await db.pool.query(
      `select quiet_start, quiet_end, unsubscribed_at from preferences where fan_id = $1::bigint`,
      [audience.fanIds[0]],
    );
    expect(row.rows).toEqual([{ quiet_start: 22, quiet_end: 7, unsubscribed_at: null }]);
  });

  it('keeps a digest hour never chosen as none: read and stored as null until the fan chooses', async () => {
    const url = prefsUrl(1);
    const hourOf = async () =>
      (await db.pool.query(`select digest_hour from preferences where fan_id = $1::bigint`, [audience.fanIds[1]]))
        .rows[0]?.digest_hour;
    await db.pool.query(`delete from preferences where fan_id = $1::bigint`, [audience.fanIds[1]]);
    expect((await (await fetch(url)).json()).digestHour).toBeNull();
    const prefs = {
      emailEnabled: true,
      pushEnabled: true,
      digestCadence: 'daily',
      digestHour: null,
      quietHours: null,
      mutedCreatorIds: [],
    };
    expect((await put(url, prefs)).status).toBe(200);
    expect(await hourOf()).toBeNull();
    expect((await (await fetch(url)).json()).digestHour).toBeNull();
    expect((await put(url, { ...prefs, digestHour: 7 })).status).toBe(200);
    expect(await hourOf()).toBe(7);
  });

  it('serves the settings page and the fan page with its service worker', async () => {
    const page = await fetch(`${api}/preferences?token=x`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<script src="/preferences.js"></script>');
    expect(await (await fetch(`${api}/preferences.js`)).text()).toContain('/api/fans/me/preferences?token=');
    const fan = await fetch(`${api}/fan`);
    expect(await fan.text()).toContain('<script src="/fan.js"></script>');
    const fanJs = await (await fetch(`${api}/fan.js`)).text();
    expect(fanJs).toContain("navigator.serviceWorker.register('/sw.js'");
    expect(fanJs).toContain('/api/push/vapid-public-key');
    const sw = await fetch(`${api}/sw.js`);
    expect(sw.headers.get('service-worker-allowed')).toBe('/');
    expect(sw.headers.get('content-type')).toContain('javascript');
    const key = await (await fetch(`${api}/api/push/vapid-public-key`)).json();
    expect(key).toEqual({ publicKey: (await vapidKeys(db.pool)).publicKey });
  });
});

describe('push subscriptions', () => {
  const subscriptions = (
    fan: number,
    token = rig.signer.sign({
      purpose: 'preferences',
      fanId: audience.fanIds[fan],
      expiresAt: new Date(Date.now() + 60_000),
    }),
  ) => `${api}/api/push/subscriptions?token=${token}`;
  const send = (method: string, url: string, body: unknown) =>
    fetch(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('registers a browser subscription that then receives pushes, and removes it', async () => {
    const vapid = await vapidKeys(db.pool);
    const { subscription } = push.createSubscription({ applicationServerKey: vapid.publicKey });
    expect((await send('POST', subscriptions(2, 'forged.token.x'), subscription)).status).toBe(401);
    const created = await send('POST', subscriptions(2), { ...subscription, expirationTime: null });
    expect(created.status).toBe(201);
    expect((await send('POST', subscriptions(2), subscription)).status).toBe(200);

    const d = await decideAlerts(db.pool, {
      creatorId: audience.creatorId,
      fanIds: [audience.fanIds[2]],
      channels: ['push'],
      key: 'device',
    });
    const before = push.received.length;
    expect(await deliverDecisions(rig.deps, d.push)).toMatchObject({ sent: 1 });
    const endpoints = push.received.slice(before).map((p) => p.endpoint);
    expect(endpoints).toHaveLength(2);
    expect(endpoints).toContain(subscription.endpoint);

    expect((await send('DELETE', subscriptions(2), { endpoint: subscription.endpoint })).status).toBe(204);
    expect((await send('DELETE', subscriptions(2), { endpoint: subscription.endpoint })).status).toBe(404);
    const active = await db.pool.query(
      `select endpoint from push_subscriptions where fan_id = $1::bigint and status = 'active'`,
      [audience.fanIds[2]],
    );
    expect(active.rows.map((r) => r.endpoint)).not.toContain(subscription.endpoint);
  });

  it('refuses a malformed subscription, naming the field and rule', async () => {
    const { subscription } = push.createSubscription();
    const res = await send('POST', subscriptions(2), {
      endpoint: subscription.endpoint.replace('https:', 'http:'),
      keys: { p256dh: subscription.keys.p256dh.slice(4), auth: subscription.keys.auth },
      extra: 1,
    });
    expect(res.status).toBe(400);
    expect((await res.json()).errors.map((e: { field: string }) => e.field)).toEqual([
      'extra',
      'endpoint',
      'keys.p256dh',
    ]);
  });
});

describe('service worker', () => {
  it('shows a push as a notification and, on click, opens the post and reports it via the signed link', async () => {
    const handlers = new Map<string, (e: unknown) => void>();
    const shown: { title: string; options: { data?: unknown } }[] = [];
    const opened: string[] = [];
    const self = {
      addEventListener: (type: string, fn: (e: unknown) => void) => handlers.set(type, fn),
      registration: {
        showNotification: async (title: string, options: { data?: unknown }) => void shown.push({ title, options }),
      },
      clients: { openWindow: async (url: string) => void opened.push(url) },
    };
    // The worker's own fetch goes to this test's server, as the browser's would go to PUBLIC_URL.
    const fetchLocal = (url: string, init: RequestInit) => fetch(local(url), init);
    runInNewContext(readFileSync(new URL('../http/static/sw.js', import.meta.url), 'utf8'), {
      self,
      fetch: fetchLocal,
    });

    const d = await decideAlerts(db.pool, {
      creatorId: audience.creatorId,
      fanIds: [audience.fanIds[1]],
      channels: ['push'],
      key: 'sw',
      title: 'Live <now>',
    });
    const before = push.received.length;
    await deliverDecisions(rig.deps, d.push);
    const payload = push.received[before].payload;
    const waits: Promise<unknown>[] = [];
    handlers.get('push')!({
      data: { json: () => JSON.parse(payload), text: () => payload },
      waitUntil: (p: Promise<unknown>) => waits.push(p),
    });
    await Promise.all(waits);
    expect(shown).toEqual([
      {
        title: 'Creator ana',
        options: expect.objectContaining({ body: 'posted: Live <now>', tag: `decision-${d.push[0]}` }),
      },
    ]);

    handlers.get('notificationclick')!({
      notification: { data: shown[0].options.data, close() {} },
      waitUntil: (p: Promise<unknown>) => waits.push(p),
    });
    await Promise.all(waits);
    expect(opened).toEqual(['https://creators.example/p/1']);
    const clicks = await db.pool.query(
      `select channel from engagement_events where kind = 'click' and decision_id = $1::bigint`,
      [d.push[0]],
    );
    expect(clicks.rows).toEqual([{ channel: 'push' }]);
  });
});
