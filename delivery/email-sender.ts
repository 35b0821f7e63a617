// Sends one email through a pooled nodemailer SMTP transport and classifies SMTP failures as permanent or transient.
//
// SMTP is at-least-once: if a connection dies after the server took the message but before
// its 250 reached us, nodemailer requeues it on a fresh connection (or we report a transient
// failure and the caller retries), and the fan may get it twice. Pass a stable `messageId`
// per delivery so such duplicates carry the same Message-ID and can be recognised.
import { Transform, type TransformCallback } from 'node:stream';
import nodemailer from 'nodemailer';
import type { BeforeCommit, Commit } from '../domain/commit-point.ts';
import { DeliveryError, type SendResult } from './errors.ts';

export type EmailSenderConfig = {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS is used when the server offers it. */
  secure?: boolean;
  auth?: { user: string; pass: string };
  /** Open connections at most (nodemailer default 5). */
  maxConnections?: number;
  /** Messages per connection before it is replaced (nodemailer default 100). */
  maxMessages?: number;
  /** Messages per `rateDelta` milliseconds at most; unlimited when unset. */
  rateLimit?: number;
  /** Window for `rateLimit`, default 1000 ms, which makes `rateLimit` messages per second. */
  rateDelta?: number;
  from: string;
  replyTo?: string;
  connectionTimeoutMs?: number;
  socketTimeoutMs?: number;
};

export type EmailMessage = {
  /** A single recipient: one message per fan keeps a bounce attributable to one delivery. */
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Extra headers, e.g. List-Unsubscribe. */
  headers?: Record<string, string>;
  /** A stable Message-ID (with or without angle brackets) makes a resend recognisable as the same message. */
  messageId?: string;
  /**
   * The commit point: awaited after the whole message has been streamed but before the final "." that makes the
   * server take it. If it rejects, the connection is dropped and the server discards the message; send() then
   * rejects with that same error.
   */
  beforeCommit?: BeforeCommit;
};

export type EmailSender = {
  send(message: EmailMessage): Promise<SendResult>;
  /** Connects and says EHLO (and AUTH), to fail fast on bad settings. */
  verify(): Promise<void>;
  close(): void;
};

/** The fields nodemailer attaches to its errors (see nodemailer's NodemailerError). */
type SmtpFailure = Error & {
  code?: string;
  command?: string;
  response?: string;
  responseCode?: number;
  permanent?: boolean;
  rejectedErrors?: SmtpFailure[];
};

export function createEmailSender(config: EmailSenderConfig): EmailSender {
  checkConfig(config);
  const transport = nodemailer.createTransport(
    {
      pool: true,
      host: config.host,
      port: config.port,
      secure: config.secure ?? false,
      auth: config.auth,
      maxConnections: config.maxConnections,
      maxMessages: config.maxMessages,
      rateLimit: config.rateLimit,
      rateDelta: config.rateDelta,
      connectionTimeout: config.connectionTimeoutMs ?? 10_000,
      greetingTimeout: config.connectionTimeoutMs ?? 10_000,
      socketTimeout: config.socketTimeoutMs ?? 60_000,
    },
    { from: config.from, replyTo: config.replyTo },
  );
  // Hold back the end of the message stream until the commit point passes (see EmailMessage.beforeCommit). A
  // process function, not a transform: its output is the stream the SMTP connection pipes into its data stream.
  transport.use('stream', (mail, done) => {
    const gate = (mail.data as { beforeCommit?: BeforeCommit }).beforeCommit;
    if (gate) {
      mail.message.processFunc((input) => {
        const commitGate = new CommitGate(gate);
        input.on('error', (err) => commitGate.destroy(err));
        return input.pipe(commitGate);
      });
    }
    done();
  });

  return {
    async send(message) {
      checkMessage(message);
      let gateError: unknown;
      const gate = message.beforeCommit;
      const beforeCommit = gate
        ? () =>
            gate().catch((err) => {
              gateError = err;
              throw err;
            })
        : undefined;
      try {
        const info = await transport.sendMail({
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          headers: message.headers,
          messageId: message.messageId,
          beforeCommit,
        } as Parameters<typeof transport.sendMail>[0]);
        return { providerMessageId: info.messageId, sentAt: new Date() };
      } catch (err) {
        if (gateError !== undefined) throw gateError;
        throw classifySmtpFailure(err);
      }
    },
    async verify() {
      try {
        await transport.verify();
      } catch (err) {
        throw classifySmtpFailure(err);
      }
    },
    close() {
      transport.close();
    },
  };
}

/**
 * RFC 5321: a 5yz reply is a permanent negative completion, a 4yz reply a transient one.
 * 503 (bad sequence of commands) is a session problem, not a verdict on the message, so it
 * is retried like a 4yz. Without any reply the connection failed, which is transient too.
 */
export function classifySmtpFailure(err: unknown): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const failure = (err instanceof Error ? err : new Error(String(err))) as SmtpFailure;
  // When every recipient is refused, the reply sits on the per-recipient errors.
  const replied = failure.responseCode !== undefined ? failure : failure.rejectedErrors?.find((e) => e.responseCode);
  if (replied?.responseCode !== undefined) {
    const reply = replied.responseCode;
    const permanent = replied.permanent ?? (reply >= 500 && reply < 600 && reply !== 503);
    const command = replied.command ?? failure.command ?? 'the message';
    const text = replied.response ?? replied.message;
    return new DeliveryError(
      permanent ? 'smtp_rejected_permanent' : 'smtp_rejected_transient',
      `smtp: server replied ${reply} to ${command}: ${text}`,
      { permanent, status: reply, cause: err },
    );
  }
  return new DeliveryError('smtp_connection_failed', `smtp: ${failure.code ?? 'error'}: ${failure.message}`, {
    permanent: false,
    cause: err,
  });
}

function checkConfig(config: EmailSenderConfig): void {
  if (!config.host) throw new TypeError('email sender: host must be a non-empty string');
  if (!Number.isInteger(config.port) || config.port < 1 || config.port > 65535) {
    throw new RangeError(`email sender: port must be an integer from 1 to 65535, got ${config.port}`);
  }
  for (const field of ['maxConnections', 'maxMessages', 'rateLimit', 'rateDelta'] as const) {
    const value = config[field];
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw new RangeError(`email sender: ${field} must be a positive integer, got ${value}`);
    }
  }
  if (!config.from.includes('@'))
    throw new TypeError(`email sender: from must be an email address, got "${config.from}"`);
}

function checkMessage(message: EmailMessage): void {
  let problem: string | undefined;
  if (!message.to.includes('@')) problem = `to must be one email address, got "${message.to}"`;
  else if (message.subject.length === 0) problem = 'subject must not be empty';
  if (problem) throw new DeliveryError('invalid_message', `email: ${problem}`, { permanent: true });
}

/**
 * What nodemailer's SMTP data stream emits after the message: CRLF "." CRLF, less what the message's own end supplied.
 */
const TERMINATORS = ['.\r\n', '\n.\r\n', '\r\n.\r\n'].map((t) => Buffer.from(t));

/**
 * Passes the message through, and ends it only once the gate resolves; a rejected gate errors the stream instead.
 *
 * The commit runs as late as the process can make it: in the data stream's emission of the final dot, just before
 * that emission's socket write (the pipe's own listener), so the two writes leave in one synchronous step, over TLS
 * or not. The data stream dot-stuffs the message, so no chunk of the message itself equals a terminator. Should the
 * stream this is piped into not be that data stream (another transport, a signing step after this one), the commit
 * runs when the gate resolves, before the message's end, as the last safe moment this stream can see.
 */
class CommitGate extends Transform {
  /** The commit waiting for the final dot. */
  private armed: Commit | null = null;
  /** Set once the consumer is known to emit the final dot as its own chunk. */
  private watchesFinalDot = false;

  constructor(private readonly gate: BeforeCommit) {
    super();
  }

  override pipe<T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }): T {
    const dest = destination as unknown as NodeJS.ReadableStream & NodeJS.WritableStream;
    if (typeof dest.prependListener === 'function' && typeof (dest as { pipe?: unknown }).pipe === 'function') {
      this.watchesFinalDot = true;
      dest.prependListener('data', (chunk: Buffer) => {
        if (this.armed && TERMINATORS.some((t) => t.equals(chunk))) this.runArmed();
      });
      // A data stream that ended without a recognisable final dot still records the send, late rather than never.
      dest.once('end', () => this.runArmed());
    }
    return super.pipe(destination, options);
  }

  /** The message so far: nodemailer emits it in dozens of small pieces, each one a socket write if passed on. */
  private readonly held: Buffer[] = [];

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.held.push(chunk);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    // The whole message goes on in one piece, before the gate is asked, as the pieces went before.
    if (this.held.length > 0) this.push(Buffer.concat(this.held));
    this.held.length = 0;
    this.gate().then(
      (commit) => {
        if (commit && this.watchesFinalDot) this.armed = commit;
        else if (commit) commit();
        callback();
      },
      (err) => callback(err instanceof Error ? err : new Error(String(err))),
    );
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    // Torn down by a failure before the final dot: the message was never completed, so the commit point is given up
    // at once rather than held until the ledger's wait runs out. A plain destroy (this stream's own end, which may
    // come just before the data stream emits the dot) leaves the armed commit for the dot.
    if (err) {
      const commit = this.armed;
      this.armed = null;
      commit?.abandon?.();
    }
    callback(err);
  }

  private runArmed(): void {
    const commit = this.armed;
    this.armed = null;
    try {
      commit?.();
    } catch {
      // The ledger's connection was lost at the commit point (CommitLostError). This runs inside the emission of the
      // final dot, which nothing here can hold back any more: the row is 'claimed' again, and the provider's answer
      // settles it as usual (docs/DELIVERY.md, "Crash windows").
    }
  }
}
