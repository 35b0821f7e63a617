// The SMTP listener for the inbound domain: takes mail for that domain only and hands each message to the handler.
//
// It sits behind the production MX (docs/DELIVERY.md, "Inbound mail"), so it speaks plain SMTP without AUTH or
// STARTTLS. It is never a relay: a recipient outside the inbound domains is refused at RCPT TO. A message is answered
// 250 only once it is stored; a database failure answers 451, so the MX keeps it and tries again.

import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import type { InboundMessage, InboundResult } from './inbound-mail.ts';

export interface InboundListenerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Domains whose mail is accepted, e.g. the From domain of our messages. */
  domains: readonly string[];
  /** Largest message accepted, in bytes; larger ones get 552. */
  maxMessageBytes?: number;
  handle(message: InboundMessage): Promise<InboundResult>;
  /** Told of each message handled, or of the error that made it answer 451. */
  onResult?: (result: InboundResult | Error, message: InboundMessage) => void;
}

export interface InboundListener {
  host: string;
  port: number;
  stop(): Promise<void>;
}

export const DEFAULT_INBOUND_MAX_BYTES = 10 * 1024 * 1024;

class SmtpReply extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
  }
}

async function readAll(stream: SMTPServerDataStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startInboundListener(options: InboundListenerOptions): Promise<InboundListener> {
  const domains = new Set(options.domains.map((d) => d.toLowerCase()));
  if (domains.size === 0) throw new TypeError('inbound listener: domains must name at least one domain');
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_INBOUND_MAX_BYTES;

  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: maxMessageBytes,
    onRcptTo(address, _session, callback) {
      const domain = address.address.slice(address.address.lastIndexOf('@') + 1).toLowerCase();
      if (!address.address.includes('@') || !domains.has(domain))
        return callback(new SmtpReply(550, '5.7.1 relaying denied: not a domain of this server'));
      callback();
    },
    onData(stream, session, callback) {
      (async () => {
        const raw = await readAll(stream);
        if (stream.sizeExceeded) throw new SmtpReply(552, `5.3.4 message larger than ${maxMessageBytes} bytes`);
        const mailFrom = session.envelope.mailFrom;
        const message: InboundMessage = {
          envelopeFrom: mailFrom ? mailFrom.address : '',
          envelopeTo: session.envelope.rcptTo.map((r) => r.address),
          raw,
        };
        try {
          const result = await options.handle(message);
          options.onResult?.(result, message);
        } catch (err) {
          options.onResult?.(err instanceof Error ? err : new Error(String(err)), message);
          throw new SmtpReply(451, '4.3.0 could not store the message, try again later');
        }
      })().then(
        () => callback(null),
        (err: unknown) =>
          callback(err instanceof SmtpReply ? err : new SmtpReply(451, `4.3.0 ${(err as Error).message}`)),
      );
    },
  });

  const port = await new Promise<number>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.server.off('error', reject);
      const address = server.server.address();
      if (address === null || typeof address === 'string') reject(new Error('inbound listener: no TCP address'));
      else resolve(address.port);
    });
  });
  server.on('error', () => undefined);

  return {
    host: options.host,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const connection of server.connections) {
          connection.send(421, 'Server shutting down');
          connection.close();
        }
      }),
  };
}
