// The console's fatigue page on the wire: GET /api/admin/fatigue, which cap rules bound and how many alerts fans got.
import type { ReasonCode } from '../domain/decision.ts';
import type { Period } from './period.ts';

/** What the volume is split by: the fan's membership with the event's creator, the channel, or the fan's locale. */
export const FATIGUE_SEGMENTS = ['membership', 'channel', 'locale'] as const;
export type FatigueSegment = (typeof FATIGUE_SEGMENTS)[number];

/**
 * How often one cap or gap rule was the binding one: decisions of the period held back with it named in their
 * reason's detail (`cap.name` for digest_cap_reached and digest_slot_reserved_for_better, `gap.name` for
 * digest_min_gap).
 */
export interface BindingRule {
  rule: string;
  reason: ReasonCode;
  count: number;
}

/** Fan-days with this many alerts (5 stands for five or more). */
export interface AlertsPerFanDay {
  alerts: number;
  fanDays: number;
}

/**
 * Decisions made in the period for one creator's events or one segment, by action (a segment by the fan's membership
 * and locale when the decision was made).
 */
export interface Volume {
  alerts: number;
  digests: number;
  suppressions: number;
}

export interface CreatorVolume extends Volume {
  creatorId: number;
  handle: string;
  displayName: string;
}

export interface SegmentVolume extends Volume {
  /** The segment's value: free or paid, email or push, a locale such as en or de. */
  segment: string;
  /**
   * The segment's population: fans with a membership live some time in the period, of this kind (none: fans with no
   * live membership), reachable on this channel now (email: an address not marked undeliverable; push: an active
   * subscription), or of this locale. Not the fans decided for: distinct fans do not add up over a period's buckets.
   */
  fans: number;
}

/** The answer of GET /api/admin/fatigue?from&to&tz&segment (or ?days=N). */
export interface FatigueAnswer {
  period: Period;
  /** Every decision made in the period, the share the binding rules are counted against. */
  decisions: number;
  bindingRules: BindingRule[];
  /**
   * Alerts by the day they are sent (send_at) in each fan's own time zone (where caps and quiet hours apply) per fan
   * with a membership live that day, over the dates of the period's whole days (`histogramDays`: the partial day is
   * left out); 0 through 5, 5 meaning five or more.
   */
  histogramDays: string[];
  alertsPerFanDay: AlertsPerFanDay[];
  /** Most alerts first, at most 50 creators. */
  creators: CreatorVolume[];
  segmentBy: FatigueSegment;
  segments: SegmentVolume[];
}
