// decideRange: pages through one fan-id range of an event's audience, deciding each page and waking its send slots.
import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';

const { decideBatch, scheduleDispatch } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  // A page on a worker that died is retried elsewhere after this, not after the two minutes; a page's longest stretch
  // of synchronous scoring, on a loaded machine, stays well inside it.
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

export const PAGE_SIZE = 2000;
/** Pages per run before continue-as-new: about 12 history events a page, so a run stays near 600 events. */
export const PAGES_PER_RUN = 50;

/** What a range (or a whole event) came to: audience members paged through and decisions made for them. */
export interface DecidedTally {
  fans: number;
  decisions: number;
}

export interface DecideRangeInput {
  eventId: number;
  afterFanId: number;
  /** Inclusive end of the range; null runs to the end of the audience. */
  throughFanId: number | null;
  pageSize?: number;
  /** Pages before continue-as-new; PAGES_PER_RUN by default (tests make it small to cross runs). */
  pagesPerRun?: number;
  /** Carried across continue-as-new. */
  tally?: DecidedTally;
}

export async function decideRange(input: DecideRangeInput): Promise<DecidedTally> {
  const limit = input.pageSize ?? PAGE_SIZE;
  const { eventId, throughFanId } = input;
  let afterFanId = input.afterFanId;
  const tally = { ...(input.tally ?? { fans: 0, decisions: 0 }) };
  for (let page = 0; page < (input.pagesPerRun ?? PAGES_PER_RUN); page++) {
    const decided = await decideBatch({ eventId, afterFanId, throughFanId, limit });
    if (decided.slots.length > 0) await scheduleDispatch({ slots: decided.slots });
    tally.fans += decided.fans;
    tally.decisions += decided.decisions;
    afterFanId = decided.lastFanId;
    if (decided.fans < limit) return tally;
  }
  return continueAsNew<typeof decideRange>({ ...input, afterFanId, tally });
}
