// The fan inspector on the wire: fan search, one fan's profile and candidates, and a decision's engagement curve.
import type { Action, Contribution, ReasonCode } from '../domain/decision.ts';
import type { Channel, DigestCadence, EventKind, MembershipKind } from '../domain/vocabulary.ts';

/** A fan a search found. */
export interface FanMatch {
  id: number;
  email: string;
  /** IANA zone (fans.time_zone): the inspector shows the fan's times in it. */
  timeZone: string;
}

/** The answer of GET /api/admin/fans?q=: an all-digit q finds that id, any other the first 20 emails containing it. */
export interface FanSearchAnswer {
  fans: FanMatch[];
}

/** A membership the fan holds now. */
export interface FanMembership {
  creatorId: number;
  handle: string;
  kind: MembershipKind;
  tier: number;
  startedAt: string;
}

/** The fan with their settings; the preferences are null when the fan never saved any. */
export interface FanProfile extends FanMatch {
  locale: string;
  /** fans.email_status: 'active', or 'undeliverable' after a hard bounce. */
  emailStatus: string;
  createdAt: string;
  digestCadence: DigestCadence | null;
  digestHour: number | null;
  emailEnabled: boolean | null;
  pushEnabled: boolean | null;
  unsubscribedAt: string | null;
  activePushSubscriptions: number;
  /** By creator handle. */
  memberships: FanMembership[];
}

/** The delivery of an alert (deliveries.status such as 'sent', 'retry', 'failed'). */
export interface CandidateDelivery {
  status: string;
  attempts: number;
  errorCode: string | null;
  finishedAt: string | null;
}

/** What the fan did with a notification (engagement_events.kind: open, click, unsubscribe, bounce). */
export interface CandidateEngagement {
  kind: string;
  occurredAt: string;
}

/** One candidate of the fan's timeline: an event on a channel, its decision, its delivery and what the fan did. */
export interface FanCandidate {
  decisionId: number;
  eventId: number;
  eventTitle: string;
  eventKind: EventKind;
  eventCreatedAt: string;
  creatorHandle: string;
  channel: Channel;
  action: Action;
  sendAt: string | null;
  decidedAt: string;
  policy: string;
  reason: ReasonCode;
  reasonDetail: Record<string, unknown>;
  modelVersion: number | null;
  score: number | null;
  contributions: ShownContribution[] | null;
  /** null before the alert's send was claimed or skipped; digests and suppressions have none. */
  delivery: CandidateDelivery | null;
  /** Oldest first. */
  engagement: CandidateEngagement[];
}

/** A decision's stored feature contribution, with the feature's value as a person reads it ("email", "12.3%"). */
export interface ShownContribution extends Contribution {
  valueText: string;
}

/**
 * A candidate as the database holds it, before the API explains it: the contributions stored when it was decided, or
 * the feature row its model scored, to compute them from (decisions.features).
 */
export type StoredFanCandidate = Omit<FanCandidate, 'contributions'> & {
  contributions: Contribution[] | null;
  features: number[] | null;
};

/** The answer of GET /api/admin/fans/:id?limit=N: the fan and their N latest candidates, newest decision first. */
export interface FanAnswer {
  fan: FanProfile;
  candidates: FanCandidate[];
}

/** The predicted P(open) for a send at `at`. */
export interface CurvePoint {
  at: string;
  score: number;
}

/**
 * The answer of GET /api/admin/decisions/:id/curve: the decision, and its fan's predicted P(open) on its channel for
 * the decision time and each whole hour after it (up to 48 h or the event's deadline), as of the decision time.
 */
export interface DecisionCurve {
  decisionId: number;
  channel: Channel;
  action: Action;
  sendAt: string | null;
  score: number | null;
  timeZone: string;
  decidedAt: string;
  /** The model that drew this curve (the active one), beside the one that decided. */
  curveModelVersion: number | null;
  decisionModelVersion: number | null;
  /** Why there are no points, such as "no active model". */
  unscoredReason: string | null;
  /**
   * The curve model's base value: its mean log-odds over training, where every contribution starts from (a decision's
   * score is the logistic of the base plus its contributions); null without a model.
   */
  baseLogOdds: number | null;
  points: CurvePoint[];
}
