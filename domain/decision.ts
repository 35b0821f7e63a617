// What is decided and from what: the audience member, the candidate send, a counted alert, the decision and its reason.
import type { Channel, DigestCadence, EventKind, MembershipKind } from './vocabulary.ts';

/** A fan in an event's audience, with the channels they can be reached on right now. */
export interface AudienceMember {
  fanId: number;
  channels: Channel[];
}

/** One (event, fan, channel) to decide: who, what, and the fan's settings that bear on it. */
export interface Candidate {
  fanId: number;
  creatorId: number;
  eventId: number;
  kind: EventKind;
  channel: Channel;
  /** The fan's membership with this event's creator (memberships.kind, memberships.tier). */
  membership: { kind: MembershipKind; tier: number };
  /** IANA zone from fans.time_zone. */
  timeZone: string;
  /** When the fan's tenure began (memberships.started_at): first-week segments measure from here. */
  tenureStart: Date;
  /** preferences.quiet_start / quiet_end: when both are set they replace the policy's quiet hours. */
  quietStart: number | null;
  quietEnd: number | null;
  /** preferences.digest_cadence: with 'off', what would wait for a digest is suppressed instead. */
  digestCadence: DigestCadence;
  /** When the event was published (creator_events.created_at). */
  eventAt: Date;
  /** No alert after this (creator_events.deadline). */
  deadline: Date | null;
}

/**
 * An alert the fan has had or is due to have (a reservation already taken), as caps and gaps count it.
 * Transactional alerts bypass caps and are not counted, so callers leave them out.
 */
export interface Send {
  channel: Channel;
  creatorId: number;
  sendAt: Date;
}

/** What happens to a candidate (decisions.action). */
export const ACTIONS = ['alert', 'digest', 'suppress'] as const;
export type Action = (typeof ACTIONS)[number];

/** Why (decisions.reason): one code per way a decision can come out, read by the console and the audit. */
export const REASONS = [
  /** A transactional kind: caps, gaps and quiet hours do not apply. */
  'alert_transactional',
  /** An urgent kind (live), sent now. */
  'alert_urgent',
  /** The allowed send time with the highest predicted engagement (possibly now). */
  'alert_best_hour',
  /** No send time scores at the alert threshold. */
  'digest_below_alert_threshold',
  /** A cap is full at every send time that would clear the threshold. */
  'digest_cap_reached',
  /** Too close to another alert on the channel at every such time. */
  'digest_min_gap',
  /** Quiet hours cover every such time (for urgent kinds: now). */
  'digest_quiet_hours',
  /** It would take a last slot and is worth less than the fan's expected best candidate still to come. */
  'digest_slot_reserved_for_better',
  /** Below the digest's minimum score too. */
  'suppress_below_digest_threshold',
  /** It would have gone to the digest, but the fan turned digests off. */
  'suppress_digest_off',
  /** The event's deadline has passed. */
  'suppress_deadline_passed',
  /** No model or cap policy decided: every enabled channel, now (policy/baseline.ts). */
  'baseline_send_now',
  /** The fan is in an experiment's holdout arm: what is not transactional waits for the digest they chose. */
  'digest_holdout',
  /** The fan is in an experiment's holdout arm and turned digests off: only transactional alerts reach them. */
  'suppress_holdout',
] as const;
export type ReasonCode = (typeof REASONS)[number];

/** One decision per (event, fan, channel), as decisions records it. */
export interface Decision {
  fanId: number;
  channel: Channel;
  action: Action;
  /** When an alert goes out; null for digests and suppressions. */
  sendAt: Date | null;
  /** The name of the policy that decided. */
  policy: string;
  reason: ReasonCode;
  /** The numbers behind the reason. */
  reasonDetail: Record<string, unknown>;
  /** For alerts the score at send_at; otherwise the best score over the candidate send times; null when unscored. */
  score: number | null;
}

/** One feature's share of a score, in log-odds; value is null where the feature was missing (NaN) for the row. */
export interface Contribution {
  feature: string;
  value: number | null;
  contribution: number;
}

/**
 * What the relevance model adds to a recorded decision: the version that scored it and the feature row it scored,
 * from which the features that moved it most are computed when someone asks (decisions made before that was so carry
 * their contributions instead).
 */
export interface DecisionEvidence {
  modelVersion: number | null;
  /** The scored row (the send time's for an alert, else the best time's), in the model's feature order. */
  features: ArrayLike<number> | null;
  contributions: Contribution[] | null;
}

/** The arm a decision was made in (decisions.experiment_id, decisions.arm): docs/EXPERIMENTS.md. */
export interface DecisionArm {
  /** The experiment, or null for the standing global holdout and for fans in no experiment. */
  experimentId: number | null;
  /** The arm's name, 'global_holdout', or null for a fan in no experiment and not in the global holdout. */
  arm: string | null;
}
