import { describe, expect, it } from 'vitest';
import { BASELINE_POLICY, baselineSendNow } from './baseline.ts';

describe('baselineSendNow', () => {
  it('alerts every enabled channel at once, and names itself in the reason', () => {
    const now = new Date('2026-11-26T12:00:00Z');
    const d = baselineSendNow(
      [
        { fanId: 1, channels: ['email', 'push'] },
        { fanId: 2, channels: ['push'] },
        { fanId: 3, channels: [] },
      ],
      now,
    );
    expect(d.map((x) => [x.fanId, x.channel])).toEqual([
      [1, 'email'],
      [1, 'push'],
      [2, 'push'],
    ]);
    for (const x of d) {
      expect(x).toMatchObject({ action: 'alert', sendAt: now, policy: BASELINE_POLICY, reason: BASELINE_POLICY });
    }
  });
});
