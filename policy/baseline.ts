// The baseline policy, "send now on every enabled channel": the explicit stand-in until the model and cap policy decide.

export type Channel = 'email' | 'push';
export const CHANNELS: readonly Channel[] = ['email', 'push'];

/** A fan in an event's audience, with the channels they can be reached on right now. */
export interface Candidate {
  fanId: number;
  channels: Channel[];
}

export interface Decision {
  fanId: number;
  channel: Channel;
  action: 'alert' | 'digest' | 'suppress';
  sendAt: Date | null;
  policy: string;
  reason: string;
  reasonDetail: Record<string, unknown>;
}

export const BASELINE_POLICY = 'baseline_send_now';

/** One decision per candidate and enabled channel: alert now. */
export function baselineSendNow(candidates: readonly Candidate[], now: Date): Decision[] {
  const decisions: Decision[] = [];
  for (const c of candidates) {
    for (const channel of c.channels) {
      decisions.push({
        fanId: c.fanId,
        channel,
        action: 'alert',
        sendAt: now,
        policy: BASELINE_POLICY,
        reason: BASELINE_POLICY,
        reasonDetail: { note: 'no model or cap policy yet: every enabled channel, immediately' },
      });
    }
  }
  return decisions;
}
