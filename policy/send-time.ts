// Send-time optimization: the candidate send times, what blocks each, and the best allowed one by predicted engagement.

import type { Candidate, Send } from '../domain/decision.ts';
import type { CapPolicy, QuietHours, Rule } from './cap-policy.ts';
import { type Binding, bindingAt } from './caps.ts';
import { durationMs } from './duration.ts';
import type { Scores } from './inputs.ts';
import { inQuietHours } from './quiet-hours.ts';

const HOUR = 3_600_000;

/** Why a send time is not allowed. */
export type Blocked = { type: 'quiet'; quietHours: QuietHours } | Binding;

export interface SendTimeOption {
  at: number;
  score: number;
  blocked: Blocked | null;
}

/** The last instant worth searching: the deadline, or `sendTime.horizon` after publication, whichever is first. */
export function searchEndMs(policy: CapPolicy, candidate: Pick<Candidate, 'eventAt' | 'deadline'>): number {
  const horizon = candidate.eventAt.getTime() + durationMs(policy.sendTime.horizon);
  return candidate.deadline ? Math.min(candidate.deadline.getTime(), horizon) : horizon;
}

/**
 * Now, then every whole UTC hour after it up to `endMs` inclusive. The model scores exactly these times;
 * whole UTC hours are whole local hours in every zone but the half- and quarter-hour ones, where they fall mid-hour.
 */
export function candidateSendTimes(now: Date, endMs: number): number[] {
  const times = [now.getTime()];
  for (let t = Math.floor(now.getTime() / HOUR) * HOUR + HOUR; t <= endMs; t += HOUR) times.push(t);
  return times;
}

/** Each time with its score and what, if anything, forbids it: quiet hours first, then the rules in policy order. */
export function sendTimeOptions(
  candidate: Candidate,
  times: readonly number[],
  scores: Scores,
  rules: readonly Rule[],
  sends: readonly Send[],
  quiet: QuietHours | null,
): SendTimeOption[] {
  return times.map((at) => {
    const score = scores.byTime.get(at);
    if (score === undefined || !Number.isFinite(score)) {
      throw new Error(
        `sendTimeOptions: scores.byTime has no score for ${new Date(at).toISOString()} ` +
          `(fan ${candidate.fanId}, event ${candidate.eventId}, ${candidate.channel}); ` +
          'the model must score every candidate send time',
      );
    }
    const blocked: Blocked | null =
      quiet && inQuietHours(quiet, candidate.timeZone, at)
        ? { type: 'quiet', quietHours: quiet }
        : bindingAt(rules, sends, candidate, at);
    return { at, score, blocked };
  });
}

/** The highest-scoring option that `accept` allows; ties go to the earliest. */
export function bestOption(
  options: readonly SendTimeOption[],
  accept: (o: SendTimeOption) => boolean = () => true,
): SendTimeOption | null {
  let best: SendTimeOption | null = null;
  for (const o of options)
    if (accept(o) && (!best || o.score > best.score || (o.score === best.score && o.at < best.at))) best = o;
  return best;
}
