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
