// The console's replay on the wire: what POST /api/admin/simulate takes and answers, shared by server and console.
import type { Channel } from '../domain/vocabulary.ts';

/** The policies every replay compares: send everything now, caps only first-come, and the full policy. */
export const REPLAY_POLICIES = ['send_everything_now', 'caps_only_fcfs', 'policy'] as const;
export type ReplayMode = (typeof REPLAY_POLICIES)[number];

/** The replay runs while the growth team waits, so its world is bounded; bigger ones belong to `fanfare simulate`. */
export const SIMULATE_LIMITS = {
  fans: { min: 50, max: 1000 },
  creators: { min: 2, max: 50 },
  days: { min: 1, max: 14 },
} as const;
/** What an absent field of the request means. */
export const SIMULATE_DEFAULTS = { days: 14, world: { seed: 42, fans: 500, creators: 20 } } as const;

/** What a client sends: the policy document; days and any world field left out take SIMULATE_DEFAULTS. */
export interface SimulateBody<Policy = unknown> {
  policy: Policy;
  days?: number;
  world?: Partial<SimulateRequest['world']>;
}

/** A validated request: the policy document (checked by the server's validator) on a bounded simulated world. */
export interface SimulateRequest<Policy = unknown> {
  policy: Policy;
  days: number;
  world: { seed: number; fans: number; creators: number };
}

/** One policy's outcome in the answer. */
export interface ReplayOutcome {
  policy: ReplayMode;
  /** The policy document's name for the full policy, else the baseline's. */
  name: string;
  alerts: Record<Channel, number>;
  digests: number;
  /** Alerts actually sent plus digests. */
  sends: number;
  opens: number;
  digestOpens: number;
  unsubscribes: number;
  decisions: number;
  /** How many broken rules the invariant checker found across the policy's decisions. */
  violations: number;
  /** The first ten of them, as sentences. */
  firstViolations: string[];
  /** Where the run's scores came from. */
  scorer: string;
}

/** The answer of POST /api/admin/simulate. */
export interface ReplayAnswer {
  fans: number;
  days: number;
  events: number;
  scorer: string;
  outcomes: ReplayOutcome[];
  /** The same table `fanfare simulate` prints. */
  table: string;
}

/** The replay on logged history (POST /api/admin/simulate-history): its bounds, shared by server and console. */
export const HISTORY_REPLAY_LIMITS = {
  // A thousand fans over 28 days are some 65,000 logged candidates, replayed twice in about 20 s on a busy 2-core
  // machine (docs/BENCHMARKS.md); more would keep the growth team waiting for minutes.
  fans: { min: 50, max: 1000 },
  days: { min: 1, max: 28 },
  seed: { min: 1, max: 1_000_000 },
} as const;
export const HISTORY_REPLAY_DEFAULTS = { fans: 500, days: 14, seed: 1 } as const;
/** Bootstrap resamples over the sampled fans. */
export const HISTORY_REPLAY_RESAMPLES = 200;

/**
 * What a client sends: the proposed policy document, compared with the one in force over the last `days` days of
 * `fans` sampled fans' logged candidates; `seed` draws another sample.
 */
export interface HistoryReplayBody<Policy = unknown> {
  policy: Policy;
  days?: number;
  fans?: number;
  seed?: number;
}

/** A figure and its 95% bootstrap interval. */
export interface HistoryEstimate {
  value: number;
  low: number;
  high: number;
}

/**
 * Per sampled fan per day: email alerts, push alerts, digest placements, opens (observed where the logged alert was
 * sent, its score otherwise); unsubscribes per 1,000 fans per day.
 */
export interface HistoryFigures {
  emailAlerts: HistoryEstimate;
  pushAlerts: HistoryEstimate;
  digests: HistoryEstimate;
  opens: HistoryEstimate;
  unsubscribes: HistoryEstimate;
}

/** The answer of POST /api/admin/simulate-history. */
export interface HistoryReplayAnswer {
  /** The period replayed, ISO instants. */
  from: string;
  to: string;
  /** Fans sampled (those with a decision in the period, up to the number asked). */
  fans: number;
  days: number;
  seed: number;
  /** Logged candidates replayed. */
  candidates: number;
  /** Of them, decided without a score: replayed with their channel's observed open rate as the score. */
  unscored: number;
  fallbackScore: Record<Channel, number>;
  resamples: number;
  /** The policy in force (its stored version, or null for the built-in default). */
  current: { name: string; version: number | null; figures: HistoryFigures };
  proposed: { name: string; figures: HistoryFigures };
  /** Proposed minus current, fan by fan. */
  difference: HistoryFigures;
}
