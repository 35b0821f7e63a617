// Digests end to end: the fans due this hour and their digests, then one email each through the digests ledger.
import { randomUUID } from 'node:crypto';
import type { Settlement } from '../db/deliveries.ts';
import {
  claimDigests,
  DigestClaimLostError,
  type DigestFan,
  digestFans,
  loadDigestJobs,
  markDigestsPossiblySent,
  type NewDigest,
  passDigestCommitPoint,
  recordDigests,
  returnUnsentDigestClaim,
  settleDigest,
  skipDigests,
  type WaitingItem,
  waitingItems,
} from '../db/digests.ts';
import type { Pool } from '../db/pool.ts';
import { zoneOffsetMinutes } from '../domain/clock.ts';
import type { ActiveDigestCadence } from '../domain/vocabulary.ts';
import type { DigestSettings } from '../policy/cap-policy.ts';
import { digestDue, selectDigest } from '../policy/digest.ts';
import { answerOf, permitFor } from './backpressure.ts';
import type { DeliverDeps, EmailChannel } from './deliver.ts';
import { DeliveryError } from './errors.ts';
import { localizer } from './i18n.ts';
import { untilWritten } from './ledger-writes.ts';
import type { Links } from './links.ts';
import { renderDigestEmail } from './templates.ts';

/** How far back digest decisions are looked for: a weekly digest's week and a day of slack. */
export const DIGEST_LOOKBACK_MS = 8 * 86_400_000;

/** The fan's local date at `atMs`, which names the digest period: one digest per fan per local day at most. */
export function digestPeriod(cadence: ActiveDigestCadence, timeZone: string, atMs: number): string {
  return `${cadence}:${new Date(atMs + zoneOffsetMinutes(timeZone, atMs) * 60_000).toISOString().slice(0, 10)}`;
}

/**
 * The digests this hourly run owes: for each fan whose local digest hour it is, the top K waiting items (never one
 * alerted or carried by an earlier digest); a fan with nothing that qualifies gets none.
 */
export function planDigests(
  fans: readonly DigestFan[],
  waiting: { items: readonly WaitingItem[]; alerted: ReadonlySet<string>; carried: ReadonlySet<string> },
  settings: DigestSettings,
  now: Date,
): NewDigest[] {
  const byFan = new Map<number, WaitingItem[]>();
  for (const item of waiting.items) {
    if (waiting.carried.has(`${item.fanId}/${item.eventId}`)) continue;
    const list = byFan.get(item.fanId) ?? [];
    list.push(item);
    byFan.set(item.fanId, list);
  }
  const out: NewDigest[] = [];
  for (const fan of fans) {
    if (!digestDue(fan.timeZone, fan.cadence, fan.digestHour, now, settings.weeklyOn)) continue;
    const items = byFan.get(fan.fanId) ?? [];
    const alerted = new Set(
      items.filter((i) => waiting.alerted.has(`${fan.fanId}/${i.eventId}`)).map((i) => i.eventId),
    );
    const chosen = selectDigest(items, alerted, settings, now) as WaitingItem[];
    if (chosen.length === 0) continue;
    out.push({
      fanId: fan.fanId,
      period: digestPeriod(fan.cadence, fan.timeZone, now.getTime()),
      cadence: fan.cadence,
      items: chosen.map((i) => ({ decisionId: i.decisionId, eventId: i.eventId, score: i.score })),
    });
  }
  return out;
}

export interface DigestPage {
  fans: number;
  lastFanId: number;
  /** Digests of this page not sent yet (new ones and those a failed attempt left). */
  digestIds: number[];
}

/** Plans and records the digests of one keyset page of fans; repeating it for the same hour records nothing new. */
export async function buildDigestPage(
  pool: Pool,
  settings: DigestSettings,
  now: Date,
  afterFanId: number,
  limit: number,
): Promise<DigestPage> {
  const from = new Date(now.getTime() - DIGEST_LOOKBACK_MS);
  const fans = await digestFans(pool, afterFanId, limit, from);
  if (fans.length === 0) return { fans: 0, lastFanId: afterFanId, digestIds: [] };
  const waiting = await waitingItems(
    pool,
    fans.map((f) => f.fanId),
    from,
  );
  const digestIds = await recordDigests(pool, planDigests(fans, waiting, settings, now));
  return { fans: fans.length, lastFanId: fans[fans.length - 1].fanId, digestIds };
}

export interface DigestDeliveryDeps {
  pool: Pool;
  email: EmailChannel;
  messageIdDomain: string;
  links: Links;
  listId: string;
  /** The per-provider limits alerts go through (docs/DELIVERY.md, "Backpressure"); none, the relay is not gated. */
  providers?: DeliverDeps['providers'];
  now?: () => Date;
}

export interface DigestReport {
  sent: number;
  failed: number;
  skipped: number;
  possiblySent: number;
  retry: number;
  /** The digests left to try again: refused for now, or handed back unsent because the relay was busy. */
  retryIds: number[];
  /** The longest wait the relay asked for (its pause), if any. */
  retryAfterMs?: number;
}

function outcome(err: unknown, committed: boolean): Settlement {
  if (committed && !(err instanceof DeliveryError && err.status !== undefined)) {
    return {
      status: 'possibly_sent',
      errorCode: err instanceof DeliveryError ? err.code : 'no_answer',
      errorMessage: `no answer after the commit point: ${String(err)}`,
    };
  }
  if (err instanceof DeliveryError)
    return { status: err.permanent ? 'failed' : 'retry', errorCode: err.code, errorMessage: err.message };
  return { status: 'retry', errorCode: 'unexpected', errorMessage: String(err instanceof Error ? err.message : err) };
}

/**
 * Sends each digest once, by the alerts' protocol (docs/DELIVERY.md): claim, pass the commit point just before the
 * final byte, settle with the answer. A digest a dead attempt left past its commit point is never resent silently.
 */
export async function deliverDigests(deps: DigestDeliveryDeps, ids: readonly number[]): Promise<DigestReport> {
  const now = deps.now ?? (() => new Date());
  const token = randomUUID();
  const report: DigestReport = { sent: 0, failed: 0, skipped: 0, possiblySent: 0, retry: 0, retryIds: [] };
  const jobs = await loadDigestJobs(deps.pool, ids);
  const unreachable = jobs.filter((j) => !j.reachable).map((j) => j.digestId);
  await skipDigests(deps.pool, unreachable, 'email_opted_out_or_undeliverable');
  report.skipped = unreachable.length;
  const claimed = await claimDigests(
    deps.pool,
    token,
    jobs.filter((j) => j.reachable).map((j) => j.digestId),
  );
  report.possiblySent = await markDigestsPossiblySent(
    deps.pool,
    ids.filter((id) => !claimed.has(id)),
  );
  for (const job of jobs.filter((j) => claimed.has(j.digestId))) {
    const content = renderDigestEmail(
      {
        cadence: job.cadence,
        items: job.items.map((i) => ({ ...i, click: deps.links.click(i.decisionId) })),
        at: now(),
      },
      {
        // The best item's decision carries the digest's open: one pixel per message.
        openPixel: deps.links.openPixel(job.items[0].decisionId),
        unsubscribe: deps.links.unsubscribe(job.fanId).url,
        preferences: deps.links.preferences(job.fanId, now()),
      },
      localizer(job.locale, job.timeZone),
    );
    const allowed = await permitFor(deps.providers, deps.providers?.smtp ?? '');
    if ('busy' in allowed) {
      // The relay is paused or full: nothing was sent, so the claim goes back without spending an attempt.
      await returnUnsentDigestClaim(deps.pool, token, job.digestId, allowed.busy.message);
      report.retry++;
      report.retryIds.push(job.digestId);
      report.retryAfterMs = Math.max(report.retryAfterMs ?? 0, allowed.busy.retryAfterMs);
      continue;
    }
    const { permit } = allowed;
    let committed = false;
    let settlement: Settlement;
    try {
      const r = await deps.email.send({
        to: job.email,
        ...content,
        messageId: `<digest-${job.digestId}@${deps.messageIdDomain}>`,
        headers: {
          ...deps.links.listHeaders(job.fanId, undefined, deps.listId),
          'X-Fanfare-Digest': String(job.digestId),
        },
        beforeCommit: async () => {
          await passDigestCommitPoint(deps.pool, token, job.digestId);
          committed = true;
          // passDigestCommitPoint already recorded the commit point: no synchronous step is left for the last byte.
          return undefined;
        },
      });
      await permit?.release({ accepted: true });
      settlement = { status: 'sent', providerMessageId: r.providerMessageId };
    } catch (err) {
      const answer = await permit?.release(answerOf(err));
      if (err instanceof DigestClaimLostError) continue;
      settlement = outcome(err, committed);
      // The relay was refusing everyone: this retry does not spend the digest's attempt.
      if (answer?.outage && settlement.status === 'retry') settlement = { ...settlement, unspent: true };
    }
    const settled = settlement;
    await untilWritten(() => settleDigest(deps.pool, token, job.digestId, settled));
    if (settlement.status === 'sent') report.sent++;
    else if (settlement.status === 'failed') report.failed++;
    else if (settlement.status === 'possibly_sent') report.possiblySent++;
    else {
      report.retry++;
      report.retryIds.push(job.digestId);
    }
  }
  return report;
}
