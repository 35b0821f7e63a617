// sendDigests: the hourly run that sends each fan whose local digest hour it is one digest of their best waiting items.
import { patched, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { HOUR_MS } from '../domain/time.ts';

const { buildDigests, deliverDigests } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

export const DIGEST_PAGE_SIZE = 2000;
/** The longest wait between two passes over a page's digests that the relay refused or was too busy for. */
const MOST_RETRY_DELAY_MS = 5 * 60_000;

export interface SendDigestsInput {
  /** The hour this run is for (epoch ms); by default the hour the run started in, as the schedule starts it. */
  runAtMs?: number;
  pageSize?: number;
}

export interface SendDigestsResult {
  runAtMs: number;
  fans: number;
  sent: number;
}

export async function sendDigests(input: SendDigestsInput = {}): Promise<SendDigestsResult> {
  // Workflow time is deterministic; a run the schedule starts a little late still belongs to its hour.
  const runAtMs = input.runAtMs ?? Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
  const limit = input.pageSize ?? DIGEST_PAGE_SIZE;
  const result = { runAtMs, fans: 0, sent: 0 };
  let afterFanId = 0;
  for (;;) {
    const page = await buildDigests({ runAtMs, afterFanId, limit });
    result.fans += page.fans;
    if (page.digestIds.length > 0) result.sent += await deliverPage(page.digestIds);
    afterFanId = page.lastFanId;
    if (page.fans < limit) return result;
  }
}

/**
 * Sends a page's digests, and again those the relay refused for now or was too busy to take (paused, or its limits
 * full), after its pause (or a doubling backoff when it named none), until none is left to retry: the next hourly run
 * is another fan's hour, so it would never pick them up.
 */
async function deliverPage(digestIds: number[]): Promise<number> {
  let report = await deliverDigests({ digestIds });
  let sent = report.sent;
  // Runs started before retries existed replay as they ran: one pass.
  if (!patched('digest-retries')) return sent;
  let delayMs = 1_000;
  while (report.retryIds.length > 0) {
    // The relay's pause, when it is paused, is the backoff (as in dispatchSlot); otherwise ours doubles.
    await sleep(report.retryAfterMs ? Math.max(report.retryAfterMs, 1_000) : delayMs);
    delayMs = Math.min(delayMs * 2, MOST_RETRY_DELAY_MS);
    report = await deliverDigests({ digestIds: report.retryIds });
    sent += report.sent;
  }
  return sent;
}
