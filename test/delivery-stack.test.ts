// Through the whole stack: a sent message saved as .eml has valid RFC 8058 headers; deferrals are retried to delivery.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { simpleParser } from 'mailparser';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PushService } from '../peers/push-service.ts';
import type { SmtpCapture } from '../peers/smtp-capture.ts';
import { type SeededAudience, seedAudience } from '../testing/audience.ts';
import { creatorAuthorization } from '../testing/creator-keys.ts';
import type { TestSchema } from '../testing/db.ts';
import { listHeaders } from '../testing/list-headers.ts';
import { useTestStack } from '../testing/stack.ts';
import { useTemporalDevServer } from '../testing/temporal.ts';

const PUBLIC_URL = 'https://fanfare.test';
const temporal = useTemporalDevServer();
// No TRACKING_KEYS: the worker (signing) and the API (verifying) must agree through the stored key.
const stack = useTestStack('delivery_stack', temporal, {
  env: { PUBLIC_URL, MAIL_FROM: 'Fanfare <alerts@mail.fanfare.test>', MAIL_REPLY_TO: 'support@fanfare.test' },
});
let db: TestSchema;
let smtp: SmtpCapture;
let push: PushService;
let client: Client;
let api: string;
let audience: SeededAudience;
let authorization: string;

beforeAll(async () => {
  ({ db, smtp, push, client, api } = stack());
  audience = await seedAudience(db.pool, { fans: 4, subscribe: () => stack().subscribe() });
  authorization = await creatorAuthorization(db.pool, audience.creatorId);
});

async function announce(key: string, title: string) {
  const res = await fetch(`${api}/api/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({
      creatorId: audience.creatorId,
      kind: 'post',
      title,
      url: `https://creators.example/ana/${key}`,
      audience: 'all',
      idempotencyKey: key,
    }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: number; workflowId: string };
}

describe('a message sent through the stack', () => {
  it('saved as .eml, parses with valid RFC 8058 headers, a List-Id and a text part; one-click link works', async () => {
    const mark = smtp.messages.length;
    await announce('eml', 'Behind <the> scenes & more');
    const mails = await smtp.waitFor(mark + 4, 60_000);
    const eml = join(mkdtempSync(join(tmpdir(), 'fanfare-eml-')), 'alert.eml');
    writeFileSync(eml, mails[mark].raw);

    const parsed = await simpleParser(readFileSync(eml));
    const list = listHeaders(parsed);
    expect(list.unsubscribe).not.toBeNull();
    const { https: httpsUrl, mailto } = list.unsubscribe!;
    expect(httpsUrl.startsWith(`${PUBLIC_URL}/u/`)).toBe(true);
    expect(mailto).toMatch(/^mailto:unsubscribe\+[a-z0-9.-]+@mail\.fanfare\.test\?subject=unsubscribe$/);
    expect(mailto.slice('mailto:'.length).split('@')[0].length).toBeLessThanOrEqual(64);
    // Header names are case-insensitive (nodemailer writes List-ID); the List-Unsubscribe-Post value is exact.
    expect(list.post).toBe('List-Unsubscribe=One-Click');
    expect(list.listId).toMatch(/^List-Id: Fanfare notifications <notifications\.mail\.fanfare\.test>$/i);
    expect(parsed.messageId).toMatch(/^<decision-\d+\.email@mail\.fanfare\.test>$/);
    expect(parsed.from?.value).toEqual([{ name: 'Fanfare', address: 'alerts@mail.fanfare.test' }]);
    expect(parsed.replyTo?.value[0].address).toBe('support@fanfare.test');
    expect(parsed.text).toContain('Creator ana posted: Behind <the> scenes & more');
    expect(parsed.text).toContain('(leads to https://creators.example/ana/eml)');
    expect(parsed.html).toContain('Behind &lt;the&gt; scenes &amp; more');
    // Gmail requires DKIM alignment too; that belongs to the sending MTA, not to this message.

    const fan = audience.emails.indexOf(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value[0].address! : '');
    const post = await fetch(httpsUrl.replace(PUBLIC_URL, api), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(post.status).toBe(200);
    const pref = await db.pool.query(`select unsubscribed_at from preferences where fan_id = $1::bigint`, [
      audience.fanIds[fan],
    ]);
    expect(pref.rows[0].unsubscribed_at).toBeInstanceOf(Date);

    // The next event reaches the three others by email, and all four by push.
    const mailMark = smtp.messages.length;
    const pushMark = push.received.length;
    const next = await announce('after-unsubscribe', 'Next one');
    await client.workflow.getHandle(next.workflowId).result();
    await push.waitFor(pushMark + 4, 60_000);
    await smtp.waitFor(mailMark + 3, 60_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(
      smtp.messages
        .slice(mailMark)
        .map((m) => m.envelope.to[0])
        .sort(),
    ).toEqual(audience.emails.filter((_, i) => i !== fan).sort());
  }, 120_000);

  it('retries SMTP 4xx and push 429/5xx with backoff until the peers recover, sending each once', async () => {
    await db.pool.query(`update preferences set unsubscribed_at = null`);
    const mailMark = smtp.messages.length;
    const pushMark = push.received.length;
    smtp.failNext(3, 451, 'Greylisted, try again later');
    push.respondNext(503, { count: 2 });
    push.respondNext(429, { retryAfter: 2 });
    const started = Date.now();
    await announce('deferred', 'Worth the wait');
    const mails = await smtp.waitFor(mailMark + 4, 90_000);
    const pushes = await push.waitFor(pushMark + 4, 90_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(Date.now() - started).toBeGreaterThan(2000);
    expect(new Set(mails.slice(mailMark).map((m) => m.envelope.to[0])).size).toBe(4);
    expect(smtp.messages.length).toBe(mailMark + 4);
    expect(new Set(pushes.slice(pushMark).map((p) => p.endpoint)).size).toBe(4);
    expect(push.received.length).toBe(pushMark + 4);
    const ledger = await db.pool.query(
      `select v.channel, v.status, max(v.attempts)::int as most
         from deliveries v join decisions d on d.id = v.decision_id
         join creator_events e on e.id = d.event_id where e.idempotency_key = 'deferred' group by 1, 2 order by 1, 2`,
    );
    expect(ledger.rows).toEqual([
      { channel: 'email', status: 'sent', most: expect.any(Number) },
      { channel: 'push', status: 'sent', most: expect.any(Number) },
    ]);
    expect(ledger.rows.every((r) => r.most >= 2)).toBe(true);
  }, 120_000);
});
