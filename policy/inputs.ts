// What a decision reads besides the candidate and the fan's alerts so far: the model's scores.
import type { FanCandidateStats } from './value-aware.ts';

export interface Scores {
  /**
   * Calibrated P(engage) for each candidate send time (epoch ms, from candidateSendTimes) on this candidate's channel.
   */
  byTime: Pick<ReadonlyMap<number, number>, 'get'>;
  /**
   * The fan's past candidates on this channel, for value-aware capping; null when unknown (then no slot is held back).
   */
  fanStats: FanCandidateStats | null;
}
