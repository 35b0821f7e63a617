// Which decisions an experiment's results read: a range of whole UTC days, answered from the counts kept per fan-day,
// or any other range, answered by recounting the log (docs/EXPERIMENTS.md#how-results-are-counted).
import { DAY_MS } from '../domain/time.ts';

/** The global holdout's results by default: today (so far) and the six UTC days before it. */
export const GLOBAL_HOLDOUT_DEFAULT_DAYS = 7;

/** UTC days as YYYY-MM-DD: the decisions made from the midnight starting `from` to the midnight starting `to`. */
export interface ResultDays {
  from: string;
  to: string;
}

const floorDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;
const ceilDay = (ms: number) => Math.ceil(ms / DAY_MS) * DAY_MS;
const dayText = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Midnight UTC six days before `now`'s day: with `now` as the end, seven days, the last one partial. */
export function globalHoldoutDefaultFrom(now: Date): Date {
  return new Date(floorDay(now.getTime()) - (GLOBAL_HOLDOUT_DEFAULT_DAYS - 1) * DAY_MS);
}

/**
 * The whole UTC days that hold exactly the decisions made in [from, to), or null when no such days exist and the
 * results must be recounted. Whole days when `from` is a UTC midnight and `to` is one too, or is not before `now`
 * (nothing is decided after now, so the rest of `to`'s day holds no decision yet). `run` says the range is an
 * experiment's whole run: its decisions carry its id only while it runs, so the days the run touches hold exactly them.
 */
export function resultDays(from: Date, to: Date, now: Date, run = false): ResultDays | null {
  const f = from.getTime();
  const t = to.getTime();
  if (!(f < t)) return null;
  const wholeFrom = f === floorDay(f);
  const wholeTo = t === floorDay(t) || t >= now.getTime();
  if (!run && !(wholeFrom && wholeTo)) return null;
  return { from: dayText(floorDay(f)), to: dayText(ceilDay(t)) };
}
