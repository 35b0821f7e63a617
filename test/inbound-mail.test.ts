// Mail that comes back, over SMTP to the real inbound listener: unsubscribes, bounces, complaints, other mail, and
// forgeries of each, with real messages delivered through the SMTP capture and real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverDecisions } from '../delivery/deliver.ts';
import { type InboundListener, startInboundListener } from '../delivery/inbound-listener.ts';
import { handleInboundMail, type InboundResult } from '../delivery/inbound-mail.ts';
import { vapidKeys } from '../delivery/keys.ts';
import { createMetrics } from '../metrics/fanfare-metrics.ts';
import {
  buildBounce,
  buildComplaint,
  buildUnsubscribeMail,
  sendRaw,
  unsubscribeAddress,
} from '../peers/mail-reports.ts';
import { type PushService, startPushService } from '../peers/push-service.ts';
import type { CapturedMail, SmtpCapture } from '../peers/smtp-capture.ts';
import { startSmtpCapture } from '../peers/smtp-capture.ts';
import { type SeededAudience, seedAudience } from '../testing/audience.ts';
import { createTestSchema, type TestSchema } from '../testing/db.ts';
import { type DeliveryRig, decideAlerts, deliveryRig } from '../testing/deliveries.ts';
import { parseMetrics } from '../testing/prometheus-text.ts';

const DOMAIN = 'mail.fanfare.test';
let db: TestSchema;
let smtp: SmtpCapture;
let push: PushService;
let rig: DeliveryRig;
let listener: InboundListener;
let audience: SeededAudience;
let decisions: number[];
const results: InboundResult[] = [];

const q = async (sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows;
/** The message fan `i` received. */
const mailOf = (i: number): CapturedMail => smtp.messages.find((m) => m.envelope.to[0] === audience.emails[i])!;
/** Sends raw mail to the listener as the MX would, and returns what the listener made of it. */
async function deliverInbound(raw: string, envelope: { from: string; to: string[] }): Promise<InboundResult> {
  const before = results.length;
  await sendRaw(listener, envelope, raw);
  expect(results).toHaveLength(before + 1);
  return results[before];
}
/** A forger's edit: every signed unsubscribe token in the quoted message gets another first MAC letter. */
const alterTokens = (raw: string) =>
  raw.replace(/(t1\.u[0-9a-z-]+\.)([a-z2-7])/g, (_, head: string, c: string) => head + (c === 'a' ? 'b' : 'a'));
const bounceTo = (original: CapturedMail) => ({ from: '', to: [original.envelope.from] });
const fanState = async (i: number) =>
  (
    await q(
      `select f.email_status, p.unsubscribed_at is not null as unsubscribed
         from fans f left join preferences p on p.fan_id = f.id where f.id = $1::bigint`,
      [audience.fanIds[i]],
    )
  )[0];

beforeAll(async () => {
  db = await createTestSchema('inbound_mail');
  smtp = await startSmtpCapture();
  push = await startPushService();
  rig = await deliveryRig(db.pool, smtp, push);
  const vapid = await vapidKeys(db.pool);
  audience = await seedAudience(db.pool, {
    fans: 8,
    subscribe: () => push.createSubscription({ applicationServerKey: vapid.publicKey }).subscription,
  });
  ({ email: decisions } = await decideAlerts(db.pool, {
    creatorId: audience.creatorId,
    fanIds: audience.fanIds,
    channels: ['email'],
    key: 'inbound',
  }));
  expect(await deliverDecisions(rig.deps, decisions)).toMatchObject({ sent: 8 });
  listener = await startInboundListener({
    host: '127.0.0.1',
    port: 0,
    domains: [DOMAIN],
    handle: (m) => handleInboundMail({ pool: db.pool, signer: rig.signer }, m),
    onResult: (r) => {
      if (!(r instanceof Error)) results.push(r);
    },
  });
});

afterAll(async () => {
  await listener?.stop();
  rig?.close();
  await smtp?.stop();
  await push?.stop();
  await db?.drop();
});

describe('the listener', () => {
  it('refuses recipients outside the inbound domain at RCPT TO: it is no relay', async () => {
    const refused = sendRaw(
      listener,
      { from: 'a@x.example', to: ['someone@elsewhere.example'] },
      'Subject: x\r\n\r\nx',
    );
    await expect(refused).rejects.toMatchObject({ responseCode: 550 });
    expect(await q(`select * from inbound_mail`)).toEqual([]);
  });
});

describe('unsubscribe by mail', () => {
  it('mail to the signed mailto unsubscribes that fan, as the https link does', async () => {
    const address = unsubscribeAddress(mailOf(0));
    const r = await deliverInbound(buildUnsubscribeMail(audience.emails[0], address), {
      from: audience.emails[0],
      to: [address],
    });
    expect(r).toMatchObject({ kind: 'unsubscribe', outcome: 'unsubscribed', fanId: audience.fanIds[0] });
    expect(await fanState(0)).toEqual({ email_status: 'active', unsubscribed: true });
    const events = await q(`select fan_id, decision_id, detail from engagement_events where kind = 'unsubscribe'`);
    expect(events).toEqual([{ fan_id: audience.fanIds[0], decision_id: decisions[0], detail: { via: 'mailto' } }]);
  });

  it('a forged or unsigned address changes nothing and is kept for a person', async () => {
    const forged = unsubscribeAddress(mailOf(1)).replace(/\.([a-z2-7]+)@/, '.aaaaaaaaaaaaaaaaaaaaaaaaaa@');
    const r = await deliverInbound(buildUnsubscribeMail('x@attacker.example', forged), {
      from: 'x@attacker.example',
      to: [forged],
    });
    expect(r).toMatchObject({ kind: 'unsubscribe', outcome: 'unsigned', fanId: null });
    expect(await fanState(1)).toEqual({ email_status: 'active', unsubscribed: false });
  });
});

describe('delivery status notifications', () => {
  it('a hard bounce (5.1.1) makes the address undeliverable and records the bounce on its decision', async () => {
    const original = mailOf(2);
    const r = await deliverInbound(buildBounce(original), bounceTo(original));
    expect(r).toMatchObject({ kind: 'bounce', outcome: 'hard_bounce', fanId: audience.fanIds[2] });
    expect(r.decisionId).toBe(decisions[2]);
    expect(await fanState(2)).toEqual({ email_status: 'undeliverable', unsubscribed: false });
    const bounces = await q(`select decision_id, detail->>'code' as code from engagement_events where kind = 'bounce'`);
    expect(bounces).toEqual([{ decision_id: decisions[2], code: 'dsn_failed' }]);
    // The next message to that fan is skipped, as after an SMTP 5xx at send time.
    const next = await decideAlerts(db.pool, {
      creatorId: audience.creatorId,
      fanIds: [audience.fanIds[2]],
      channels: ['email'],
      key: 'after-bounce',
    });
    expect(await deliverDecisions(rig.deps, next.email)).toMatchObject({ sent: 0, skipped: 1 });
  });

  it('a soft bounce (4.2.2) is counted and changes nothing else; the whole original quoted works too', async () => {
    const original = mailOf(3);
    const r = await deliverInbound(
      buildBounce(original, { action: 'delayed', status: '4.2.2', quote: 'message' }),
      bounceTo(original),
    );
    expect(r).toMatchObject({ kind: 'bounce', outcome: 'soft_bounce', fanId: audience.fanIds[3] });
    expect(await fanState(3)).toEqual({ email_status: 'active', unsubscribed: false });
  });

  it('a forged bounce changes nothing: a token altered, another fan named, no original quoted', async () => {
    const original = mailOf(4);
    const altered = buildBounce(original, { tamper: alterTokens });
    const stranger = buildBounce(original, { recipient: audience.emails[5] });
    const bare = buildBounce(original).replace(/Content-Type: text\/rfc822-headers[\s\S]*?(--=_report)/, '$1');
    const outcomes = [];
    for (const raw of [altered, stranger, bare]) outcomes.push((await deliverInbound(raw, bounceTo(original))).outcome);
    expect(outcomes).toEqual(['unsigned', 'mismatch', 'unsigned']);
    expect(await fanState(4)).toEqual({ email_status: 'active', unsubscribed: false });
    expect(await fanState(5)).toEqual({ email_status: 'active', unsubscribed: false });
  });

  it('the same report delivered again is not acted on or stored twice', async () => {
    const original = mailOf(3);
    const raw = buildBounce(original, { action: 'delayed', status: '4.4.1' });
    expect((await deliverInbound(raw, bounceTo(original))).outcome).toBe('soft_bounce');
    expect(await deliverInbound(raw, bounceTo(original))).toMatchObject({ outcome: 'duplicate', id: null });
    expect(await q(`select count(*)::int as n from inbound_mail where outcome = 'soft_bounce'`)).toEqual([{ n: 2 }]);
  });
});

describe('feedback-loop complaints', () => {
  it('an abuse report suppresses the address, with the recipient redacted as providers do', async () => {
    const original = mailOf(6);
    const r = await deliverInbound(buildComplaint(original, { recipient: null }), bounceTo(original));
    expect(r).toMatchObject({ kind: 'complaint', outcome: 'complaint', fanId: audience.fanIds[6] });
    expect(await fanState(6)).toEqual({ email_status: 'active', unsubscribed: true });
    const events = await q(
      `select decision_id, detail from engagement_events where kind = 'unsubscribe'
                             and fan_id = $1::bigint`,
      [audience.fanIds[6]],
    );
    expect(events).toEqual([{ decision_id: decisions[6], detail: { via: 'complaint' } }]);
  });

  it('a forged complaint changes nothing', async () => {
    const original = mailOf(7);
    const forged = buildComplaint(original, { tamper: alterTokens });
    expect((await deliverInbound(forged, bounceTo(original))).outcome).toBe('unsigned');
    expect(await fanState(7)).toEqual({ email_status: 'active', unsubscribed: false });
  });

  it('complaints are counted per day beside the emails sent, in the metrics too', async () => {
    const metrics = createMetrics({ pool: db.pool, processMetrics: false });
    const scrape = parseMetrics(await metrics.registry.metrics());
    expect(scrape.value('fanfare_mail_complaints_today')).toBe(1);
    expect(scrape.value('fanfare_mail_complaint_rate_today')).toBeCloseTo(1 / 8);
  });
});

describe('anything else', () => {
  it('is kept for a person to read, never acted on', async () => {
    const raw = `From: ${audience.emails[7]}\r\nTo: notify@${DOMAIN}\r\nSubject: Thanks!\r\n\r\nLoved the post.\r\n`;
    const r = await deliverInbound(raw, { from: audience.emails[7], to: [`notify@${DOMAIN}`] });
    expect(r).toMatchObject({ kind: 'other', outcome: 'kept', fanId: null });
    const kept = await q(`select subject, raw from inbound_mail where id = $1::bigint`, [r.id]);
    expect(kept[0].subject).toBe('Thanks!');
    expect(kept[0].raw).toContain('Loved the post.');
    expect(await fanState(7)).toEqual({ email_status: 'active', unsubscribed: false });
  });
});
