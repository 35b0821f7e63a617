// The console's overview on the wire: GET /api/admin/overview, sends and opens per day, and why others were held.
import type { Action, ReasonCode } from '../domain/decision.ts';
import type { Channel, EventKind } from '../domain/vocabulary.ts';

/** A (day, channel, kind) cell: `opened` counts that day's sends opened since, so opened/sends is the open rate. */
export interface OverviewRow {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  channel: Channel;
  kind: EventKind;
  sends: number;
  opened: number;
  unsubscribes: number;
  /** Decisions made that day with action 'digest'. */
  digests: number;
}

/** How many decisions of the window went to the digest or were suppressed for one reason. */
export interface ReasonCount {
  action: Exclude<Action, 'alert'>;
  reason: ReasonCode;
  count: number;
}

/** The answer of GET /api/admin/overview?days=N: the N whole UTC days up to today's end. */
export interface OverviewAnswer {
  /** ISO instants: the first day's start and the day after the last's. */
  from: string;
  to: string;
  /** Only cells with something in them, by day, channel and kind. */
  series: OverviewRow[];
  /** Most frequent first. */
  reasons: ReasonCount[];
}
