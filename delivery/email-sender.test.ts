// Email sender against the real local SMTP capture server: parsing, pooling, and bounce classification.
import { Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type SmtpCapture, startSmtpCapture } from '../peers/smtp-capture.ts';
import { createEmailSender, type EmailSender } from './email-sender.ts';
import { DeliveryError } from './errors.ts';

let smtp: SmtpCapture;
let sender: EmailSender;

beforeAll(async () => {
  smtp = await startSmtpCapture();
  sender = createEmailSender({
    host: smtp.host,
    port: smtp.port,
    maxConnections: 5,
    maxMessages: 50,
    from: 'Fanfare <notify@fanfare.test>',
    replyTo: 'support@fanfare.test',
  });
});

afterAll(async () => {
  sender.close();
  await smtp.stop();
});

beforeEach(() => smtp.clear());

const message = (n: number) => ({
  to: `fan${n}@example.test`,
  subject: `New post ${n}: ünïcödé ✓`,
  text: `Hello fan ${n}`,
  html: `<p>Hello fan <b>${n}</b></p>`,
});

async function failureOf(promise: Promise<unknown>): Promise<DeliveryError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeliveryError);
  return err as DeliveryError;
}

describe('email sender', () => {
  it('delivers a message the capture server parses, with envelope and headers', async () => {
    const result = await sender.send({
      ...message(1),
      messageId: '<delivery-42@fanfare.test>',
      headers: { 'List-Unsubscribe': '<https://fanfare.test/u/abc>', 'X-Fanfare-Delivery': '42' },
    });
    expect(result.providerMessageId).toBe('<delivery-42@fanfare.test>');
    expect(result.sentAt).toBeInstanceOf(Date);

    const [mail] = await smtp.waitFor(1);
    expect(mail.envelope).toEqual({ from: 'notify@fanfare.test', to: ['fan1@example.test'] });
    expect(mail.parsed.subject).toBe('New post 1: ünïcödé ✓');
    expect(mail.parsed.text?.trim()).toBe('Hello fan 1');
    expect(mail.parsed.html).toContain('<b>1</b>');
    expect(mail.parsed.messageId).toBe('<delivery-42@fanfare.test>');
    expect(mail.parsed.headerLines.find((h) => h.key === 'list-unsubscribe')?.line).toContain(
      'https://fanfare.test/u/abc',
    );
    expect(mail.parsed.headers.get('x-fanfare-delivery')).toBe('42');
    expect(mail.parsed.replyTo?.text).toBe('support@fanfare.test');
    expect(mail.raw).toContain('X-Fanfare-Delivery: 42');
  });

  it('runs the commit in the same synchronous step as the write of the final dot, after every other byte', async () => {
    const steps: string[] = [];
    const write = Socket.prototype.write;
    Socket.prototype.write = function (this: Socket, chunk: unknown, ...rest: unknown[]) {
      steps.push(`write ${Buffer.isBuffer(chunk) ? chunk.toString('latin1') : String(chunk)}`);
      return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof Socket.prototype.write;
    try {
      for (let n = 0; n < 3; n++) {
        steps.length = 0;
        let commits = 0;
        const commit = () => {
          commits++;
          steps.push('commit');
          // Anything queued now runs after the current synchronous step:
          // if it lands before the dot, the dot was not in that step.
          process.nextTick(() => steps.push('next tick'));
          queueMicrotask(() => steps.push('microtask'));
        };
        await sender.send({ ...message(n), beforeCommit: async () => commit });
        expect(commits).toBe(1);
        const at = steps.indexOf('commit');
        // Everything before it is the envelope and the message; right after it, nothing but the final dot.
        expect(steps.slice(0, at).some((s) => s.includes(`Hello fan ${n}`))).toBe(true);
        expect(steps[at + 1]).toMatch(/^write (\r\n|\n)?\.\r\n$/);
        expect(steps.slice(0, at).some((s) => /^write (\r\n|\n)?\.\r\n$/.test(s))).toBe(false);
      }
    } finally {
      Socket.prototype.write = write;
    }
    expect((await smtp.waitFor(3)).length).toBe(3);
  });

  it('sends 200 messages through the pool, each arriving once', async () => {
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => sender.send(message(i))));
    const mails = await smtp.waitFor(200);
    expect(mails).toHaveLength(200);
    const recipients = new Set(mails.map((m) => m.envelope.to[0]));
    expect(recipients.size).toBe(200);
    expect(new Set(results.map((r) => r.providerMessageId)).size).toBe(200);
    // maxMessages 50 forces the pool to replace connections: 200 messages need at least 4.
    expect(new Set(mails.map((m) => m.connectionId)).size).toBeGreaterThanOrEqual(4);
  });

  it('holds to rateLimit messages per second', async () => {
    const throttled = createEmailSender({ host: smtp.host, port: smtp.port, rateLimit: 10, from: 'a@fanfare.test' });
    try {
      const started = Date.now();
      await Promise.all(Array.from({ length: 25 }, (_, i) => throttled.send(message(i))));
      // 25 messages at 10 per second need at least two full windows after the first.
      expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
      expect(smtp.messages).toHaveLength(25);
    } finally {
      throttled.close();
    }
  });

  it('turns a 5xx reply to RCPT TO into a permanent error', async () => {
    smtp.failNext(1, 550, '5.1.1 No such user');
    const err = await failureOf(sender.send(message(1)));
    expect(err.code).toBe('smtp_rejected_permanent');
    expect(err.permanent).toBe(true);
    expect(err.status).toBe(550);
    expect(err.message).toContain('No such user');
    expect(smtp.messages).toHaveLength(0);
    // The pool stays usable after a bounce.
    await sender.send(message(2));
    expect(smtp.messages).toHaveLength(1);
  });

  it('turns a 4xx reply into a transient error, at RCPT TO and at DATA', async () => {
    smtp.failNext(1, 451, '4.7.1 Greylisted, try again');
    const atRcpt = await failureOf(sender.send(message(1)));
    expect(atRcpt.code).toBe('smtp_rejected_transient');
    expect(atRcpt.permanent).toBe(false);
    expect(atRcpt.status).toBe(451);

    smtp.failNext(1, 452, '4.3.1 Insufficient system storage', 'data');
    const atData = await failureOf(sender.send(message(2)));
    expect(atData.code).toBe('smtp_rejected_transient');
    expect(atData.status).toBe(452);
    expect(smtp.messages).toHaveLength(0);
  });

  it('turns a 5xx reply at DATA into a permanent error', async () => {
    smtp.failNext(1, 554, '5.7.1 Message rejected as spam', 'data');
    const err = await failureOf(sender.send(message(1)));
    expect(err.code).toBe('smtp_rejected_permanent');
    expect(err.status).toBe(554);
  });

  it('reports an unreachable server as a transient connection failure', async () => {
    const closed = await startSmtpCapture();
    await closed.stop();
    const lonely = createEmailSender({ host: closed.host, port: closed.port, from: 'a@fanfare.test' });
    try {
      const err = await failureOf(lonely.send(message(1)));
      expect(err.code).toBe('smtp_connection_failed');
      expect(err.permanent).toBe(false);
      await expect(lonely.verify()).rejects.toBeInstanceOf(DeliveryError);
    } finally {
      lonely.close();
    }
  });

  it('verifies a reachable server and refuses an invalid recipient before connecting', async () => {
    await expect(sender.verify()).resolves.toBeUndefined();
    const err = await failureOf(sender.send({ ...message(1), to: 'not-an-address' }));
    expect(err.code).toBe('invalid_message');
    expect(err.permanent).toBe(true);
  });
});
