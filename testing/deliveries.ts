// Test fixture for delivery without Temporal: real senders to the local peers, an event, alert decisions to deliver.

import { eventDecisions, insertDecisions } from '../db/decisions.ts';
import { insertEvent } from '../db/events.ts';
import type { Pool } from '../db/pool.ts';
import type { DeliverDeps } from '../delivery/deliver.ts';
import { createEmailSender, type EmailSender } from '../delivery/email-sender.ts';
import { vapidKeys } from '../delivery/keys.ts';
import { createLinks } from '../delivery/links.ts';
import { parsePushHosts } from '../delivery/push-endpoint.ts';
import { createPushSender, type PushSender } from '../delivery/push-sender.ts';
import { createTokenSigner, type TokenSigner } from '../delivery/tokens.ts';
import type { Channel, EventKind } from '../domain/vocabulary.ts';
import type { PushService } from '../peers/push-service.ts';
import type { SmtpCapture } from '../peers/smtp-capture.ts';
import { baselineSendNow } from '../policy/baseline.ts';

export const TEST_TRACKING_KEYS = [{ kid: 't1', secret: 'test-tracking-secret-0123456789abcdef' }];
export const TEST_PUBLIC_URL = 'https://fans.fanfare.test';

export interface DeliveryRig {
  deps: DeliverDeps;
  email: EmailSender;
  push: PushSender;
  signer: TokenSigner;
  close(): void;
}

/** deliverDecisions' dependencies wired to the local SMTP capture and push service, as the worker wires them. */
export async function deliveryRig(
  pool: Pool,
  smtp: SmtpCapture,
  pushService: PushService,
  concurrency = 4,
): Promise<DeliveryRig> {
  const vapid = await vapidKeys(pool);
  const email = createEmailSender({
    host: smtp.host,
    port: smtp.port,
    from: 'Fanfare <notify@mail.fanfare.test>',
    replyTo: 'help@fanfare.test',
    maxConnections: concurrency,
  });
  const push = createPushSender({
    vapidPublicKey: vapid.publicKey,
    vapidPrivateKey: vapid.privateKey,
    subject: 'mailto:push@fanfare.test',
    agent: pushService.agent,
    endpoints: { hosts: parsePushHosts(pushService.allowEntry) },
  });
  const signer = createTokenSigner(TEST_TRACKING_KEYS);
  const links = createLinks({ publicUrl: TEST_PUBLIC_URL, mailDomain: 'mail.fanfare.test', signer });
  return {
    deps: {
      pool,
      email,
      push,
      messageIdDomain: 'mail.fanfare.test',
      links,
      listId: 'Fanfare <alerts.mail.fanfare.test>',
      concurrency,
    },
    email,
    push,
    signer,
    close: () => email.close(),
  };
}

export interface EventSpec {
  creatorId: number;
  fanIds: readonly number[];
  channels?: Channel[];
  title?: string;
  kind?: EventKind;
  url?: string;
  deadline?: Date | null;
  key: string;
}

/** Stores an event and one alert decision per fan and channel, due now; returns the decision ids by channel. */
export async function decideAlerts(
  pool: Pool,
  spec: EventSpec,
): Promise<{ eventId: number; email: number[]; push: number[] }> {
  const { event } = await insertEvent(pool, {
    creatorId: spec.creatorId,
    kind: spec.kind ?? 'post',
    title: spec.title ?? 'A new post',
    url: spec.url ?? 'https://creators.example/p/1',
    audience: { rule: 'all' },
    idempotencyKey: spec.key,
    deadline: spec.deadline ?? null,
  });
  const channels = spec.channels ?? ['email', 'push'];
  await insertDecisions(
    pool,
    event.id,
    baselineSendNow(
      spec.fanIds.map((fanId) => ({ fanId, channels })),
      new Date(),
    ),
  );
  const decisions = await eventDecisions(pool, event.id);
  const ids = (c: Channel) => decisions.filter((d) => d.channel === c).map((d) => d.id);
  return { eventId: event.id, email: ids('email'), push: ids('push') };
}
