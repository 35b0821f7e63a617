// End to end on real peers: an event posted to the API reaches each eligible fan once by email and once by push.

import type { Client } from '@temporalio/client';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PushService } from '../peers/push-service.ts';
import type { SmtpCapture } from '../peers/smtp-capture.ts';
import { type SeededAudience, seedAudience } from '../testing/audience.ts';
import { creatorAuthorization } from '../testing/creator-keys.ts';
import type { TestSchema } from '../testing/db.ts';
import { useTestStack } from '../testing/stack.ts';
import { useTemporalDevServer } from '../testing/temporal.ts';
import type { ErrorAnswer } from '../wire/errors.ts';

const temporal = useTemporalDevServer();
const stack = useTestStack('announce_event', temporal);
let db: TestSchema;
let smtp: SmtpCapture;
let push: PushService;
let client: Client;
let audience: SeededAudience;
let authorization: string;

const FANS = 200;
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
const muted = range(0, 5);
const emailOff = range(5, 5);
const unsubscribed = range(10, 5);
const pushOff = range(15, 5);
const noPush = range(20, 5);

beforeAll(async () => {
  ({ db, smtp, push, client } = stack());
  audience = await seedAudience(db.pool, {
    fans: FANS,
    muted,
    emailOff,
    unsubscribed,
    pushOff,
    noPush,
    subscribe: () => stack().subscribe(),
  });
  authorization = await creatorAuthorization(db.pool, audience.creatorId);
});

/** What POST /api/events answers when it stores the event (the fields this file reads); a refusal is an ErrorAnswer. */
type StoredEvent = { id: number; workflowId: string };
const postEvent = <T = StoredEvent>(body: unknown) => stack().post<T>('/api/events', body, { authorization });

function countBy<T>(items: T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of items) m.set(key(t), (m.get(key(t)) ?? 0) + 1);
  return m;
}

describe('announceEvent', () => {
  const event = () => ({
    creatorId: audience.creatorId,
    kind: 'post',
    title: 'Episode 12 <is> out & about',
    url: 'https://creators.example/ana/posts/12',
    audience: 'all',
    idempotencyKey: 'post-12',
  });
  const emailFans = range(0, FANS).filter((i) => ![...muted, ...emailOff, ...unsubscribed].includes(i));
  const pushFans = range(0, FANS).filter((i) => ![...muted, ...pushOff, ...noPush].includes(i));

  it('rejects a bad event, naming each field', async () => {
    const r = await postEvent<ErrorAnswer>({
      creatorId: audience.creatorId,
      kind: 'tweet',
      title: 'x',
      url: 'nope',
      audience: 'all',
    });
    expect(r.status).toBe(400);
    expect(r.json.errors.map((e: { field: string }) => e.field).sort()).toEqual(['idempotencyKey', 'kind', 'url']);
    // A creator the key is not for (here one that does not exist) is refused before anything is looked up.
    const unknown = await postEvent<ErrorAnswer>({ ...event(), creatorId: 999999 });
    expect(unknown.status).toBe(403);
    expect(unknown.json.errors).toEqual([{ field: 'creatorId', rule: "must be the API key's own creator" }]);
  });

  it('sends every eligible fan exactly one email and one push that carry the event', async () => {
    const r = await postEvent(event());
    expect(r.status).toBe(201);
    expect(r.json.workflowId).toBe(`announce-event-${r.json.id}`);

    const mails = await smtp.waitFor(emailFans.length, 60_000);
    const pushes = await push.waitFor(pushFans.length, 60_000);
    await client.workflow.getHandle(r.json.workflowId).result();

    const byRecipient = countBy(mails, (m) => m.envelope.to.join(','));
    expect([...byRecipient.keys()].sort()).toEqual(emailFans.map((i) => audience.emails[i]).sort());
    expect([...byRecipient.values()].every((n) => n === 1)).toBe(true);
    const sample = mails[0].parsed;
    expect(sample.subject).toBe('Creator ana posted: Episode 12 <is> out & about');
    expect(sample.text).toContain('https://creators.example/ana/posts/12');
    expect(sample.html).toContain('Episode 12 &lt;is&gt; out &amp; about');

    const byEndpoint = countBy(pushes, (p) => p.endpoint);
    expect(byEndpoint.size).toBe(pushFans.length);
    expect([...byEndpoint.values()].every((n) => n === 1)).toBe(true);
    const payload = pushes[0].payloadJson as { title: string; body: string; url: string };
    expect(payload.url).toBe('https://creators.example/ana/posts/12');
    expect(payload.body).toContain('Episode 12 <is> out & about');

    // The peers record a message as they accept it; the worker settles its row just after the reply.
    const ledgerNow = () =>
      db.pool.query(`select channel, status, count(*)::int as n from deliveries group by 1, 2 order by 1, 2`);
    let ledger = await ledgerNow();
    for (let i = 0; i < 100 && ledger.rows.some((r) => r.status !== 'sent'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      ledger = await ledgerNow();
    }
    expect(ledger.rows).toEqual([
      { channel: 'email', status: 'sent', n: emailFans.length },
      { channel: 'push', status: 'sent', n: pushFans.length },
    ]);
  });

  it('gives muted and opted-out fans nothing', async () => {
    const silentEmail = [...muted, ...emailOff, ...unsubscribed].map((i) => audience.emails[i]);
    expect(smtp.messages.filter((m) => m.envelope.to.some((to) => silentEmail.includes(to)))).toEqual([]);
    const decided = await db.pool.query(`select distinct fan_id from decisions where fan_id = any($1::bigint[])`, [
      muted.map((i) => audience.fanIds[i]),
    ]);
    expect(decided.rowCount).toBe(0);
  });

  it('notifies each fan once when the same event is posted twice', async () => {
    const before = { mails: smtp.messages.length, pushes: push.received.length };
    const again = await postEvent(event());
    expect(again.status).toBe(200);
    const first = await db.pool.query(`select id from creator_events where idempotency_key = 'post-12'`);
    expect(again.json.id).toBe(first.rows[0].id);
    expect(first.rowCount).toBe(1);
    await new Promise((r) => setTimeout(r, 3000));
    expect({ mails: smtp.messages.length, pushes: push.received.length }).toEqual(before);
  });
});
