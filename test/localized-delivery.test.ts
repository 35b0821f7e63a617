// Every template in every locale through the real peers: the parsed email, the decrypted push and the fan pages are in
// the fan's language, with dates in the fan's zone and locale; the push size limits hold for multi-byte text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordDigests } from '../db/digests.ts';
import { deliverDecisions, TRIMMED_PUSH_PAYLOAD_BYTES } from '../delivery/deliver.ts';
import { deliverDigests } from '../delivery/digests.ts';
import { CATALOGUES, type Localizer, localizer, type MessageValues } from '../delivery/i18n.ts';
import { vapidKeys } from '../delivery/keys.ts';
import { MAX_PAYLOAD_BYTES } from '../delivery/payload.ts';
import { parsePushHosts } from '../delivery/push-endpoint.ts';
import { escapeHtml } from '../delivery/templates.ts';
import { createHttpApp, type HttpApp } from '../http/app.ts';
import { registerFanRoutes } from '../http/fan-routes.ts';
import { type PushService, startPushService } from '../peers/push-service.ts';
import { type SmtpCapture, startSmtpCapture } from '../peers/smtp-capture.ts';
import { seedAudience } from '../testing/audience.ts';
import { createTestSchema, type TestSchema } from '../testing/db.ts';
import {
  type DeliveryRig,
  decideAlerts,
  deliveryRig,
  TEST_PUBLIC_URL,
  TEST_TRACKING_KEYS,
} from '../testing/deliveries.ts';

/** The tag a fan of each catalogue carries (a regional one where fans have one), and a zone far from the others. */
const REGIONAL: Record<string, string> = { en: 'en-US', es: 'es-MX', de: 'de-DE', fr: 'fr-FR', ja: 'ja-JP' };
const ZONES = ['America/Los_Angeles', 'America/Mexico_City', 'America/Sao_Paulo', 'Europe/Berlin', 'Asia/Tokyo'];
/** One fan per catalogue, and a Korean one with no catalogue of their own: they read English, in Seoul time. */
const FANS = [
  ...[...CATALOGUES.keys()].map((tag, i) => ({ tag: REGIONAL[tag] ?? tag, zone: ZONES[i % ZONES.length] })),
  { tag: 'ko-KR', zone: 'Asia/Seoul' },
];
/** 23:30 UTC: already the next day in Tokyo and Seoul, still the same day in the Americas. */
const AT = new Date('2026-03-14T23:30:00Z');
const DEADLINE = new Date('2026-03-16T03:15:00Z');
const DIGEST_AT = new Date('2026-03-15T07:00:00Z');
/** Creator content in several scripts and with markup: it must arrive as written, escaped in HTML. */
const TITLE = 'Backstage «Ω» 🎸 <live> & ライブ';

let db: TestSchema;
let smtp: SmtpCapture;
let push: PushService;
let rig: DeliveryRig;
let app: HttpApp;
let api: string;
let fanIds: number[];
let emails: string[];
const subscriptionOf: string[] = [];

const l10n = (i: number) => localizer(FANS[i].tag, FANS[i].zone);
const creatorName = (handle: string) => `Creator ${handle}`;

/** A date and a time as Intl writes them in the fan's locale and zone, computed apart from the catalogues. */
function written(l: Localizer, at: Date, date: Intl.DateTimeFormatOptions) {
  const zone = { timeZone: l.timeZone };
  return {
    date: new Intl.DateTimeFormat(l.locale, { ...date, ...zone }).format(at),
    time: new Intl.DateTimeFormat(l.locale, { hour: 'numeric', minute: 'numeric', ...zone }).format(at),
  };
}
const FULL = { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' } as const;
const MEDIUM = { year: 'numeric', month: 'short', day: 'numeric' } as const;

/** The fixed text of a message around the values not known here (links): each piece must appear in the output. */
function pieces(l: Localizer, key: string, values: MessageValues, free: string[]): string[] {
  const marked = l.t(key, { ...values, ...Object.fromEntries(free.map((n) => [n, '\uE001'])) });
  return marked
    .split('\uE001')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/** English's fixed text in emails: none of it may appear in another language's. */
const ENGLISH = localizer('en', 'UTC');
const ENGLISH_EMAIL = [
  ...pieces(ENGLISH, 'email.alert.readIt', {}, ['link']),
  ...pieces(ENGLISH, 'email.text.settings', {}, ['link']),
  ENGLISH.t('email.footer.unsubscribe'),
  ENGLISH.t('email.alert.open'),
  ' posted',
  ENGLISH.t('digest.heading', { cadence: 'daily' }),
  ENGLISH.t('digest.heading', { cadence: 'weekly' }),
  'leads to',
];

beforeAll(async () => {
  db = await createTestSchema('localized_delivery');
  smtp = await startSmtpCapture();
  push = await startPushService();
  rig = await deliveryRig(db.pool, smtp, push);
  const vapid = await vapidKeys(db.pool);
  const audience = await seedAudience(db.pool, {
    fans: FANS.length,
    handle: 'l1',
    subscribe: (position) => {
      const s = push.createSubscription({ applicationServerKey: vapid.publicKey });
      subscriptionOf[position] = s.id;
      return s.subscription;
    },
  });
  ({ fanIds, emails } = audience);
  await db.pool.query(
    `update fans f set locale = t.locale, time_zone = t.zone
       from unnest($1::bigint[], $2::text[], $3::text[]) as t (id, locale, zone) where f.id = t.id`,
    [fanIds, FANS.map((f) => f.tag), FANS.map((f) => f.zone)],
  );
  app = await createHttpApp();
  registerFanRoutes(app, {
    pool: db.pool,
    now: () => new Date(),
    trackingKeys: TEST_TRACKING_KEYS,
    log: () => {},
    pushEndpoints: { hosts: parsePushHosts(push.allowEntry) },
  });
  api = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app?.close();
  rig?.close();
  await smtp?.stop();
  await push?.stop();
  await db?.drop();
});

/** An event of `kind` by `creatorId` to every fan, announced at AT, with alert decisions on `channels`. */
async function event(key: string, kind: 'post' | 'live' | 'announcement', deadline: Date | null, creatorId?: number) {
  const d = await decideAlerts(db.pool, {
    creatorId: creatorId ?? (await db.pool.query(`select id from creators where handle = 'l1'`)).rows[0].id,
    fanIds,
    kind,
    title: TITLE,
    url: `https://creators.example/l1/${key}`,
    deadline,
    key,
  });
  await db.pool.query(`update creator_events set created_at = $2::timestamptz where id = $1::bigint`, [d.eventId, AT]);
  return d;
}

describe('alerts', () => {
  it.each([
    ['post', DEADLINE],
    ['live', DEADLINE],
    ['announcement', null],
  ] as const)(
    'an alert of kind %s reaches every fan by email and push in their language, zone and locale',
    async (kind, deadline) => {
      const d = await event(`alert-${kind}`, kind, deadline);
      const mailMark = smtp.messages.length;
      const pushMark = push.received.length;
      expect(await deliverDecisions(rig.deps, [...d.email, ...d.push])).toMatchObject({ sent: 2 * FANS.length });
      const mails = smtp.messages.slice(mailMark);
      const pushes = push.received.slice(pushMark);
      expect(mails).toHaveLength(FANS.length);
      expect(pushes).toHaveLength(FANS.length);

      for (const [i, fan] of FANS.entries()) {
        const l = l10n(i);
        const values: MessageValues = { creator: creatorName('l1'), kind, title: TITLE, at: AT };
        if (deadline) values.deadline = deadline;
        const mail = mails.find((m) => m.envelope.to[0] === emails[i])!.parsed;
        const text = mail.text ?? '';
        const html = String(mail.html);
        expect(mail.subject, fan.tag).toBe(l.t('email.alert.subject', values));
        expect(mail.subject).toContain(TITLE);
        expect(text).toContain(l.t('email.alert.when', values));
        if (deadline) expect(text).toContain(l.t('email.alert.until', values));
        expect(text).toContain(l.t('email.leadsTo', { url: `https://creators.example/l1/alert-${kind}` }));
        for (const key of ['email.alert.readIt', 'email.text.settings', 'email.text.unsubscribe'])
          for (const piece of pieces(l, key, {}, ['link'])) expect(text, `${fan.tag} ${key}`).toContain(piece);
        for (const key of ['email.alert.open', 'email.footer.settings', 'email.footer.unsubscribe'])
          expect(html, `${fan.tag} ${key}`).toContain(`>${escapeHtml(l.t(key))}</a>`);
        expect(html).toContain(escapeHtml(l.t('email.alert.lead', values)));
        expect(html).toContain(`<html lang="${l.locale}" dir="ltr">`);
        expect(html).toContain(escapeHtml(TITLE));
        // Dates as Intl writes them in the fan's locale and zone, computed apart from the catalogues.
        const at = written(l, AT, FULL);
        expect(text, fan.tag).toContain(at.date);
        expect(text, fan.tag).toContain(at.time);
        if (deadline) expect(text).toContain(written(l, deadline, FULL).date);
        if (l.catalogue !== 'en') for (const english of ENGLISH_EMAIL) expect(`${text}${html}`).not.toContain(english);

        const received = pushes.find((p) => p.subscriptionId === subscriptionOf[i])!;
        const body = l.t(deadline ? 'push.alert.bodyUntil' : 'push.alert.body', values);
        expect(received.payloadJson, fan.tag).toMatchObject({ title: creatorName('l1'), body });
        if (deadline) expect(body).toContain(written(l, deadline, MEDIUM).date);
        if (l.catalogue !== 'en') expect(body).not.toMatch(/posted|is live|announced|until/);
      }
    },
  );

  it('writes the fallback fan in English with Seoul dates, and the Tokyo fan on the next day', async () => {
    const seoul = FANS.findIndex((f) => f.tag === 'ko-KR');
    expect(l10n(seoul)).toMatchObject({ catalogue: 'en', locale: 'en', timeZone: 'Asia/Seoul' });
    const mail = smtp.messages.find((m) => m.envelope.to[0] === emails[seoul])!.parsed;
    expect(mail.text).toContain('Posted on Sunday, March 15, 2026 at 8:30 AM');
    const tokyo = FANS.findIndex((f) => f.tag === 'ja-JP');
    expect(smtp.messages.find((m) => m.envelope.to[0] === emails[tokyo])!.parsed.text).toContain(
      '投稿日時：2026年3月15日日曜日 8:30',
    );
  });
});

describe('digests', () => {
  it('arrive in every fan’s language: heading, period, item lines and "and N more"', async () => {
    const creators: number[] = [];
    for (const handle of ['l2', 'l3', 'l4']) {
      const a = await seedAudience(db.pool, { fans: 1, handle, noPush: [0], subscribe: () => ({}) as never });
      creators.push(a.creatorId);
    }
    const first = await event('digest-1', 'post', null);
    const items = [first];
    for (const [n, creatorId] of creators.entries())
      items.push(await event(`digest-${n + 2}`, n === 0 ? 'live' : 'announcement', null, creatorId));
    const ids = await recordDigests(
      db.pool,
      fanIds.flatMap((fanId, i) => [
        {
          fanId,
          period: 'weekly:2026-03-15',
          cadence: 'weekly' as const,
          items: items.map((e) => ({ decisionId: e.email[i], eventId: e.eventId, score: 0.5 })),
        },
        {
          fanId,
          period: 'daily:2026-03-15',
          cadence: 'daily' as const,
          items: items.slice(0, 2).map((e) => ({ decisionId: e.email[i], eventId: e.eventId, score: 0.5 })),
        },
      ]),
    );
    const mark = smtp.messages.length;
    const report = await deliverDigests({ ...rig.deps, now: () => DIGEST_AT }, ids);
    expect(report).toMatchObject({ sent: 2 * FANS.length, failed: 0 });
    const mails = smtp.messages.slice(mark);

    const names = ['l1', 'l2', 'l3', 'l4'].map(creatorName);
    const kinds = ['post', 'live', 'announcement', 'announcement'];
    for (const [i, fan] of FANS.entries()) {
      const l = l10n(i);
      const mine = mails.filter((m) => m.envelope.to[0] === emails[i]).map((m) => m.parsed);
      const weekly = mine.find(
        (m) =>
          m.subject ===
          l.t('digest.subject', {
            cadence: 'weekly',
            count: 4,
            creators: l.t('digest.creators.more', { first: names[0], second: names[1], count: 2 }),
          }),
      );
      const daily = mine.find(
        (m) =>
          m.subject ===
          l.t('digest.subject', {
            cadence: 'daily',
            count: 2,
            creators: l.t('digest.creators.two', { first: names[0], second: names[1] }),
          }),
      );
      expect(weekly, `${fan.tag} weekly: ${mine.map((m) => m.subject)}`).toBeDefined();
      expect(daily, `${fan.tag} daily`).toBeDefined();
      for (const [mail, cadence, n] of [
        [weekly!, 'weekly', 4],
        [daily!, 'daily', 2],
      ] as const) {
        const text = mail.text ?? '';
        const html = String(mail.html);
        expect(text).toContain(l.t('digest.period', { cadence, at: DIGEST_AT }));
        expect(text).toContain(written(l, DIGEST_AT, FULL).date);
        expect(html).toContain(escapeHtml(l.t('digest.heading', { cadence })));
        expect(html).toContain(`<html lang="${l.locale}" dir="ltr">`);
        for (let k = 0; k < n; k++) {
          const values = { creator: names[k], kind: kinds[k], title: TITLE, at: AT };
          expect(text, `${fan.tag} item ${k}`).toContain(l.t('digest.item', values));
          expect(text).toContain(l.t('digest.item.when', values));
          expect(html).toContain(escapeHtml(l.t('digest.item.lead', values)));
        }
        expect(text).toContain(written(l, AT, MEDIUM).date);
        if (l.catalogue !== 'en') for (const english of ENGLISH_EMAIL) expect(`${text}${html}`).not.toContain(english);
      }
    }
  });
});

describe('push size', () => {
  it('keeps every locale’s payload within 3 KB, multi-byte titles trimmed on grapheme boundaries', async () => {
    const long = '🎸ライブ«Ω»配信中 '.repeat(400);
    const d = await decideAlerts(db.pool, {
      creatorId: (await db.pool.query(`select id from creators where handle = 'l1'`)).rows[0].id,
      fanIds,
      channels: ['push'],
      kind: 'live',
      title: long,
      deadline: DEADLINE,
      key: 'push-long',
    });
    const mark = push.received.length;
    const report = await deliverDecisions(rig.deps, d.push);
    const ledger = await db.pool.query(
      `select status, error_code, error_message from deliveries where decision_id = any($1::bigint[])`,
      [d.push],
    );
    expect(report, JSON.stringify(ledger.rows)).toMatchObject({ sent: FANS.length });
    for (const [i, fan] of FANS.entries()) {
      const received = push.received.slice(mark).find((p) => p.subscriptionId === subscriptionOf[i])!;
      expect(Buffer.byteLength(received.payload), fan.tag).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
      expect(Buffer.byteLength(received.payload)).toBeGreaterThan(MAX_PAYLOAD_BYTES - 64);
      const { body } = received.payloadJson as { body: string };
      expect(body.endsWith('…')).toBe(true);
      expect(body.startsWith(l10n(i).t('push.alert.body', { kind: 'live', title: '' }).trim())).toBe(true);
      expect(body).not.toMatch(/\uFFFD|[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    }
  });

  it('answers a 413 with one payload trimmed to 1 KB, for every locale', async () => {
    const long = '🎸ライブ«Ω»配信中 '.repeat(60);
    for (const [i, fan] of FANS.entries()) {
      const d = await decideAlerts(db.pool, {
        creatorId: (await db.pool.query(`select id from creators where handle = 'l1'`)).rows[0].id,
        fanIds: [fanIds[i]],
        channels: ['push'],
        title: long,
        deadline: DEADLINE,
        key: `push-413-${i}`,
      });
      const mark = push.received.length;
      push.respondNext(413);
      expect(await deliverDecisions(rig.deps, d.push), fan.tag).toMatchObject({ sent: 1 });
      const resent = push.received.slice(mark);
      expect(resent).toHaveLength(1);
      expect(Buffer.byteLength(resent[0].payload), fan.tag).toBeLessThanOrEqual(TRIMMED_PUSH_PAYLOAD_BYTES);
      const json = resent[0].payloadJson as { title: string; body: string; tag: string };
      expect(json.title).toBe(creatorName('l1'));
      expect(json.body.endsWith('…')).toBe(true);
      expect(json.tag).toBe(`decision-${d.push[0]}`);
    }
  });
});

describe('fan pages', () => {
  /** A link as the fan's mail client would follow it, pointed at this test's server. */
  const local = (url: string) => url.replace(TEST_PUBLIC_URL, api);
  const messagesOf = (html: string) =>
    JSON.parse(/<script type="application\/json" id="messages">(.*?)<\/script>/s.exec(html)![1]) as Record<
      string,
      string
    >;

  it('asks, and confirms, an unsubscribe in the fan’s language', async () => {
    for (const [i, fan] of FANS.entries()) {
      const l = l10n(i);
      const url = local(rig.deps.links.unsubscribe(fanIds[i]).url);
      const page = await fetch(url, { headers: { 'accept-language': 'fr' } });
      const html = await page.text();
      expect(html, fan.tag).toContain(`<html lang="${l.locale}" dir="ltr">`);
      expect(page.headers.get('content-language')).toBe(l.locale);
      for (const key of ['page.unsubscribe.heading', 'page.unsubscribe.body', 'page.unsubscribe.button'])
        expect(html, `${fan.tag} ${key}`).toContain(escapeHtml(l.t(key)));
      const done = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click&via=page',
      });
      const confirmed = await done.text();
      expect(done.status).toBe(200);
      expect(confirmed).toContain(escapeHtml(l.t('page.unsubscribed.heading')));
      expect(confirmed).toContain(escapeHtml(l.t('page.unsubscribed.body')));
    }
  });

  it('speaks the browser’s language where a link cannot say whose it is', async () => {
    const forged = await fetch(`${api}/u/forged`, { headers: { 'accept-language': 'ko, ja;q=0.8, en;q=0.5' } });
    expect(forged.status).toBe(400);
    const html = await forged.text();
    expect(html).toContain('<html lang="ja" dir="ltr">');
    expect(html).toContain('このリンクは無効です');
    const reload = await (await fetch(`${api}/u`, { headers: { 'accept-language': 'pt-BR' } })).text();
    expect(reload).toContain(escapeHtml(localizer('pt-BR', 'UTC').t('page.unsubscribe.reopen')));
    const kept = await (await fetch(`${api}/preferences?lang=de-DE`, { headers: { 'accept-language': 'es' } })).text();
    expect(kept).toContain('<html lang="de-DE" dir="ltr">');
  });

  it('shows the preferences page and the fan page in the fan’s language, hours as the locale writes them', async () => {
    for (const [i, fan] of FANS.entries()) {
      const l = l10n(i);
      const prefsUrl = local(rig.deps.links.preferences(fanIds[i], new Date()));
      const prefs = await (await fetch(prefsUrl)).text();
      expect(prefs, fan.tag).toContain(`<html lang="${l.locale}" dir="ltr">`);
      for (const key of ['prefs.title', 'prefs.heading', 'prefs.channels', 'prefs.cadence.weekly', 'prefs.save'])
        expect(prefs, `${fan.tag} ${key}`).toContain(escapeHtml(l.t(key)));
      for (const piece of pieces(l, 'prefs.quiet.range', {}, ['start', 'end'])) expect(prefs).toContain(piece);
      expect(prefs).toContain(`<option value="20">${escapeHtml(l.hour(20))}</option>`);
      expect(prefs).toContain(escapeHtml(l.t('prefs.digestHour.default', { time: l.hour(8) })));
      expect(messagesOf(prefs)['prefs.notSaved']).toBe(l.t('prefs.notSaved', { problems: '{problems}' }));

      const token = new URL(prefsUrl).searchParams.get('token')!;
      const fanHtml = await (await fetch(`${api}/fan?token=${token}`)).text();
      for (const key of ['fan.title', 'fan.heading', 'fan.on', 'fan.off', 'fan.allSettings'])
        expect(fanHtml, `${fan.tag} ${key}`).toContain(escapeHtml(l.t(key)));
      const messages = messagesOf(fanHtml);
      expect(messages['fan.isOn']).toBe(l.t('fan.isOn'));
      expect(messages['fan.onFailed']).toBe(l.t('fan.onFailed', { error: '{error}' }));
      if (l.catalogue !== 'en') expect(`${prefs}${fanHtml}`).not.toMatch(/Notification settings|Turn on|Save</);
    }
  });
});
