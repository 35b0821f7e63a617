// A console page's period on the wire: whole days in a stated time zone, which day is still running, and its bounds.

/** Whole days from `from` to `to` (both included) in `timeZone`, as the overview and fatigue routes answer them. */
export interface Period {
  /** First and last day, YYYY-MM-DD, in `timeZone`. */
  from: string;
  to: string;
  /** The IANA zone the days are cut in: 'UTC' unless the request chose another. */
  timeZone: string;
  /** Every day of the period in order, YYYY-MM-DD. */
  days: string[];
  /** Today in `timeZone` when the period includes it: that day is partial (still running). */
  partialDay: string | null;
  /** ISO instants: the first day's start and the end of the last day (exclusive). */
  start: string;
  end: string;
}

/** The longest period a console page asks for, in days (both routes refuse more, naming `to`). */
export const MAX_PERIOD_DAYS = 92;
