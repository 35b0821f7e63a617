// sendDigests: the hourly run that sends each fan whose local digest hour it is one digest of their best waiting items.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { HOUR_MS } from '../domain/time.ts';

const { buildDigests, deliverDigests } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

export const DIGEST_PAGE_SIZE = 2000;

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
    if (page.digestIds.length > 0) result.sent += (await deliverDigests({ digestIds: page.digestIds })).sent;
    afterFanId = page.lastFanId;
    if (page.fans < limit) return result;
  }
}
