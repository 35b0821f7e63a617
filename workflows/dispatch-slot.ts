// dispatchSlot: one durable timer per send slot; at the slot it delivers the slot's due decisions in batches.
import {
  condition,
  continueAsNew,
  defineSignal,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';

/** More decisions are due in this slot: pass again before ending. */
export const decisionsAdded = defineSignal('decisionsAdded');

const { deliverDue } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

export const BATCH_SIZE = 200;
/** Batches of one slot delivered at once, each over its own share of the decisions. */
export const PARTITIONS = 4;
/** How long a slot's dispatcher waits for more decisions after its last pass before it ends. */
export const LINGER = '2 minutes';
const MAX_HISTORY = 5_000;

export interface DispatchSlotInput {
  slotStart: number;
  batchSize?: number;
  partitions?: number;
}

interface PassResult {
  retry: number;
  retryAfterMs: number;
}

/** Delivers every due decision of one partition, a batch at a time. */
async function deliverPartition(
  slotStart: number,
  limit: number,
  partition: number,
  partitions: number,
): Promise<PassResult> {
  const result = { retry: 0, retryAfterMs: 0 };
  let afterId = 0;
  for (;;) {
    const batch = await deliverDue({ slotStart, afterId, limit, partition, partitions });
    result.retry += batch.retry;
    result.retryAfterMs = Math.max(result.retryAfterMs, batch.retryAfterMs ?? 0);
    afterId = batch.lastId;
    if (batch.count < limit) return result;
  }
}

export async function dispatchSlot(input: DispatchSlotInput): Promise<void> {
  const limit = input.batchSize ?? BATCH_SIZE;
  const partitions = input.partitions ?? PARTITIONS;
  // Started by signal-with-start, so there is always work for the first pass.
  let pending = true;
  setHandler(decisionsAdded, () => {
    pending = true;
  });

  const wait = input.slotStart - Date.now();
  if (wait > 0) await sleep(wait);

  let retryDelayMs = 1_000;
  for (;;) {
    if (!pending) {
      await condition(() => pending, LINGER);
      // A signal in the same activation as the timeout still counts.
      if (!pending) return;
    }
    pending = false;
    const results = await Promise.all(
      Array.from({ length: partitions }, (_, p) => deliverPartition(input.slotStart, limit, p, partitions)),
    );
    const retry = results.reduce((n, r) => n + r.retry, 0);
    const retryAfterMs = Math.max(...results.map((r) => r.retryAfterMs));
    if (retry > 0) {
      // Transient provider failures: wait and pass again. A provider that named a time (its pause, shared by every
      // worker, which doubles with each refusal in a row; or a Retry-After) sets the wait, so delivery resumes as soon
      // as it may; otherwise our own backoff doubles. Both backoffs together outlasted a 90-second outage by minutes.
      await sleep(retryAfterMs > 0 ? Math.max(retryAfterMs, 1_000) : retryDelayMs);
      retryDelayMs = Math.min(retryDelayMs * 2, 5 * 60_000);
      pending = true;
    } else {
      retryDelayMs = 1_000;
    }
    if (workflowInfo().historyLength > MAX_HISTORY) {
      return continueAsNew<typeof dispatchSlot>(input);
    }
  }
}
