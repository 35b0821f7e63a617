// Sends one Web Push notification with web-push (VAPID, aes128gcm) and classifies push service replies.

import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import https, { type Agent } from 'node:https';
import type { LookupFunction } from 'node:net';
import webpush from 'web-push';
import type { BeforeCommit } from '../domain/commit-point.ts';
import { DeliveryError, type SendResult } from './errors.ts';
import { buildPushPayload, type PushNotification } from './payload.ts';
import {
  checkEndpointUrl,
  guardedLookup,
  KEY_RULES,
  type PushEndpointPolicy,
  PushEndpointRefused,
} from './push-endpoint.ts';
import { createVapidHeaders, type VapidHeaderOptions } from './vapid-header.ts';

export type Urgency = 'very-low' | 'low' | 'normal' | 'high';

/** What the browser's PushSubscription.toJSON() returns and the app stores per device. */
export type PushSubscriptionJson = {
  endpoint: string;
  keys: { p256dh: string; auth: string };
};

export type PushSenderConfig = {
  vapidPublicKey: string;
  vapidPrivateKey: string;
  /** How the push service can reach us: a mailto: or https: URL (RFC 8292 §2.1). */
  subject: string;
  /** For a push service with a private CA, such as the local one in peers/. */
  agent?: Agent;
  /**
   * Which endpoints may be called (docs/DELIVERY.md, "Push endpoints"): checked before each send, and every address
   * a host name resolves to is checked again as the connection is made.
   */
  endpoints: PushEndpointPolicy;
  timeoutMs?: number;
  /** How long one signed VAPID header is reused per push service origin (delivery/vapid-header.ts). */
  vapidHeaders?: VapidHeaderOptions;
};

export type PushMessage = {
  subscription: PushSubscriptionJson;
  payload: PushNotification;
  /** How long the push service may hold the message for an offline device. */
  ttlSeconds: number;
  urgency: Urgency;
  /** Replaces an undelivered message with the same topic: at most 32 base64url characters. */
  topic?: string;
  /** Budget for the JSON payload, MAX_PAYLOAD_BYTES by default; smaller after a push service answered 413. */
  maxPayloadBytes?: number;
  /**
   * The commit point: awaited when all but the last byte of the request body is on the wire. A push service acts
   * only on a complete body, so if it rejects, the request is aborted and nothing is delivered; send() then rejects
   * with that same error.
   */
  beforeCommit?: BeforeCommit;
};

export type PushSender = {
  send(message: PushMessage): Promise<SendResult>;
};

const URGENCIES: readonly string[] = ['very-low', 'low', 'normal', 'high'];

/** Keys are made once, stored by the app, and the public one handed to browsers as applicationServerKey. */
export function generateVapidKeys(): { publicKey: string; privateKey: string } {
  return webpush.generateVAPIDKeys();
}

export function createPushSender(config: PushSenderConfig): PushSender {
  checkConfig(config);
  const vapidHeader = createVapidHeaders(
    { subject: config.subject, publicKey: config.vapidPublicKey, privateKey: config.vapidPrivateKey },
    config.vapidHeaders,
  );

  const lookup = guardedLookup(config.endpoints);
  return {
    async send(message) {
      checkSubscription(message.subscription, config.endpoints);
      checkMessage(message);
      let body: string;
      try {
        body = buildPushPayload(message.payload, message.maxPayloadBytes);
      } catch (err) {
        throw new DeliveryError('push_payload_too_large', `push: ${(err as Error).message}`, {
          permanent: true,
          cause: err,
        });
      }
      // No vapidDetails: web-push would sign a new JWT per message; the header comes from the per-origin cache.
      let details: ReturnType<typeof webpush.generateRequestDetails>;
      try {
        details = webpush.generateRequestDetails(message.subscription, body, {
          TTL: message.ttlSeconds,
          urgency: message.urgency,
          topic: message.topic,
        });
      } catch (err) {
        // The encryption's key agreement is where a key off the curve shows (see checkSubscription).
        if ((err as { code?: unknown }).code !== 'ERR_CRYPTO_ECDH_INVALID_PUBLIC_KEY') throw err;
        throw new DeliveryError('push_key_invalid', `push: subscription keys.p256dh ${KEY_RULES.p256dh}`, {
          permanent: true,
          cause: err,
        });
      }
      details.headers.Authorization = vapidHeader(message.subscription.endpoint);
      // The gate's own failures, and the commit's (the ledger's connection lost at the commit point, CommitLostError),
      // are rethrown as they are: the service did not get the whole message, which a connection failure would not say.
      let gateError: unknown;
      const ownFailure = (err: unknown) => {
        gateError = err;
        throw err;
      };
      const gate = message.beforeCommit
        ? () =>
            message.beforeCommit!().then(
              (commit) =>
                commit &&
                Object.assign(
                  () => {
                    try {
                      commit();
                    } catch (err) {
                      ownFailure(err);
                    }
                  },
                  { abandon: commit.abandon },
                ),
              ownFailure,
            )
        : async () => undefined;
      try {
        const result = await postGated(details, gate, { agent: config.agent, lookup }, config.timeoutMs ?? 15_000);
        const location = result.headers.location;
        return { providerMessageId: typeof location === 'string' ? location : randomUUID(), sentAt: new Date() };
      } catch (err) {
        if (gateError !== undefined) throw gateError;
        throw classifyPushFailure(err);
      }
    },
  };
}

type PushReply = { statusCode: number; headers: IncomingHttpHeaders; body: string };

/**
 * POSTs the encrypted request, holding back its last byte until the gate passes. The push service only acts on
 * a complete body (Content-Length is set), so an aborted request delivers nothing. Rejects like web-push does:
 * with { statusCode, headers, body } for any reply other than 2xx.
 */
function postGated(
  details: { endpoint: string; method: string; headers: Record<string, string | number>; body: Buffer | null },
  gate: BeforeCommit,
  connection: { agent: Agent | undefined; lookup: LookupFunction },
  timeoutMs: number,
): Promise<PushReply> {
  return new Promise((resolve, reject) => {
    const body = details.body ?? Buffer.alloc(0);
    const req = https.request(
      details.endpoint,
      // An agent's own options win over these (node's Agent#createSocket): ours set no lookup.
      { method: details.method, headers: details.headers, ...connection, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const reply = {
            statusCode: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          };
          if (reply.statusCode >= 200 && reply.statusCode < 300) resolve(reply);
          else reject(Object.assign(new Error(`push service replied ${reply.statusCode}`), reply));
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`push: no reply within ${timeoutMs} ms`)));
    let failed = false;
    req.on('error', (err) => {
      failed = true;
      reject(err);
    });
    // Pass the gate only once the head of the request is on the wire: until the TLS socket is up, node buffers
    // writes in the process, and a crash would lose them together with the last byte that the commit promised.
    const head = body.subarray(0, Math.max(0, body.length - 1));
    const headWritten = new Promise<void>((resolveHead) => req.write(head, () => resolveHead()));
    headWritten
      .then(() => gate())
      // One full turn of the event loop first (two immediates: the first may run before the loop polls again), so
      // that a close or reset of the connection that already arrived is seen: a reused keep-alive connection the
      // service closed while idle takes the head and drops it, and the last byte after it would leave a committed row
      // for a message the service never saw.
      .then((commit) => new Promise<typeof commit>((next) => setImmediate(() => setImmediate(() => next(commit)))))
      .then(
        (commit) => {
          if (failed || req.destroyed) {
            // The connection is gone before the last byte: the service cannot have the message, and send() has
            // rejected with the connection's error. Give the commit point up, so the row is free for a retry.
            commit?.abandon?.();
            reject(new Error('push: the connection closed before the last byte'));
            return;
          }
          try {
            commit?.();
          } catch (err) {
            // The commit point could not be recorded: the service must never get the whole message.
            req.destroy();
            reject(err);
            return;
          }
          req.end(body.subarray(Math.max(0, body.length - 1)));
        },
        (err) => {
          req.destroy();
          reject(err);
        },
      );
  });
}

/**
 * RFC 8030 §8 and RFC 8292: 404/410 mean the subscription is gone for good (delete it),
 * 413 that this payload will never fit, 401/403 that our VAPID identity is refused, other
 * 4xx that the request itself is wrong; 429 and 5xx are worth retrying, after Retry-After.
 */
export function classifyPushFailure(err: unknown, nowMs = Date.now()): DeliveryError {
  if (err instanceof DeliveryError) return err;
  if (err instanceof PushEndpointRefused) return refused(err.message, err);
  const failure = err as { statusCode?: unknown; headers?: Record<string, unknown>; body?: unknown; message?: string };
  if (typeof failure.statusCode !== 'number') {
    return new DeliveryError('push_connection_failed', `push: ${failure.message ?? String(err)}`, {
      permanent: false,
      cause: err,
    });
  }
  const status = failure.statusCode;
  const detail = typeof failure.body === 'string' && failure.body !== '' ? `: ${failure.body}` : '';
  const retryAfterMs = parseRetryAfter(failure.headers?.['retry-after'], nowMs);
  const details = (permanent: boolean) => ({ permanent, status, retryAfterMs, cause: err });
  if (status === 404 || status === 410) {
    return new DeliveryError(
      'push_subscription_gone',
      `push: subscription is gone (${status})${detail}`,
      details(true),
    );
  }
  if (status === 413) {
    return new DeliveryError('push_payload_too_large', `push: payload too large (413)${detail}`, details(true));
  }
  if (status === 429) {
    return new DeliveryError('push_rate_limited', `push: rate limited (429)${detail}`, details(false));
  }
  if (status >= 500) {
    return new DeliveryError('push_server_error', `push: push service error (${status})${detail}`, details(false));
  }
  if (status === 401 || status === 403) {
    return new DeliveryError('push_unauthorized', `push: VAPID identity refused (${status})${detail}`, details(true));
  }
  return new DeliveryError('push_rejected', `push: request refused (${status})${detail}`, details(true));
}

/** Retry-After is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: unknown, nowMs = Date.now()): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

function checkConfig(config: PushSenderConfig): void {
  // An agent's options override the request's (node's Agent#createSocket), so its own lookup would bypass ours.
  if (config.agent && 'lookup' in config.agent.options)
    throw new TypeError('push sender: the agent must not set its own lookup; the endpoint policy resolves names');
  if (Buffer.from(config.vapidPublicKey, 'base64url').length !== 65) {
    throw new TypeError('push sender: vapidPublicKey must be a base64url uncompressed P-256 point (65 bytes)');
  }
  if (Buffer.from(config.vapidPrivateKey, 'base64url').length !== 32) {
    throw new TypeError('push sender: vapidPrivateKey must be a base64url P-256 private key (32 bytes)');
  }
  if (!/^(mailto:|https:)/.test(config.subject)) {
    throw new TypeError(`push sender: subject must be a mailto: or https: URL, got "${config.subject}"`);
  }
}

/** Nothing was sent: the endpoint may not be called, now or later. */
function refused(detail: string, cause?: unknown): DeliveryError {
  return new DeliveryError('push_endpoint_refused', `push: ${detail}`, { permanent: true, cause });
}

/**
 * A subscription that cannot be used whatever we send: its endpoint is refused (checked again as the connection is
 * made, by `lookup`) or its key is not an uncompressed P-256 point, on which encryption would throw every time.
 * Whether the point is on the curve is left to the encryption's own key agreement, which checks it anyway (an
 * import here as well cost about 0.1 ms per message); send() classifies that failure the same way.
 */
function checkSubscription({ endpoint, keys }: PushSubscriptionJson, policy: PushEndpointPolicy): void {
  const check = checkEndpointUrl(endpoint, policy);
  // The host only: the rest of an endpoint is the device's capability, kept out of logs.
  if (!check.ok) throw refused(`push endpoint ${check.rule} (host ${hostOf(endpoint)})`);
  const point = Buffer.from(keys.p256dh, 'base64url');
  const badKey = !(point.length === 65 && point[0] === 0x04)
    ? `keys.p256dh ${KEY_RULES.p256dh}`
    : Buffer.from(keys.auth, 'base64url').length !== 16
      ? `keys.auth ${KEY_RULES.auth}`
      : undefined;
  if (badKey) throw new DeliveryError('push_key_invalid', `push: subscription ${badKey}`, { permanent: true });
}

function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return 'unreadable';
  }
}

function checkMessage(message: PushMessage): void {
  const problem = messageProblem(message);
  if (problem) throw new DeliveryError('invalid_message', `push: ${problem}`, { permanent: true });
}

function messageProblem({ ttlSeconds, urgency, topic }: PushMessage): string | undefined {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 0)
    return `ttlSeconds must be a non-negative integer, got ${ttlSeconds}`;
  if (!URGENCIES.includes(urgency)) return `urgency must be one of ${URGENCIES.join(', ')}, got "${urgency}"`;
  if (topic !== undefined && !/^[A-Za-z0-9_-]{1,32}$/.test(topic))
    return 'topic must be 1 to 32 characters of the base64url alphabet';
  return undefined;
}
