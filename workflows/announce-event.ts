// announceEvent: cuts an event's audience into fan-id ranges and decides them side by side, one child each.
import { ApplicationFailure, continueAsNew, executeChild, proxyActivities } from '@temporalio/workflow';
import type { FanRange } from '../activities/audience-ranges.ts';
import type { Activities } from '../activities/index.ts';
import { type DecidedTally, decideRange } from './decide-range.ts';
import { decideRangeWorkflowId } from './names.ts';

export { PAGE_SIZE, PAGES_PER_RUN } from './decide-range.ts';

const { planRanges } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

/** Members per range: five default pages, so a 100,000-fan event has twenty ranges to share among workers. */
export const RANGE_SIZE = 10_000;
/** Ranges per run before continue-as-new: at most about 9 history events each (start, finish, workflow tasks). */
export const RANGES_PER_RUN = 100;
/** Ranges in flight at once for one event; each decides one page at a time on whichever worker takes it. */
export const RANGE_CONCURRENCY = 8;

export interface AnnounceEventInput {
  eventId: number;
  /** Where this run's plan starts (continue-as-new carries it). */
  afterFanId?: number;
  pageSize?: number;
  rangeSize?: number;
  concurrency?: number;
  /** Ranges per run before continue-as-new; RANGES_PER_RUN by default (tests make it small to cross runs). */
  rangesPerRun?: number;
  /** Pages per run of each range's child; its PAGES_PER_RUN by default. */
  pagesPerRun?: number;
  /** Carried across continue-as-new. */
  tally?: AnnounceEventResult;
}

export interface AnnounceEventResult extends DecidedTally {
  /** Ranges decided, each by its own child workflow. */
  ranges: number;
}

export async function announceEvent(input: AnnounceEventInput): Promise<AnnounceEventResult> {
  const { eventId } = input;
  const afterFanId = input.afterFanId ?? 0;
  const rangeSize = input.rangeSize ?? RANGE_SIZE;
  const { pageSize, pagesPerRun, concurrency, rangesPerRun } = input;
  for (const [field, value] of Object.entries({ pageSize, pagesPerRun, rangeSize, concurrency, rangesPerRun }))
    if (value !== undefined && !(Number.isInteger(value) && value > 0))
      throw ApplicationFailure.nonRetryable(`${field}: must be a positive integer (got ${value})`, 'InvalidInput');
  const tally = { ...(input.tally ?? { ranges: 0, fans: 0, decisions: 0 }) };
  const plan = await planRanges({ eventId, afterFanId, rangeSize, maxRanges: rangesPerRun ?? RANGES_PER_RUN });
  const decideOne = (range: FanRange) =>
    executeChild(decideRange, {
      workflowId: decideRangeWorkflowId(eventId, range.afterFanId),
      args: [{ eventId, ...range, pageSize, pagesPerRun }],
    });
  for (const decided of await bounded(plan.ranges, concurrency ?? RANGE_CONCURRENCY, decideOne)) {
    tally.ranges += 1;
    tally.fans += decided.fans;
    tally.decisions += decided.decisions;
  }
  if (plan.nextAfterFanId === null) return tally;
  return continueAsNew<typeof announceEvent>({ ...input, afterFanId: plan.nextAfterFanId, tally });
}

/** Runs fn over items with at most `limit` in flight, starting the next as each finishes; results in item order. */
async function bounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return results;
}
