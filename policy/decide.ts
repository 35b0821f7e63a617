// One decision per candidate: a pure function of the candidate, the fan's alerts, the policy, the scores and now.
import type { Candidate, Decision, ReasonCode, Send } from '../domain/decision.ts';
import type { CapPolicy } from './cap-policy.ts';
import { type LastSlot, lastSlotsAt } from './caps.ts';
import type { Scores } from './inputs.ts';
import { quietHoursFor } from './quiet-hours.ts';
import { rulesFor } from './segments.ts';
import { bestOption, candidateSendTimes, type SendTimeOption, searchEndMs, sendTimeOptions } from './send-time.ts';
import { expectedBestRemaining } from './value-aware.ts';

/** What value-aware capping weighed at one send time. */
interface SlotCheck {
  slot: LastSlot;
  value: number;
  bestRemaining: number;
}

/** Of the caps whose last slot this time would take, the one with the most value still to come; null when none. */
function strongestLastSlot(
  policy: CapPolicy,
  candidate: Candidate,
  history: readonly Send[],
  scores: Scores,
  rules: ReturnType<typeof rulesFor>['rules'],
  o: SendTimeOption,
): SlotCheck | null {
  const value = o.score * policy.kinds[candidate.kind].weight;
  let strongest: SlotCheck | null = null;
  for (const slot of lastSlotsAt(rules, history, candidate, o.at)) {
    const bestRemaining = expectedBestRemaining(scores.fanStats, slot.heldMs);
    if (!strongest || bestRemaining > strongest.bestRemaining) strongest = { slot, value, bestRemaining };
  }
  return strongest;
}

function capDetail(slot: LastSlot): Record<string, unknown> {
  return { name: slot.name, limit: slot.limit, window: slot.window, used: slot.used };
}

/**
 * A decision of this candidate under this policy. (Module-level, not closures per call: decide() runs per candidate.)
 */
function made(
  candidate: Candidate,
  policy: CapPolicy,
  action: 'alert' | 'suppress',
  sendAt: Date | null,
  reason: ReasonCode,
  score: number | null,
  detail: Record<string, unknown>,
): Decision {
  return {
    fanId: candidate.fanId,
    channel: candidate.channel,
    policy: policy.name,
    action,
    sendAt,
    reason,
    score,
    reasonDetail: detail,
  };
}

/** To the digest, or suppressed with the reason it would have had when the fan takes no digest. */
function toDigest(
  candidate: Candidate,
  policy: CapPolicy,
  reason: ReasonCode,
  score: number,
  detail: Record<string, unknown>,
): Decision {
  if (candidate.digestCadence === 'off')
    return made(candidate, policy, 'suppress', null, 'suppress_digest_off', score, { ...detail, wouldBe: reason });
  return {
    fanId: candidate.fanId,
    channel: candidate.channel,
    policy: policy.name,
    action: 'digest',
    sendAt: null,
    reason,
    score,
    reasonDetail: detail,
  };
}

export function decide(
  candidate: Candidate,
  history: readonly Send[],
  policy: CapPolicy,
  scores: Scores,
  now: Date,
): Decision {
  const settings = policy.kinds[candidate.kind];
  const threshold = settings.alertThreshold[candidate.channel];

  if (candidate.deadline && candidate.deadline.getTime() <= now.getTime()) {
    return made(candidate, policy, 'suppress', null, 'suppress_deadline_passed', null, {
      deadline: candidate.deadline.toISOString(),
    });
  }
  if (settings.priority === 'transactional') {
    return made(candidate, policy, 'alert', now, 'alert_transactional', scores.byTime.get(now.getTime()) ?? null, {
      priority: settings.priority,
    });
  }

  const { rules, segments } = rulesFor(policy, candidate, now);
  const quiet = quietHoursFor(policy, candidate);
  const urgent = settings.priority === 'urgent';
  const times = urgent ? [now.getTime()] : candidateSendTimes(now, searchEndMs(policy, candidate));
  const options = sendTimeOptions(candidate, times, scores, rules, history, quiet);
  const top = bestOption(options)!;
  const detail: Record<string, unknown> = { priority: settings.priority, segments, threshold, score: top.score };

  if (top.score < threshold) {
    if (top.score >= policy.digest.minScore)
      return toDigest(candidate, policy, 'digest_below_alert_threshold', top.score, detail);
    return made(candidate, policy, 'suppress', null, 'suppress_below_digest_threshold', top.score, {
      ...detail,
      digestMinScore: policy.digest.minScore,
    });
  }

  const lastSlots = new Map<number, SlotCheck | null>();
  const reserved = new Map<number, SlotCheck>();
  const pick = bestOption(options, (o) => {
    if (o.blocked !== null || o.score < threshold) return false;
    const check = strongestLastSlot(policy, candidate, history, scores, rules, o);
    lastSlots.set(o.at, check);
    if (check && policy.valueAware && check.value < check.bestRemaining) {
      reserved.set(o.at, check);
      return false;
    }
    return true;
  });
  if (pick) {
    const check = lastSlots.get(pick.at);
    return made(
      candidate,
      policy,
      'alert',
      new Date(pick.at),
      urgent ? 'alert_urgent' : 'alert_best_hour',
      pick.score,
      {
        ...detail,
        score: pick.score,
        ...(check ? { lastSlot: capDetail(check.slot), value: check.value, bestRemaining: check.bestRemaining } : {}),
      },
    );
  }
  const held = bestOption(options, (o) => reserved.has(o.at));
  if (held) {
    const r = reserved.get(held.at)!;
    return toDigest(candidate, policy, 'digest_slot_reserved_for_better', held.score, {
      ...detail,
      score: held.score,
      cap: capDetail(r.slot),
      value: r.value,
      bestRemaining: r.bestRemaining,
      heldFor: `${Math.round(r.slot.heldMs / 60_000)}m`,
    });
  }
  // The best time clears the threshold but is not allowed, and nothing allowed clears it:
  // what blocked the best time is the reason.
  const blocked = top.blocked!;
  if (blocked.type === 'quiet')
    return toDigest(candidate, policy, 'digest_quiet_hours', top.score, { ...detail, quietHours: blocked.quietHours });
  if (blocked.type === 'gap')
    return toDigest(candidate, policy, 'digest_min_gap', top.score, {
      ...detail,
      gap: { name: blocked.name, minGap: blocked.minGap, nearestSendAt: blocked.nearestSendAt },
    });
  return toDigest(candidate, policy, 'digest_cap_reached', top.score, {
    ...detail,
    cap: { name: blocked.name, limit: blocked.limit, window: blocked.window, used: blocked.used },
  });
}
