// A local SMTP server that accepts and records every message, parsed with mailparser, for tests and `fanfare dev`.
//
// It plays the receiving mail server (MX or relay) in front of nodemailer: plain SMTP on
// 127.0.0.1, no STARTTLS, AUTH optional and any credentials accepted, no limit on
// concurrent connections so pooled senders can open as many as they like. A message is
// recorded before the 250 reply to DATA, so once `sendMail` resolves it is in `messages`.
// `failNext` makes the next n messages fail at RCPT TO or at the end of DATA with the
// reply code given, which is how tests produce bounces (5xx) and deferrals (4xx).

import type { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { createArrivalLog } from './arrival-log.ts';

/** How long a closed connection's unread bytes may take to be parsed before the close goes through anyway. */
const PARSE_AFTER_CLOSE_MS = 5_000;

/** Resolves once a writable has processed every chunk written to it (or after PARSE_AFTER_CLOSE_MS). */
async function untilWorkedThrough(parser: Writable): Promise<void> {
  const until = Date.now() + PARSE_AFTER_CLOSE_MS;
  while (parser.writableLength > 0 && !parser.destroyed && Date.now() < until) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export type CapturedMail = {
  /** Position in arrival order, from 1. */
  seq: number;
  /** The SMTP session that carried it; pooled senders reuse one session for many messages. */
  connectionId: string;
  /** The SMTP envelope, which may differ from the From/To headers. */
  envelope: { from: string; to: string[] };
  /** The message exactly as received after DATA (dot-unstuffed). */
  raw: string;
  parsed: ParsedMail;
  receivedAt: Date;
};

export type SmtpFailureStage = 'rcpt' | 'data';

export type SmtpCaptureOptions = {
  port?: number;
  host?: string;
  /** Largest message accepted, in bytes; larger ones get 552. */
  maxMessageBytes?: number;
  onMessage?: (mail: CapturedMail) => void;
};

export type SmtpCapture = {
  host: string;
  port: number;
  messages: CapturedMail[];
  /** Resolves once at least `count` messages have arrived in total. */
  waitFor(count: number, timeoutMs?: number): Promise<CapturedMail[]>;
  /** Replies `code message` to the next `n` RCPT TO (default) or DATA commands. */
  failNext(n: number, code: number, message?: string, stage?: SmtpFailureStage): void;
  /** Holds every reply to DATA this long from now on, as a slow server does (0: answer at once). */
  slowDown(ms: number): void;
  /** The most messages that were between the end of DATA and their reply at once, since the last clear(). */
  peakInFlight(): number;
  clear(): void;
  stop(): Promise<void>;
};

type PendingFailure = { remaining: number; code: number; message: string; stage: SmtpFailureStage };

class SmtpReplyError extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startSmtpCapture(options: SmtpCaptureOptions = {}): Promise<SmtpCapture> {
  const host = options.host ?? '127.0.0.1';
  const maxMessageBytes = options.maxMessageBytes ?? 25 * 1024 * 1024;
  const log = createArrivalLog<CapturedMail>();
  const failures: PendingFailure[] = [];
  let seq = 0;
  let holdMs = 0;
  let inFlight = 0;
  let peak = 0;
  let stopping = false;

  const takeFailure = (stage: SmtpFailureStage): SmtpReplyError | undefined => {
    const failure = failures.find((f) => f.stage === stage);
    if (!failure) return undefined;
    failure.remaining -= 1;
    if (failure.remaining === 0) failures.splice(failures.indexOf(failure), 1);
    return new SmtpReplyError(failure.code, failure.message);
  };

  const record = (mail: CapturedMail): void => {
    log.add(mail);
    options.onMessage?.(mail);
  };

  const receive = async (stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    try {
      if (holdMs > 0) await new Promise((resolve) => setTimeout(resolve, holdMs));
      await take(stream, session, chunks);
    } finally {
      inFlight -= 1;
    }
  };

  const take = async (stream: SMTPServerDataStream, session: SMTPServerSession, chunks: Buffer[]): Promise<void> => {
    if (stream.sizeExceeded) {
      throw new SmtpReplyError(552, `message exceeds the fixed maximum message size of ${maxMessageBytes} bytes`);
    }
    const failure = takeFailure('data');
    if (failure) throw failure;
    const raw = Buffer.concat(chunks);
    const parsed = await simpleParser(raw);
    // stop() answered 421 on this connection while the message was being parsed: the client was told it was not
    // taken, so it is not recorded (recording it would count a copy the sender rightly sends again).
    if (stopping) throw new SmtpReplyError(421, 'Server shutting down');
    const mailFrom = session.envelope.mailFrom;
    seq += 1;
    record({
      seq,
      connectionId: session.id,
      envelope: {
        from: mailFrom ? mailFrom.address : '',
        to: session.envelope.rcptTo.map((r) => r.address),
      },
      raw: raw.toString('utf8'),
      parsed,
      receivedAt: new Date(),
    });
  };

  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    size: maxMessageBytes,
    onAuth(_auth, _session, callback) {
      callback(null, { user: 'local' });
    },
    onRcptTo(_address, _session, callback) {
      callback(takeFailure('rcpt') ?? null);
    },
    onData(stream, session, callback) {
      receive(stream, session).then(
        () => callback(null),
        (err: unknown) => {
          if (err instanceof SmtpReplyError) return callback(err);
          callback(new SmtpReplyError(451, `local capture could not parse the message: ${String(err)}`));
        },
      );
    },
  });

  // smtp-server hears a client's close as soon as the socket does, and then drops what its parser has not got to yet
  // (a chunk waiting for the message stream to drain, the rest of a chunk after a dot-stuffed line): a message whose
  // final dot the server had received would be discarded. A real MTA reads its socket in order and notices the close
  // only after the bytes before it, so a received final dot completes the transaction (RFC 5321 §4.1.1.4) even if the
  // 250 can no longer be sent. The close is held back here until the parser has worked through what arrived.
  server.server.prependListener('connection', (socket: Socket) => {
    const emit = socket.emit.bind(socket);
    socket.emit = ((event: string | symbol, ...args: unknown[]) => {
      if (event !== 'close') return emit(event, ...args);
      const parser = [...server.connections].find((c) => c._socket === socket)?._parser;
      if (!parser) return emit(event, ...args);
      void untilWorkedThrough(parser).then(() => emit(event, ...args));
      return true;
    }) as typeof socket.emit;
  });

  const port = await new Promise<number>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.server.off('error', reject);
      const address = server.server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('smtp capture: listening socket has no TCP address'));
        return;
      }
      resolve(address.port);
    });
  });
  // After startup, keep a late socket error from crashing the test process.
  server.on('error', () => undefined);

  return {
    host,
    port,
    messages: log.items,
    waitFor(count, timeoutMs = 10_000) {
      return log.waitFor(count, timeoutMs, 'captured mails');
    },
    failNext(n, code, message, stage = 'rcpt') {
      if (!Number.isInteger(n) || n < 1) throw new RangeError(`failNext: n must be a positive integer, got ${n}`);
      if (!Number.isInteger(code) || code < 400 || code > 599) {
        throw new RangeError(`failNext: code must be an SMTP 4xx or 5xx reply code, got ${code}`);
      }
      const text = message ?? (code >= 500 ? 'Recipient address rejected' : 'Try again later');
      failures.push({ remaining: n, code, message: text, stage });
    },
    slowDown(ms) {
      if (!Number.isInteger(ms) || ms < 0)
        throw new RangeError(`slowDown: ms must be a non-negative integer, got ${ms}`);
      holdMs = ms;
    },
    peakInFlight: () => peak,
    clear() {
      log.clear();
      failures.length = 0;
      seq = 0;
      peak = inFlight;
    },
    stop() {
      stopping = true;
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Pooled clients keep idle connections open; end them now instead of after the grace period.
        for (const connection of server.connections) {
          connection.send(421, 'Server shutting down');
          connection.close();
        }
      });
    },
  };
}
