// What a decision is made from: the candidate send, the fan's alerts so far, and the model's scores.
import type { EventKind } from '../http/event-input.ts';
import type { Channel } from './baseline.ts';
import type { FanCandidateStats } from './value-aware.ts';

/** One (event, fan, channel) to decide: who, what, and the fan's settings that bear on it. */
export interface Candidate {
  fanId: number;
  creatorId: number;
  eventId: number;
  kind: EventKind;
  channel: Channel;
  /** The fan's membership with this event's creator (memberships.kind, memberships.tier). */
  membership: { kind: 'free' | 'paid'; tier: number };
  /** IANA zone from fans.time_zone. */
  timeZone: string;
  /** When the fan's tenure began (memberships.started_at): first-week segments measure from here. */
  tenureStart: Date;
  /** preferences.quiet_start / quiet_end: when both are set they replace the policy's quiet hours. */
  quietStart: number | null;
  quietEnd: number | null;
  /** preferences.digest_cadence: with 'off', what would wait for a digest is suppressed instead. */
  digestCadence: 'off' | 'daily' | 'weekly';
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

export interface Scores {
  /** Calibrated P(engage) for each candidate send time (epoch ms, from candidateSendTimes) on this candidate's channel. */
  byTime: ReadonlyMap<number, number>;
  /** The fan's past candidates on this channel, for value-aware capping; null when unknown (then no slot is held back). */
  fanStats: FanCandidateStats | null;
}
