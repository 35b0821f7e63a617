// The local SMTP capture server spoken to by nodemailer directly: concurrency, callbacks, scripted failures, waiting.
import { connect } from 'node:net';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CapturedMail, type SmtpCapture, startSmtpCapture } from './smtp-capture.ts';

let smtp: SmtpCapture;
const seen: CapturedMail[] = [];

beforeAll(async () => {
  smtp = await startSmtpCapture({ onMessage: (mail) => seen.push(mail) });
});
afterAll(() => smtp.stop());
beforeEach(() => {
  smtp.clear();
  seen.length = 0;
});

const transport = () => nodemailer.createTransport({ host: smtp.host, port: smtp.port, secure: false });

describe('smtp capture', () => {
  it('takes 40 simultaneous connections, one message each, and reports every one', async () => {
    const transports = Array.from({ length: 40 }, transport);
    try {
      await Promise.all(
        transports.map((t, i) =>
          t.sendMail({ from: 'a@fanfare.test', to: `fan${i}@example.test`, subject: `m${i}`, text: 'hi' }),
        ),
      );
    } finally {
      for (const t of transports) t.close();
    }
    const mails = await smtp.waitFor(40);
    expect(new Set(mails.map((m) => m.connectionId)).size).toBe(40);
    expect(seen).toHaveLength(40);
    expect(mails.map((m) => m.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('records the envelope apart from the headers, and accepts any AUTH', async () => {
    const t = nodemailer.createTransport({ host: smtp.host, port: smtp.port, auth: { user: 'u', pass: 'p' } });
    await t.sendMail({
      envelope: { from: 'bounces@fanfare.test', to: ['real@example.test'] },
      from: 'Fanfare <notify@fanfare.test>',
      to: 'shown@example.test',
      subject: 'envelope',
      text: 'body',
    });
    t.close();
    const [mail] = smtp.messages;
    expect(mail.envelope).toEqual({ from: 'bounces@fanfare.test', to: ['real@example.test'] });
    expect(mail.parsed.to && 'text' in mail.parsed.to ? mail.parsed.to.text : '').toBe('shown@example.test');
  });

  it('fails exactly the next n recipients, then accepts again', async () => {
    smtp.failNext(2, 550, '5.1.1 No such user');
    const t = transport();
    const outcomes = [];
    for (let i = 0; i < 3; i += 1) {
      outcomes.push(
        await t.sendMail({ from: 'a@fanfare.test', to: `fan${i}@example.test`, subject: 's', text: 't' }).then(
          () => 'sent',
          (e: { responseCode?: number; rejectedErrors?: { responseCode?: number }[] }) =>
            e.responseCode ?? e.rejectedErrors?.[0]?.responseCode,
        ),
      );
    }
    t.close();
    expect(outcomes).toEqual([550, 550, 'sent']);
    expect(smtp.messages).toHaveLength(1);
  });

  it('checks failNext arguments and times out waitFor with a count', async () => {
    expect(() => smtp.failNext(1, 250)).toThrow(/code must be an SMTP 4xx or 5xx/);
    expect(() => smtp.failNext(0, 550)).toThrow(/n must be a positive integer/);
    await expect(smtp.waitFor(1, 50)).rejects.toThrow(/waited 50 ms for 1 captured mails, got 0/);
  });
  it('keeps a message whose final dot arrived though the connection closed before the server read it', async () => {
    // As a real MTA reads its socket in order: the close is noticed only after the bytes before it, so a message
    // whose terminating dot was received is taken (RFC 5321 §4.1.1.4), whether or not the 250 can still be sent.
    const socket = connect(smtp.port, smtp.host);
    const replies: string[] = [];
    const reply = (code: string) =>
      new Promise<void>((resolve) => {
        const check = () => (replies.some((r) => r.startsWith(code)) ? resolve() : setTimeout(check, 5));
        check();
      });
    socket.on('data', (d) => replies.push(...String(d).split('\r\n')));
    socket.on('error', () => undefined);
    await reply('220');
    socket.write('EHLO client.test\r\nMAIL FROM:<a@fanfare.test>\r\nRCPT TO:<fan@example.test>\r\nDATA\r\n');
    await reply('354');
    // Large, and with dot-stuffed lines: the server works through it over several turns of its event loop.
    const body = Array.from({ length: 4000 }, (_, i) => `..line ${i} of the message, dot-stuffed`).join('\r\n');
    socket.end(`Subject: cut\r\n\r\n${body}\r\n.\r\n`);
    const until = Date.now() + 50; // the server sees the message and the close in one read
    while (Date.now() < until);
    const [mail] = await smtp.waitFor(1, 5_000);
    expect(mail.parsed.subject).toBe('cut');
    expect(mail.raw).toContain('.line 3999 of the message');
  });
});
