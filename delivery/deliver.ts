// Delivers alert decisions exactly once per (decision, channel): claim in the ledger, call the provider, settle.

import { randomUUID } from 'node:crypto';
import {
  ClaimLostError,
  CommitLostError,
  claimDeliveries,
  type DeliveryJob,
  loadDeliveryJobs,
  markEmailUndeliverable,
  markInFlightPossiblySent,
  passCommitPoint,
  recordSkipped,
  revokePushSubscription,
  type Settlement,
  settleDelivery,
} from '../db/deliveries.ts';
import { recordBounce } from '../db/engagement.ts';
import type { Pool } from '../db/pool.ts';
import { returnUnsentClaim } from '../db/provider-limits.ts';
import type { Commit } from '../domain/commit-point.ts';
import type { Channel } from '../domain/vocabulary.ts';
import { answerOf, type ProviderBusyError, type ProviderGate, type ProviderPermit, permitFor } from './backpressure.ts';
import type { EmailMessage } from './email-sender.ts';
import { DeliveryError, type DeliveryErrorCode, type SendResult } from './errors.ts';
import { localizer } from './i18n.ts';
import { untilWritten } from './ledger-writes.ts';
import type { Links } from './links.ts';
import { pushProvider } from './provider-limits.ts';
import type { PushMessage, Urgency } from './push-sender.ts';
import { type AlertContent, alertPushContent, renderAlertEmail } from './templates.ts';

export interface EmailChannel {
  send(message: EmailMessage): Promise<SendResult>;
}

export interface PushChannel {
  send(message: PushMessage): Promise<SendResult>;
}

export interface DeliverDeps {
  pool: Pool;
  email: EmailChannel;
  push: PushChannel;
  /** Domain for Message-IDs, e.g. "fanfare.example". */
  messageIdDomain: string;
  /** Signed tracking, unsubscribe and preferences links. */
  links: Links;
  /** The List-Id header (RFC 2919). */
  listId: string;
  /** Provider calls in flight at once. */
  concurrency: number;
  now?: () => Date;
  /**
   * Per-provider limits shared by every worker (docs/DELIVERY.md, "Backpressure"): `smtp` names the relay's provider.
   * Without it, providers are called as fast as `concurrency` allows.
   */
  providers?: { gate: ProviderGate; smtp: string };
  /** Told of each delivery this call settled or skipped, for the metrics; it must not throw. */
  onOutcome?: (outcome: DeliveryOutcome) => void;
}

/** What one delivery came to, in bounded facts only: no fan, address or message text. */
export interface DeliveryOutcome {
  decisionId: number;
  eventId: number;
  channel: Channel;
  outcome: 'sent' | 'failed' | 'retry' | 'possibly_sent' | 'skipped';
  decidedAt: Date;
  /** Why the provider or the transport refused it (failed and retry only). */
  error?: { code: string; status?: number };
}

export interface DeliveryReport {
  sent: number;
  failed: number;
  skipped: number;
  possiblySent: number;
  retry: number;
  /** The longest wait a provider asked for before retrying, if any. */
  retryAfterMs?: number;
}

const DEFAULT_PUSH_TTL_S = 24 * 3600;
/** After a push service answered 413 the payload is sent once more within this budget (title and body trimmed). */
export const TRIMMED_PUSH_PAYLOAD_BYTES = 1024;
const MAX_PUSH_TTL_S = 28 * 24 * 3600;

/** TTL comes from the deadline: a push that arrives after it is worthless. */
export function pushTtlSeconds(deadline: Date | null, now: Date): number {
  if (!deadline) return DEFAULT_PUSH_TTL_S;
  const s = Math.floor((deadline.getTime() - now.getTime()) / 1000);
  return Math.max(0, Math.min(MAX_PUSH_TTL_S, s));
}

/** Urgency from the event's priority: a live stream is now or never. */
export function pushUrgency(kind: string): Urgency {
  return kind === 'live' ? 'high' : kind === 'announcement' ? 'normal' : 'low';
}

/** Why an eligible-when-decided job must not be sent now, or null. */
export function skipReason(job: DeliveryJob): string | null {
  if (job.channel === 'email') {
    if (!job.emailEnabled) return 'email_opted_out';
    if (!job.emailDeliverable) return 'email_undeliverable';
  } else {
    if (!job.pushEnabled) return 'push_opted_out';
    if (job.pushSubscriptions.length === 0) return 'push_no_subscription';
  }
  return null;
}

/**
 * The protocol (docs/DELIVERY.md): claim rows for this attempt ('claimed': nothing sent yet, a resend is safe); just
 * before the provider can have the whole message, pass the commit point ('sending'), once per message; settle with
 * the provider's answer, or 'possibly_sent' when none came after the commit point. A later attempt re-claims
 * 'claimed' rows of a dead attempt and marks its 'sending' rows 'possibly_sent', never resending them.
 */
export async function deliverDecisions(deps: DeliverDeps, decisionIds: readonly number[]): Promise<DeliveryReport> {
  const now = deps.now ?? (() => new Date());
  const token = randomUUID();
  const report: DeliveryReport = { sent: 0, failed: 0, skipped: 0, possiblySent: 0, retry: 0 };
  const jobs = await loadDeliveryJobs(deps.pool, decisionIds);

  const skips: { decisionId: number; channel: DeliveryJob['channel']; reason: string }[] = [];
  const eligible: DeliveryJob[] = [];
  for (const job of jobs) {
    const reason = skipReason(job);
    if (reason) skips.push({ decisionId: job.decisionId, channel: job.channel, reason });
    else eligible.push(job);
  }
  await recordSkipped(deps.pool, skips);

  const claimed = await claimDeliveries(deps.pool, token, eligible);
  // Skipped jobs too: a fan who opted out after a dead attempt's commit point may still have had that message.
  const unclaimed = [
    ...eligible.filter((j) => !claimed.has(j.decisionId)).map((j) => j.decisionId),
    ...skips.map((s) => s.decisionId),
  ];
  const inFlight = new Set(await markInFlightPossiblySent(deps.pool, unclaimed));
  report.possiblySent = inFlight.size;
  report.skipped = skips.filter((s) => !inFlight.has(s.decisionId)).length;
  const tell = (job: DeliveryJob, outcome: DeliveryOutcome['outcome'], error?: DeliveryOutcome['error']) =>
    deps.onOutcome?.({
      decisionId: job.decisionId,
      eventId: job.event.id,
      channel: job.channel,
      outcome,
      decidedAt: job.decidedAt,
      ...(error ? { error } : {}),
    });
  const skipped = new Set(skips.map((s) => s.decisionId));
  for (const job of jobs) {
    if (inFlight.has(job.decisionId)) tell(job, 'possibly_sent');
    else if (skipped.has(job.decisionId)) tell(job, 'skipped');
  }

  const queue = eligible.filter((j) => claimed.has(j.decisionId));
  const run = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const gate = () => passCommitPoint(deps.pool, token, job!.decisionId, job!.channel);
      const s =
        job.channel === 'email' ? await sendEmail(deps, job, gate, now()) : await sendPush(deps, job, gate, now());
      if (!s) continue; // another attempt holds the claim and settles it
      if (s.unsent) {
        // The provider was busy and got nothing: hand the claim back without spending an attempt.
        await returnUnsentClaim(deps.pool, token, job.decisionId, job.channel, s.unsent.message);
        tell(job, 'retry', { code: 'provider_busy' });
        report.retry++;
        report.retryAfterMs = Math.max(report.retryAfterMs ?? 0, s.unsent.retryAfterMs);
        continue;
      }
      await untilWritten(() => settleDelivery(deps.pool, token, job.decisionId, job.channel, s.settlement));
      const settled = s.settlement;
      const error =
        settled.status === 'failed' || settled.status === 'retry'
          ? { code: settled.errorCode, status: s.providerStatus }
          : undefined;
      tell(job, settled.status, error);
      if (s.settlement.status === 'sent') report.sent++;
      else if (s.settlement.status === 'failed') report.failed++;
      else if (s.settlement.status === 'possibly_sent') report.possiblySent++;
      else {
        report.retry++;
        if (s.retryAfterMs !== undefined) report.retryAfterMs = Math.max(report.retryAfterMs ?? 0, s.retryAfterMs);
      }
    }
  };
  // Every loop runs to its end before a failure is passed on: a call that failed (the ledger unreachable) while others
  // were still in flight would let the caller's retry claim their rows again while they settle (a message past its
  // commit point whose COMMIT a PostgreSQL restart lost is 'claimed' again, and would be sent twice).
  const loops = await Promise.allSettled(Array.from({ length: Math.max(1, deps.concurrency) }, run));
  const failed = loops.find((l) => l.status === 'rejected');
  if (failed) throw failed.reason;
  return report;
}

interface Outcome {
  settlement: Settlement;
  retryAfterMs?: number;
  /** The provider's reply code (SMTP or HTTP) when it refused the message. */
  providerStatus?: number;
  /** Set when the provider was too busy to be called at all: nothing was sent, the claim goes back unspent. */
  unsent?: ProviderBusyError;
}

const UNSENT: Settlement = { status: 'retry', errorCode: 'provider_busy', errorMessage: 'provider busy' };

/**
 * A transport tried to stream a message through its commit point a second time
 * (nodemailer's pool requeues a message whose connection closed).
 */
export class RecommitError extends Error {
  constructor(readonly decisionId: number) {
    super(
      `delivery of decision ${decisionId}: ` +
        'the transport retried a message that had passed its commit point; not sent again',
    );
  }
}

/**
 * One message's commit point, passable once: the first pass records 'sending'; a second pass means the transport is
 * resending bytes the provider may already have taken, so it is refused. `passed` says whether the commit was run, i.e.
 * whether the last byte may have gone out: a sender that found its connection gone after the gate, and abandoned the
 * commit point instead, sent nothing that completes the message, so its failure is no silence after the commit point.
 */
function commitOnce(gate: () => Promise<Commit>, decisionId: number) {
  let gated = false;
  let passed = false;
  return {
    gate: async (): Promise<Commit> => {
      if (gated) throw new RecommitError(decisionId);
      const commit = await gate();
      gated = true;
      return Object.assign(
        () => {
          // Set before the commit runs: a commit that throws (CommitLostError) does not stop the email sender's final
          // dot, which is already being emitted, so from here the provider may have the message.
          passed = true;
          commit();
        },
        { abandon: commit.abandon },
      );
    },
    passed: () => passed,
  };
}

/**
 * After the commit point, an answer from the provider (any status) is definite; silence (a dropped connection, a
 * timeout, a transport retry) is not, because the provider may have acted on the complete message.
 */
function ambiguous(err: unknown, committed: boolean): Outcome | null {
  if (!committed) return null;
  if (
    err instanceof RecommitError ||
    (err instanceof DeliveryError && err.status === undefined && !NOTHING_SENT.includes(err.code))
  ) {
    const code = err instanceof DeliveryError ? err.code : 'transport_retried';
    return {
      settlement: {
        status: 'possibly_sent',
        errorCode: code,
        errorMessage: `no answer after the commit point: ${err.message}`,
      },
    };
  }
  return null;
}

/** Refusals made before a connection exists: whatever the commit point says, the provider got nothing. */
const NOTHING_SENT: readonly DeliveryErrorCode[] = ['invalid_message', 'push_endpoint_refused', 'push_key_invalid'];

/** Failures that make a subscription useless for good: stop sending to it (docs/DELIVERY.md, "Push endpoints"). */
const SUBSCRIPTION_DEAD: readonly DeliveryErrorCode[] = [
  'push_subscription_gone',
  'push_endpoint_refused',
  'push_key_invalid',
];

/** `outage`: the provider was refusing everyone when it refused this, so a retry does not spend the attempt. */
function failure(err: unknown, outage = false): Outcome {
  if (err instanceof CommitLostError) {
    // The ledger's connection was lost at the commit point: PostgreSQL rolled the row back to 'claimed' and the sender
    // held back the last byte, so the provider has nothing. A retry is safe, and the ledger's outage is not the
    // message's, so it spends no attempt.
    return { settlement: { status: 'retry', errorCode: 'commit_lost', errorMessage: err.message, unspent: true } };
  }
  if (err instanceof DeliveryError) {
    return {
      settlement: err.permanent
        ? { status: 'failed', errorCode: err.code, errorMessage: err.message }
        : { status: 'retry', errorCode: err.code, errorMessage: err.message, ...(outage ? { unspent: true } : {}) },
      retryAfterMs: err.retryAfterMs,
      providerStatus: err.status,
    };
  }
  // Anything unclassified is treated as transient: a retry is safe because the provider did not answer.
  return {
    settlement: {
      status: 'retry',
      errorCode: 'unexpected',
      errorMessage: String(err instanceof Error ? err.message : err),
    },
  };
}

/**
 * Releases a provider permit; a release that fails (the ledger unreachable, a PostgreSQL restart) is let go: the lease
 * runs out by itself, and the provider's answer must still be settled. Escaping, it stopped the delivery loop with the
 * row left 'claimed' or 'sending' after the provider took the message, which the next attempt resent or flagged.
 */
async function releasePermit(
  permit: ProviderPermit | null | undefined,
  answer: Parameters<ProviderPermit['release']>[0],
): Promise<{ outage: boolean } | undefined> {
  try {
    return await permit?.release(answer);
  } catch {
    return undefined;
  }
}

/** The event as the templates take it: the creator's words as written. */
function alertContent(job: DeliveryJob): AlertContent {
  const { creatorName, kind, title, url, createdAt, deadline } = job.event;
  return { creatorName, kind, title, url, at: createdAt, deadline };
}

async function sendEmail(
  deps: DeliverDeps,
  job: DeliveryJob,
  gate: () => Promise<Commit>,
  now: Date,
): Promise<Outcome | null> {
  const { links } = deps;
  const content = renderAlertEmail(
    alertContent(job),
    {
      click: links.click(job.decisionId),
      openPixel: links.openPixel(job.decisionId),
      unsubscribe: links.unsubscribe(job.fanId, job.decisionId).url,
      preferences: links.preferences(job.fanId, now),
    },
    localizer(job.locale, job.timeZone),
  );
  const commit = commitOnce(gate, job.decisionId);
  const allowed = await permitFor(deps.providers, deps.providers?.smtp ?? '');
  if ('busy' in allowed) return { settlement: UNSENT, unsent: allowed.busy };
  const { permit } = allowed;
  try {
    const r = await deps.email.send({
      to: job.email,
      ...content,
      messageId: `<decision-${job.decisionId}.email@${deps.messageIdDomain}>`,
      headers: {
        ...links.listHeaders(job.fanId, job.decisionId, deps.listId),
        'X-Fanfare-Decision': String(job.decisionId),
      },
      beforeCommit: commit.gate,
    });
    await releasePermit(permit, { accepted: true });
    return { settlement: { status: 'sent', providerMessageId: r.providerMessageId } };
  } catch (err) {
    const answer = await releasePermit(permit, answerOf(err));
    if (err instanceof ClaimLostError) return null;
    const unknown = ambiguous(err, commit.passed());
    if (unknown) return unknown;
    const o = failure(err, answer?.outage);
    if (err instanceof DeliveryError && err.code === 'smtp_rejected_permanent') {
      // A hard bounce: stop emailing the address, and log it where training and the console see engagement.
      await markEmailUndeliverable(deps.pool, job.fanId);
      await recordBounce(deps.pool, job.decisionId, {
        code: err.code,
        status: err.status,
        message: err.message.slice(0, 500),
      });
    }
    return o;
  }
}

/** Sends to each of the fan's devices; sent if any device accepted, retried only if none did and one may yet. */
async function sendPush(
  deps: DeliverDeps,
  job: DeliveryJob,
  gate: () => Promise<Commit>,
  now: Date,
): Promise<Outcome | null> {
  const content = alertPushContent(
    alertContent(job),
    localizer(job.locale, job.timeZone),
    deps.links.click(job.decisionId),
  );
  const accepted: string[] = [];
  let transient: Outcome | undefined;
  let permanent: Outcome | undefined;
  let unknown: Outcome | undefined;
  let busy: ProviderBusyError | undefined;
  let called = false;
  for (const sub of job.pushSubscriptions) {
    let allowed: Awaited<ReturnType<typeof permitFor>>;
    try {
      allowed = await permitFor(deps.providers, pushProvider(sub.endpoint));
    } catch (err) {
      if (!(err instanceof TypeError)) throw err;
      allowed = { permit: null }; // an endpoint that is no URL: the sender refuses it below, before any connection
    }
    if ('busy' in allowed) {
      busy = allowed.busy;
      continue;
    }
    const { permit } = allowed;
    called = true;
    const commit = commitOnce(gate, job.decisionId);
    const message: PushMessage = {
      subscription: { endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } },
      payload: { ...content, tag: `decision-${job.decisionId}` },
      ttlSeconds: pushTtlSeconds(job.event.deadline, now),
      urgency: pushUrgency(job.event.kind),
      topic: `event-${job.event.id}`,
      beforeCommit: commit.gate,
    };
    let resend: ReturnType<typeof commitOnce> | undefined;
    try {
      let r: SendResult;
      try {
        r = await deps.push.send(message);
      } catch (err) {
        // 413 means the service did not take it, so one more try with a smaller payload cannot duplicate it.
        if (!(err instanceof DeliveryError && err.code === 'push_payload_too_large' && err.status === 413)) throw err;
        resend = commitOnce(gate, job.decisionId);
        r = await deps.push.send({
          ...message,
          beforeCommit: resend.gate,
          maxPayloadBytes: TRIMMED_PUSH_PAYLOAD_BYTES,
        });
      }
      await releasePermit(permit, { accepted: true });
      accepted.push(r.providerMessageId);
    } catch (err) {
      const answer = await releasePermit(permit, answerOf(err));
      if (err instanceof ClaimLostError) return null;
      const silent = ambiguous(err, (resend ?? commit).passed());
      if (silent) {
        unknown = silent;
        continue;
      }
      const o = failure(err, answer?.outage);
      if (err instanceof DeliveryError && SUBSCRIPTION_DEAD.includes(err.code))
        await revokePushSubscription(deps.pool, sub.id);
      if (o.settlement.status === 'retry') transient = o;
      else permanent = o;
    }
  }
  if (accepted.length > 0) return { settlement: { status: 'sent', providerMessageId: accepted.join(' ') } };
  if (busy && !called) return { settlement: UNSENT, unsent: busy };
  if (busy && !unknown && !transient)
    transient = {
      settlement: { status: 'retry', errorCode: 'provider_busy', errorMessage: busy.message },
      retryAfterMs: busy.retryAfterMs,
    };
  // A device that may have it outranks a retry: a retry would resend to that device too.
  return unknown ?? transient ?? permanent!;
}
