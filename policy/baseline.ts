// The baseline policy, "send now on every enabled channel": the stand-in until the model and cap policy decide.
import type { AudienceMember, Decision } from '../domain/decision.ts';

export const BASELINE_POLICY = 'baseline_send_now';

/** One decision per audience member and enabled channel: alert now. */
export function baselineSendNow(members: readonly AudienceMember[], now: Date): Decision[] {
  const decisions: Decision[] = [];
  for (const m of members) {
    for (const channel of m.channels) {
      decisions.push({
        fanId: m.fanId,
        channel,
        action: 'alert',
        sendAt: now,
        policy: BASELINE_POLICY,
        reason: BASELINE_POLICY,
        reasonDetail: { note: 'no model or cap policy yet: every enabled channel, immediately' },
        score: null,
      });
    }
  }
  return decisions;
}
