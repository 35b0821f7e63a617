// Plays back the mail that comes back: builds a real RFC 3464 bounce, a real RFC 5965 complaint and an unsubscribe
// mail from a message the SMTP capture received, and sends them to an SMTP listener as a mailbox provider's MX would.

import { randomBytes } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { CapturedMail } from './smtp-capture.ts';

export interface ReportOptions {
  /** The reporting MTA's name, e.g. mx.mailbox.example. */
  reportingMta?: string;
  /** Quote the original's headers (text/rfc822-headers, default) or the whole message (message/rfc822). */
  quote?: 'headers' | 'message';
  /** Rewrites the quoted original before it goes in, as a forger would. */
  tamper?: (originalRaw: string) => string;
}

export interface BounceOptions extends ReportOptions {
  /** failed (default), delayed, delivered… */
  action?: string;
  /** The enhanced status code: 5.1.1 (default) for a hard bounce, 4.2.2 for a soft one. */
  status?: string;
  diagnostic?: string;
  /** The recipient the report names; the original's envelope recipient by default. */
  recipient?: string;
}

export interface ComplaintOptions extends ReportOptions {
  feedbackType?: string;
  /** Mailbox providers often redact the recipient; `null` leaves Original-Rcpt-To out. */
  recipient?: string | null;
}

const CRLF = '\r\n';

function headerBlock(raw: string): string {
  const end = raw.search(/\r?\n\r?\n/);
  return (end < 0 ? raw : raw.slice(0, end)).replace(/\r?\n/g, CRLF);
}

function quoted(original: CapturedMail, options: ReportOptions): string[] {
  const raw = (options.tamper ?? ((r) => r))(original.raw);
  return options.quote === 'message'
    ? ['Content-Type: message/rfc822', '', raw.replace(/\r?\n/g, CRLF)]
    : ['Content-Type: text/rfc822-headers', '', headerBlock(raw)];
}

function report(
  type: 'delivery-status' | 'feedback-report',
  head: { from: string; to: string; subject: string },
  human: string,
  machine: string[],
  original: string[],
): string {
  const boundary = `=_report_${randomBytes(8).toString('hex')}`;
  return [
    `From: ${head.from}`,
    `To: ${head.to}`,
    `Subject: ${head.subject}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${randomBytes(12).toString('hex')}@report.example>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=${type}; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    human,
    `--${boundary}`,
    `Content-Type: message/${type}`,
    '',
    ...machine,
    `--${boundary}`,
    ...original,
    `--${boundary}--`,
    '',
  ].join(CRLF);
}

/** An RFC 3464 delivery status notification for `original`, addressed to its envelope sender. */
export function buildBounce(original: CapturedMail, options: BounceOptions = {}): string {
  const mta = options.reportingMta ?? 'mx.mailbox.example';
  const recipient = options.recipient ?? original.envelope.to[0];
  const status = options.status ?? '5.1.1';
  const action = options.action ?? 'failed';
  const diagnostic =
    options.diagnostic ?? (status.startsWith('5') ? '550 5.1.1 user unknown' : '452 4.2.2 mailbox full');
  return report(
    'delivery-status',
    { from: `Mail Delivery System <MAILER-DAEMON@${mta}>`, to: original.envelope.from, subject: 'Delivery Status' },
    `Delivery to ${recipient} ${action === 'failed' ? 'failed' : 'is delayed'}.`,
    [
      `Reporting-MTA: dns; ${mta}`,
      `Arrival-Date: ${original.receivedAt.toUTCString()}`,
      '',
      `Original-Recipient: rfc822; ${recipient}`,
      `Final-Recipient: rfc822; ${recipient}`,
      `Action: ${action}`,
      `Status: ${status}`,
      `Remote-MTA: dns; ${mta}`,
      `Diagnostic-Code: smtp; ${diagnostic}`,
    ],
    quoted(original, options),
  );
}

/** An RFC 5965 abuse report (the fan pressed "spam") for `original`, as a feedback loop sends it. */
export function buildComplaint(original: CapturedMail, options: ComplaintOptions = {}): string {
  const mta = options.reportingMta ?? 'fbl.mailbox.example';
  const recipient = options.recipient === undefined ? original.envelope.to[0] : options.recipient;
  return report(
    'feedback-report',
    { from: `Feedback Loop <fbl@${mta}>`, to: original.envelope.from, subject: 'Abuse report' },
    'This is an email abuse report for an email message received from your network.',
    [
      `Feedback-Type: ${options.feedbackType ?? 'abuse'}`,
      'User-Agent: MailboxFBL/1.0',
      'Version: 1',
      `Original-Mail-From: <${original.envelope.from}>`,
      ...(recipient === null ? [] : [`Original-Rcpt-To: <${recipient}>`]),
      `Arrival-Date: ${original.receivedAt.toUTCString()}`,
      `Reported-Domain: ${original.envelope.from.split('@')[1] ?? ''}`,
    ],
    quoted(original, options),
  );
}

/** The mail a fan's client sends to a List-Unsubscribe mailto. */
export function buildUnsubscribeMail(from: string, to: string): string {
  return [
    `From: ${from}`,
    `To: ${to}`,
    'Subject: unsubscribe',
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${randomBytes(12).toString('hex')}@client.example>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'unsubscribe',
    '',
  ].join(CRLF);
}

/** The mailto address of a captured message's List-Unsubscribe header, without its ?subject. */
export function unsubscribeAddress(original: CapturedMail): string {
  const m = /<mailto:([^?>\s]+)/.exec(headerBlock(original.raw));
  if (!m) throw new Error(`captured mail ${original.seq} has no List-Unsubscribe mailto`);
  return m[1];
}

/**
 * Sends a raw message over SMTP with the given envelope, as an MX forwarding it would; resolves with the server's
 * reply, rejects with its refusal (whose responseCode says 4xx or 5xx).
 */
export async function sendRaw(
  server: { host: string; port: number },
  envelope: { from: string; to: string[] },
  raw: string,
): Promise<string> {
  const transport = nodemailer.createTransport({ host: server.host, port: server.port, secure: false });
  try {
    const info = await transport.sendMail({ envelope, raw });
    return info.response;
  } finally {
    transport.close();
  }
}
