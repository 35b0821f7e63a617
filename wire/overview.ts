// The console's overview on the wire: GET /api/admin/overview, headline figures against the previous period, sends
// and opens per day, and why others were held.
import type { Action, ReasonCode } from '../domain/decision.ts';
import type { Channel, EventKind } from '../domain/vocabulary.ts';
import type { Period } from './period.ts';

/** A (day, channel, kind) cell: `opened` counts that day's sends opened since, so opened/sends is the open rate. */
export interface OverviewRow {
  /** The day in the period's time zone, YYYY-MM-DD. */
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

/**
 * A period's headline figures. Fans are those with a membership live at some time in the period; sends are deliveries
 * sent in it; opened and clicked count those sends opened or clicked since; unsubscribes are the period's.
 */
export interface Headline {
  fans: number;
  days: number;
  sends: number;
  opened: number;
  clicked: number;
  unsubscribes: number;
  /** sends / fans / days; null without fans. */
  sendsPerFanPerDay: number | null;
  /** opened / sends, clicked / sends, unsubscribes / sends; null without sends. */
  openRate: number | null;
  clickRate: number | null;
  unsubscribeRate: number | null;
}

/**
 * The answer of GET /api/admin/overview?from&to&tz (or ?days=N, the last N days up to today): the period's cells and
 * reasons, its headline figures, and those of the period of the same length just before it.
 */
export interface OverviewAnswer {
  period: Period;
  previous: Period;
  headline: { current: Headline; previous: Headline };
  /** Only cells with something in them, by day, channel and kind. */
  series: OverviewRow[];
  /** Most frequent first. */
  reasons: ReasonCount[];
}
