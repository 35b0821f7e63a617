// A local HTTPS Web Push service that also plays the subscribed browser: checks VAPID, decrypts, records each push.
//
// What a real deployment splits across a push service (RFC 8030, RFC 8292) and a browser
// (RFC 8291) happens here in one process, so web-push can be exercised end to end:
//   - createSubscription() makes what PushManager.subscribe() returns: an endpoint on this
//     server plus the browser's P-256 public key (p256dh) and 16-byte auth secret; the
//     private key stays here to decrypt with.
//   - POST /push/<id> checks the VAPID header (missing 401, invalid 403), TTL (required),
//     Urgency and Topic (RFC 8030 §5), the 4096-byte limit (413), decrypts the aes128gcm
//     body (400 if it does not decrypt), records it and answers 201 with a Location.
//   - unknown subscription ids answer 404, unsubscribed ones 410 Gone.
//   - respondNext() makes the next requests fail with a chosen status, optionally with
//     Retry-After, to test how the sender classifies 404/410/413/429/5xx; outage() makes every
//     request fail so until it is lifted (an outage or a throttle of unknown length).
// Messages are delivered immediately: TTL, urgency and topic are recorded, not acted on
// (a real service would queue by TTL and collapse pending messages with the same topic).
// TLS uses the committed self-signed test certificate; `agent` trusts it for web-push.
import { createECDH, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { PushSubscriptionJson, Urgency } from '../delivery/push-sender.ts';
import { createArrivalLog } from './arrival-log.ts';
import { type BrowserKeys, decryptPushBody } from './push-decrypt.ts';
import { testCertificatePem, testPrivateKeyPem } from './test-certificate.ts';
import { checkVapid } from './vapid-check.ts';

export type ReceivedPush = {
  subscriptionId: string;
  endpoint: string;
  /** The decrypted body as UTF-8 text ('' for a push without payload). */
  payload: string;
  /** The payload parsed as JSON, when it is JSON. */
  payloadJson?: unknown;
  ttl: number;
  urgency: Urgency;
  topic?: string;
  /** The `sub` claim of the VAPID token, i.e. who sent it. */
  vapidSubject: string;
  /** The whole Authorization header, to see whether a sender reused one it signed earlier. */
  authorization: string;
  receivedAt: Date;
};

export type PushServiceOptions = {
  port?: number;
  host?: string;
  onPush?: (push: ReceivedPush) => void;
};

export type PushService = {
  origin: string;
  caCertPem: string;
  /** Trusts the test certificate; hand it to web-push (`agent` option). */
  agent: https.Agent;
  /** Its address and port as a FANFARE_PUSH_HOSTS entry: tests and `fanfare dev` allow it explicitly. */
  allowEntry: string;
  received: ReceivedPush[];
  /** `applicationServerKey` restricts the subscription to one VAPID key (RFC 8292 §4), as browsers require. */
  createSubscription(options?: { applicationServerKey?: string }): { id: string; subscription: PushSubscriptionJson };
  /** The browser side revoked it: later pushes answer 410 Gone. */
  unsubscribe(subscriptionId: string): void;
  respondNext(status: number, options?: { retryAfter?: number; count?: number }): void;
  /** Answers every request with `status` (and Retry-After, if given) until called with null; scripted ones first. */
  outage(fault: { status: number; retryAfter?: number } | null): void;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedPush[]>;
  clear(): void;
  stop(): Promise<void>;
};

export const MAX_PUSH_BODY_BYTES = 4096;
const URGENCIES: readonly string[] = ['very-low', 'low', 'normal', 'high'];

type Subscription = BrowserKeys & { applicationServerKey?: string; active: boolean };
type ScriptedResponse = { status: number; retryAfter?: number; remaining: number };

export async function startPushService(options: PushServiceOptions = {}): Promise<PushService> {
  const host = options.host ?? '127.0.0.1';
  const subscriptions = new Map<string, Subscription>();
  const scripted: ScriptedResponse[] = [];
  let outage: { status: number; retryAfter?: number } | null = null;
  const log = createArrivalLog<ReceivedPush>();
  let origin = '';

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req, MAX_PUSH_BODY_BYTES);
    const reply = (status: number, text: string, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
      res.end(text);
    };

    const next = scripted[0] ?? outage;
    if (next) {
      if (next === scripted[0]) {
        scripted[0].remaining -= 1;
        if (scripted[0].remaining === 0) scripted.shift();
      }
      const headers: Record<string, string> =
        next.retryAfter === undefined ? {} : { 'Retry-After': String(next.retryAfter) };
      return reply(next.status, `scripted failure ${next.status}`, headers);
    }

    const match = /^\/push\/([A-Za-z0-9_-]+)$/.exec(new URL(req.url ?? '/', origin).pathname);
    if (!match) return reply(404, 'no such push resource');
    if (req.method !== 'POST') return reply(405, 'push resources accept POST only', { Allow: 'POST' });
    const subscriptionId = match[1];
    const subscription = subscriptions.get(subscriptionId);
    if (!subscription) return reply(404, `subscription ${subscriptionId} does not exist`);
    if (!subscription.active) return reply(410, `subscription ${subscriptionId} has expired or was unsubscribed`);
    if (body.tooLarge) return reply(413, `payload exceeds ${MAX_PUSH_BODY_BYTES} bytes`);

    const vapid = checkVapid(req.headers.authorization, origin);
    if (!vapid.ok) return reply(vapid.status, vapid.reason);
    if (subscription.applicationServerKey && subscription.applicationServerKey !== vapid.publicKey) {
      return reply(403, 'VAPID key k differs from the applicationServerKey this subscription was made with');
    }

    const ttlHeader = req.headers.ttl;
    if (typeof ttlHeader !== 'string' || !/^\d+$/.test(ttlHeader)) {
      return reply(400, 'TTL header is required and must be a non-negative integer of seconds');
    }
    const urgency = req.headers.urgency ?? 'normal';
    if (typeof urgency !== 'string' || !URGENCIES.includes(urgency)) {
      return reply(400, `Urgency must be one of ${URGENCIES.join(', ')}`);
    }
    const topic = req.headers.topic;
    if (topic !== undefined && (typeof topic !== 'string' || !/^[A-Za-z0-9_-]{1,32}$/.test(topic))) {
      return reply(400, 'Topic must be 1 to 32 characters of the base64url alphabet');
    }

    let payload = '';
    if (body.bytes.length > 0) {
      if (req.headers['content-encoding'] !== 'aes128gcm') {
        return reply(415, 'Content-Encoding must be aes128gcm for a push with payload');
      }
      try {
        payload = decryptPushBody(body.bytes, subscription).toString('utf8');
      } catch (err) {
        return reply(400, (err as Error).message);
      }
    }

    const push: ReceivedPush = {
      subscriptionId,
      endpoint: `${origin}/push/${subscriptionId}`,
      payload,
      ttl: Number(ttlHeader),
      urgency: urgency as Urgency,
      vapidSubject: vapid.claims.sub,
      authorization: req.headers.authorization ?? '',
      receivedAt: new Date(),
    };
    const json = parseJson(payload);
    if (json !== undefined) push.payloadJson = json;
    if (topic !== undefined) push.topic = topic;
    log.add(push);
    options.onPush?.(push);
    reply(201, '', { Location: `${origin}/message/${randomUUID()}`, TTL: ttlHeader });
  };

  const server = https.createServer({ cert: testCertificatePem, key: testPrivateKeyPem }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`push service failed: ${String(err)}`);
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('push service: listening socket has no TCP address'));
        return;
      }
      resolve(address.port);
    });
  });
  origin = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const agent = new https.Agent({ ca: testCertificatePem, keepAlive: true });

  return {
    origin,
    caCertPem: testCertificatePem,
    agent,
    allowEntry: new URL(origin).host,
    received: log.items,
    createSubscription(subscribeOptions = {}) {
      const ecdh = createECDH('prime256v1');
      const publicKey = ecdh.generateKeys();
      const keys: BrowserKeys = { publicKey, privateKey: ecdh.getPrivateKey(), authSecret: randomBytes(16) };
      const id = randomUUID().replaceAll('-', '');
      subscriptions.set(id, { ...keys, applicationServerKey: subscribeOptions.applicationServerKey, active: true });
      return {
        id,
        subscription: {
          endpoint: `${origin}/push/${id}`,
          keys: { p256dh: publicKey.toString('base64url'), auth: keys.authSecret.toString('base64url') },
        },
      };
    },
    unsubscribe(subscriptionId) {
      const subscription = subscriptions.get(subscriptionId);
      if (!subscription) throw new Error(`unsubscribe: subscriptionId ${subscriptionId} is unknown`);
      subscription.active = false;
    },
    respondNext(status, { retryAfter, count = 1 } = {}) {
      checkFailure('respondNext', status, retryAfter);
      if (!Number.isInteger(count) || count < 1)
        throw new RangeError(`respondNext: count must be a positive integer, got ${count}`);
      scripted.push({ status, retryAfter, remaining: count });
    },
    outage(fault) {
      if (fault !== null) checkFailure('outage', fault.status, fault.retryAfter);
      outage = fault && { ...fault };
    },
    waitFor(count, timeoutMs = 10_000) {
      return log.waitFor(count, timeoutMs, 'pushes');
    },
    clear() {
      log.clear();
      scripted.length = 0;
      outage = null;
    },
    stop() {
      agent.destroy();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function checkFailure(method: string, status: number, retryAfter: number | undefined): void {
  if (!Number.isInteger(status) || status < 400 || status > 599) {
    throw new RangeError(`${method}: status must be an HTTP 4xx or 5xx code, got ${status}`);
  }
  if (retryAfter !== undefined && (!Number.isInteger(retryAfter) || retryAfter < 0)) {
    throw new RangeError(`${method}: retryAfter must be a non-negative integer of seconds, got ${retryAfter}`);
  }
}

/** Reads the whole body so the client always gets our reply, but keeps at most `limit` + 1 bytes. */
async function readBody(req: IncomingMessage, limit: number): Promise<{ bytes: Buffer; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    const piece = chunk as Buffer;
    if (total <= limit) chunks.push(piece);
    total += piece.length;
  }
  return { bytes: Buffer.concat(chunks), tooLarge: total > limit };
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
