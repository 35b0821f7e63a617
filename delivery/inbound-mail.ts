// Acts on one message the inbound listener received: a signed unsubscribe, a bounce report, a complaint, or mail
// for a person; stores every one in inbound_mail with what was done.
//
// Reports are unauthenticated mail anyone can send, so nothing is done on their word alone: a bounce or a complaint
// acts only when the original message it quotes carries a List-Unsubscribe token that our key signed, naming the fan
// and the decision (and, for a bounce, the failed recipient is that fan's address). Everything else is stored for a
// person, unacted on.

import { simpleParser } from 'mailparser';
import { markEmailUndeliverable } from '../db/deliveries.ts';
import { recordBounce, unsubscribeFan } from '../db/engagement.ts';
import { fanEmails } from '../db/fans.ts';
import { type InboundKind, inboundMailSeen, insertInboundMail } from '../db/inbound-mail.ts';
import type { Pool } from '../db/pool.ts';
import { unsubscribeTokenFromAddress } from './links.ts';
import {
  bounceClass,
  decisionFromMessageId,
  type Fields,
  field,
  parseDeliveryStatus,
  parseFeedbackReport,
  parseFields,
  reportParts,
  splitHeaderBody,
  unsubscribeTokens,
} from './mail-reports.ts';
import type { TokenSigner } from './tokens.ts';
import { unsubscribeByMail } from './unsubscribe-mail.ts';

export interface InboundDeps {
  pool: Pool;
  signer: TokenSigner;
  now?: () => Date;
}

export interface InboundMessage {
  envelopeFrom: string;
  envelopeTo: readonly string[];
  raw: Buffer;
}

export type InboundOutcome =
  | 'unsubscribed'
  | 'already_unsubscribed'
  | 'hard_bounce'
  | 'soft_bounce'
  | 'complaint'
  | 'unsigned'
  | 'mismatch'
  | 'kept'
  | 'duplicate';

export interface InboundResult {
  kind: InboundKind;
  outcome: InboundOutcome;
  fanId: number | null;
  decisionId: number | null;
  /** The stored row; null for a duplicate, which is not stored again. */
  id: number | null;
}

interface Verdict {
  kind: InboundKind;
  outcome: InboundOutcome;
  fanId?: number;
  decisionId?: number;
  detail: Record<string, unknown>;
}

/** Classifies, acts and stores. Throws only when the database fails, so the sender's MTA tries again later. */
export async function handleInboundMail(deps: InboundDeps, message: InboundMessage): Promise<InboundResult> {
  const now = deps.now?.() ?? new Date();
  const parsed = await simpleParser(message.raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
  const messageId = parsed.messageId ?? null;
  if (messageId && (await inboundMailSeen(deps.pool, messageId)))
    return { kind: 'other', outcome: 'duplicate', fanId: null, decisionId: null, id: null };

  const raw = message.raw.toString('utf8');
  const verdict = await classifyAndAct(deps, message, raw, now);
  const id = await insertInboundMail(deps.pool, {
    kind: verdict.kind,
    outcome: verdict.outcome,
    envelopeFrom: message.envelopeFrom,
    envelopeTo: message.envelopeTo,
    messageId,
    subject: parsed.subject ?? null,
    fanId: verdict.fanId ?? null,
    decisionId: verdict.decisionId ?? null,
    detail: verdict.detail,
    raw,
  });
  return {
    kind: verdict.kind,
    outcome: id === null ? 'duplicate' : verdict.outcome,
    fanId: verdict.fanId ?? null,
    decisionId: verdict.decisionId ?? null,
    id,
  };
}

async function classifyAndAct(deps: InboundDeps, message: InboundMessage, raw: string, now: Date): Promise<Verdict> {
  const unsubscribeTo = message.envelopeTo.filter((a) => unsubscribeTokenFromAddress(a) !== null);
  if (unsubscribeTo.length > 0) return unsubscribe(deps, unsubscribeTo, now);

  const { headers, body } = splitHeaderBody(raw);
  const contentType = field(parseFields(headers), 'content-type');
  const report = reportParts(contentType, body);
  if (report?.reportType === 'delivery-status') return bounce(deps, report.report, report.originalHeaders, now);
  if (report?.reportType === 'feedback-report') return complaint(deps, report.report, report.originalHeaders, now);
  return { kind: 'other', outcome: 'kept', detail: {} };
}

async function unsubscribe(deps: InboundDeps, recipients: string[], now: Date): Promise<Verdict> {
  const results = await unsubscribeByMail(deps.pool, deps.signer, recipients, now);
  const done = results.find((r) => r.outcome === 'unsubscribed' || r.outcome === 'already_unsubscribed');
  const detail = { recipients: results };
  if (!done) return { kind: 'unsubscribe', outcome: 'unsigned', detail };
  const v = deps.signer.verify(unsubscribeTokenFromAddress(done.address)!, 'unsubscribe', now);
  const claims = v.ok ? v.claims : undefined;
  return {
    kind: 'unsubscribe',
    outcome: done.outcome === 'unsubscribed' ? 'unsubscribed' : 'already_unsubscribed',
    fanId: claims?.fanId,
    decisionId: claims?.decisionId,
    detail,
  };
}

type Origin =
  | { ok: true; fanId: number; decisionId?: number; email: string }
  | { ok: false; outcome: 'unsigned' | 'mismatch'; reason: string };

/**
 * Which of our messages a report quotes, proven by the signed unsubscribe token in its List-Unsubscribe header; its
 * Message-ID, when it names a decision, must name the same one.
 */
async function originOf(deps: InboundDeps, original: Fields | null, now: Date): Promise<Origin> {
  if (!original) return { ok: false, outcome: 'unsigned', reason: 'no original message headers in the report' };
  const tokens = unsubscribeTokens(field(original, 'list-unsubscribe'));
  const verified = tokens.map((t) => deps.signer.verify(t, 'unsubscribe', now)).find((v) => v.ok);
  if (!verified?.ok) {
    const reason = tokens.length === 0 ? 'no List-Unsubscribe token' : 'List-Unsubscribe token fails verification';
    return { ok: false, outcome: 'unsigned', reason };
  }
  const { fanId, decisionId } = verified.claims;
  const named = decisionFromMessageId(field(original, 'message-id'));
  if (named !== null && decisionId !== undefined && named !== decisionId)
    return { ok: false, outcome: 'mismatch', reason: `Message-ID names decision ${named}, the token ${decisionId}` };
  const email = (await fanEmails(deps.pool, [fanId])).get(fanId);
  if (email === undefined) return { ok: false, outcome: 'mismatch', reason: `no fan ${fanId}` };
  return { ok: true, fanId, decisionId, email };
}

const sameAddress = (a: string | null, b: string) => a !== null && a.toLowerCase() === b.toLowerCase();

async function bounce(deps: InboundDeps, report: string, original: Fields | null, now: Date): Promise<Verdict> {
  const recipients = parseDeliveryStatus(report);
  const origin = await originOf(deps, original, now);
  if (!origin.ok) return { kind: 'bounce', outcome: origin.outcome, detail: { recipients, reason: origin.reason } };
  const ids = { fanId: origin.fanId, decisionId: origin.decisionId };
  const fans = recipients.filter(
    (r) => sameAddress(r.finalRecipient, origin.email) || sameAddress(r.originalRecipient, origin.email),
  );
  if (fans.length === 0) {
    const reason = "no recipient in the report is the fan's address";
    return { kind: 'bounce', outcome: 'mismatch', ...ids, detail: { recipients, reason } };
  }
  const classes = fans.map(bounceClass);
  const hard = fans[classes.indexOf('hard_bounce')];
  if (hard) {
    // As an SMTP 5xx at send time does: no more email to the address, and the bounce in the engagement log.
    await markEmailUndeliverable(deps.pool, origin.fanId);
    if (origin.decisionId !== undefined) {
      const text = `${hard.status} ${hard.diagnostic ?? ''}`.trim().slice(0, 500);
      await recordBounce(deps.pool, origin.decisionId, { code: 'dsn_failed', message: text });
    }
    return { kind: 'bounce', outcome: 'hard_bounce', ...ids, detail: { recipients } };
  }
  const outcome = classes.includes('soft_bounce') ? 'soft_bounce' : 'kept';
  return { kind: 'bounce', outcome, ...ids, detail: { recipients } };
}

async function complaint(deps: InboundDeps, report: string, original: Fields | null, now: Date): Promise<Verdict> {
  const feedback = parseFeedbackReport(report);
  if (!feedback) return { kind: 'complaint', outcome: 'kept', detail: { reason: 'no Feedback-Type' } };
  const origin = await originOf(deps, original, now);
  if (!origin.ok) return { kind: 'complaint', outcome: origin.outcome, detail: { feedback, reason: origin.reason } };
  const ids = { fanId: origin.fanId, decisionId: origin.decisionId };
  // A report that the message was not spam is no complaint.
  if (feedback.feedbackType === 'not-spam') return { kind: 'complaint', outcome: 'kept', ...ids, detail: { feedback } };
  // The fan marked our mail as spam: stop all email to them, as an unsubscribe does.
  await unsubscribeFan(deps.pool, origin.fanId, origin.decisionId, 'complaint');
  return { kind: 'complaint', outcome: 'complaint', ...ids, detail: { feedback } };
}
