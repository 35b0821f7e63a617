// Checks a sequence of decisions against the policy: no alert in quiet hours, after its deadline, or past a cap or gap.
import { localHour } from '../domain/clock.ts';
import type { Candidate, Decision, Send } from '../domain/decision.ts';
import type { CapPolicy } from './cap-policy.ts';
import { bindingAt } from './caps.ts';
import { inQuietHours, quietHoursFor } from './quiet-hours.ts';
import { rulesFor } from './segments.ts';

/** One decision as it was made: for which candidate, and when. */
export interface DecidedEntry {
  candidate: Candidate;
  decision: Decision;
  decidedAt: Date;
}

export const INVARIANTS = ['send_at', 'before_decision', 'deadline', 'quiet_hours', 'cap', 'gap'] as const;
export type Invariant = (typeof INVARIANTS)[number];

export interface Violation {
  /** Position of the decision in the sequence. */
  index: number;
  invariant: Invariant;
  message: string;
}

/**
 * Walks the decisions in the order they were made. Each alert is held to the rules of its own candidate (segments
 * depend on the creator's membership and on tenure at decision time) against the fan's history plus every earlier
 * alert, which is what the decision could and must have seen; transactional alerts are exempt from quiet hours, caps
 * and gaps and are not counted. Decisions of different fans may be interleaved; `history` holds each fan's alerts
 * from before the sequence.
 */
export function checkDecisions(
  entries: readonly DecidedEntry[],
  history: ReadonlyMap<number, readonly Send[]>,
  policy: CapPolicy,
): Violation[] {
  const violations: Violation[] = [];
  const sendsByFan = new Map<number, Send[]>();
  entries.forEach(({ candidate: c, decision: d, decidedAt }, index) => {
    const where = `decisions[${index}] (fan ${c.fanId}, event ${c.eventId}, ${c.channel})`;
    const fail = (invariant: Invariant, rule: string) =>
      violations.push({ index, invariant, message: `${where}: ${rule}` });
    if ((d.action === 'alert') !== (d.sendAt !== null)) {
      fail('send_at', `action ${d.action} must have send_at ${d.action === 'alert' ? 'set' : 'null'}`);
      return;
    }
    if (d.action !== 'alert' || !d.sendAt) return;
    const t = d.sendAt.getTime();
    const at = d.sendAt.toISOString();
    if (t < decidedAt.getTime())
      fail('before_decision', `send_at ${at} must not be before the decision at ${decidedAt.toISOString()}`);
    if (c.deadline && t > c.deadline.getTime())
      fail('deadline', `send_at ${at} must not be after the deadline ${c.deadline.toISOString()}`);
    if (policy.kinds[c.kind].priority === 'transactional') return;

    const quiet = quietHoursFor(policy, c);
    if (inQuietHours(quiet, c.timeZone, t)) {
      fail(
        'quiet_hours',
        `send_at ${at} is local hour ${localHour(c.timeZone, t)} in ${c.timeZone}, ` +
          `inside quiet hours ${quiet!.start}-${quiet!.end}`,
      );
    }
    let sends = sendsByFan.get(c.fanId);
    if (!sends) {
      sends = [...(history.get(c.fanId) ?? [])];
      sendsByFan.set(c.fanId, sends);
    }
    for (const rule of rulesFor(policy, c, decidedAt).rules) {
      const b = bindingAt([rule], sends, c, t);
      if (b?.type === 'cap')
        fail(
          'cap',
          `send_at ${at} exceeds cap ${b.name}: ${b.used} already in a ${b.window} window with limit ${b.limit}`,
        );
      if (b?.type === 'gap')
        fail(
          'gap',
          `send_at ${at} is within ${b.minGap} of the ${c.channel} alert at ${b.nearestSendAt} (rule ${b.name})`,
        );
    }
    sends.push({ channel: c.channel, creatorId: c.creatorId, sendAt: d.sendAt });
  });
  return violations;
}
