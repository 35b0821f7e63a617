// The composition root: builds the pool, Temporal client, channel senders and activities from configuration.

import { readFileSync } from 'node:fs';
import type { Agent } from 'node:https';
import https from 'node:https';
import { Client, Connection } from '@temporalio/client';
import { createPool, type Pool } from '../db/pool.ts';
import { createEmailSender, type EmailSender } from '../delivery/email-sender.ts';
import { storedTrackingKeys, type VapidKeys, vapidKeys } from '../delivery/keys.ts';
import { createLinks, type Links } from '../delivery/links.ts';
import { createPushSender, type PushSender } from '../delivery/push-sender.ts';
import { createTokenSigner, type TrackingKey } from '../delivery/tokens.ts';
import { type Config, mailDomain, requireDatabaseUrl } from './config.ts';

/**
 * TRACKING_KEYS when set; otherwise one key generated on first use and kept, so links in sent mail keep verifying
 * across restarts and between the worker (which signs) and the API (which verifies).
 */
export async function trackingKeys(config: Config, pool: Pool): Promise<TrackingKey[]> {
  return config.trackingKeys ?? storedTrackingKeys(pool);
}

/** Where fans reach the API: PUBLIC_URL, or the API's own address for local runs. */
export function publicUrl(config: Config): string {
  return config.publicUrl ?? `http://${config.apiHost}:${config.apiPort}`;
}

export async function messageLinks(config: Config, pool: Pool): Promise<Links> {
  return createLinks({
    publicUrl: publicUrl(config),
    mailDomain: mailDomain(config.mailFrom),
    signer: createTokenSigner(await trackingKeys(config, pool)),
  });
}

export async function connectTemporal(config: Config): Promise<Client> {
  const connection = await Connection.connect({ address: config.temporalAddress });
  return new Client({ connection, namespace: config.temporalNamespace });
}

/** An agent trusting an extra CA, for a push service with a private certificate (PUSH_CA_FILE). */
export function pushAgent(config: Config): Agent | undefined {
  if (!config.pushCaFile) return undefined;
  return new https.Agent({ ca: readFileSync(config.pushCaFile, 'utf8'), keepAlive: true });
}

export interface Senders {
  email: EmailSender;
  push: PushSender;
  vapid: VapidKeys;
}

/** A pooled SMTP sender on the configured server and sender addresses (the fans' mail and the alert emails). */
export function createConfiguredEmailSender(config: Config): EmailSender {
  return createEmailSender({
    host: config.smtp.host,
    port: config.smtp.port,
    secure: config.smtp.secure,
    auth: config.smtp.user ? { user: config.smtp.user, pass: config.smtp.pass ?? '' } : undefined,
    maxConnections: config.smtp.maxConnections,
    rateLimit: config.smtp.rateLimit,
    from: config.mailFrom,
    replyTo: config.mailReplyTo,
  });
}

export async function createSenders(config: Config, pool: Pool, agent?: Agent): Promise<Senders> {
  const vapid = await vapidKeys(pool);
  const email = createConfiguredEmailSender(config);
  const push = createPushSender({
    vapidPublicKey: vapid.publicKey,
    vapidPrivateKey: vapid.privateKey,
    subject: config.vapidSubject,
    agent: agent ?? pushAgent(config),
    endpoints: { hosts: config.pushHosts },
  });
  return { email, push, vapid };
}

/** A pool on DATABASE_URL named after the process that uses it ("worker", "api"), the name its error lines carry. */
export function openPool(config: Config, name: string, max?: number): Pool {
  return createPool(requireDatabaseUrl(config), max, { name });
}
