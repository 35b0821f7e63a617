// announceEvent: pages through an event's audience, records a decision per fan and channel, and wakes the send slots.
import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';

const { decideBatch, scheduleDispatch } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

export const PAGE_SIZE = 2000;
/** Pages per run before continue-as-new, so history stays small however large the audience. */
export const PAGES_PER_RUN = 50;

export interface AnnounceEventInput {
  eventId: number;
  afterFanId?: number;
  pageSize?: number;
}

export interface AnnounceEventResult {
  lastFanId: number;
}

export async function announceEvent(input: AnnounceEventInput): Promise<AnnounceEventResult> {
  const limit = input.pageSize ?? PAGE_SIZE;
  let afterFanId = input.afterFanId ?? 0;
  for (let page = 0; page < PAGES_PER_RUN; page++) {
    const decided = await decideBatch({ eventId: input.eventId, afterFanId, limit });
    if (decided.slots.length > 0) await scheduleDispatch({ slots: decided.slots });
    afterFanId = decided.lastFanId;
    if (decided.fans < limit) return { lastFanId: afterFanId };
  }
  return continueAsNew<typeof announceEvent>({ ...input, afterFanId });
}
