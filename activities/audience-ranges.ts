// Cuts an event's audience into fan-id ranges that announceEvent decides side by side, a bounded number per plan.
import type { AudienceCuts } from '../db/audience.ts';

/** Fans with afterFanId < fan id <= throughFanId; a null throughFanId runs to the end of the audience. */
export interface FanRange {
  afterFanId: number;
  throughFanId: number | null;
}

export interface RangePlan {
  /** Disjoint, in fan-id order, each starting where the one before it ends. */
  ranges: FanRange[];
  /** Where the next plan starts, or null: these ranges reach the end of the audience. */
  nextAfterFanId: number | null;
}

/**
 * The ranges of one plan. A full read (rangeSize × maxRanges members) gives maxRanges closed ranges and the next
 * plan's start; a shorter one is the audience's end, so its last range is left open and takes in fans who joined
 * since the read, as a single keyset scan would have.
 */
export function rangePlan(afterFanId: number, cuts: AudienceCuts, rangeSize: number, maxRanges: number): RangePlan {
  const ends: (number | null)[] = [...cuts.bounds];
  const full = cuts.members >= rangeSize * maxRanges;
  if (!full) {
    if (cuts.members % rangeSize !== 0) ends.push(null);
    else if (ends.length > 0) ends[ends.length - 1] = null;
  }
  const ranges: FanRange[] = [];
  let after = afterFanId;
  for (const end of ends) {
    ranges.push({ afterFanId: after, throughFanId: end });
    if (end !== null) after = end;
  }
  return { ranges, nextAfterFanId: full ? after : null };
}
