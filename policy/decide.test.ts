// Tests each decision outcome and its reason, including send time across a DST change and value-aware capping.
import { describe, expect, it } from 'vitest';
import type { Candidate, Send } from '../domain/decision.ts';
import { type CapPolicy, DEFAULT_CAP_POLICY } from './cap-policy.ts';
import { decide } from './decide.ts';
import type { Scores } from './inputs.ts';
import { candidateSendTimes } from './send-time.ts';

const HOUR = 3_600_000;
// 13:00 in UTC, outside the default quiet hours.
const now = new Date('2026-05-01T13:00:00Z');

function candidate(over: Partial<Candidate> = {}): Candidate {
  return {
    fanId: 1,
    creatorId: 2,
    eventId: 3,
    kind: 'post',
    channel: 'push',
    membership: { kind: 'free', tier: 0 },
    timeZone: 'UTC',
    tenureStart: new Date('2025-01-01T00:00:00Z'),
    quietStart: null,
    quietEnd: null,
    digestCadence: 'daily',
    eventAt: now,
    deadline: null,
    ...over,
  };
}

/** Scores for every candidate send time in the next two days from a function of the hours after now. */
function scores(f: (hoursAhead: number) => number, at = now, fanStats: Scores['fanStats'] = null): Scores {
  const times = candidateSendTimes(at, at.getTime() + 48 * HOUR);
  return { byTime: new Map(times.map((t) => [t, f((t - at.getTime()) / HOUR)])), fanStats };
}

const push = (hoursAgo: number, creatorId = 9): Send => ({
  channel: 'push',
  creatorId,
  sendAt: new Date(now.getTime() - hoursAgo * HOUR),
});

describe('decide', () => {
  it('alerts at the best hour, earliest on a tie, with the numbers behind it', () => {
    const d = decide(
      candidate(),
      [],
      DEFAULT_CAP_POLICY,
      scores((h) => (h === 5 || h === 7 ? 0.4 : 0.2)),
      now,
    );
    expect(d).toMatchObject({
      fanId: 1,
      channel: 'push',
      action: 'alert',
      sendAt: new Date(now.getTime() + 5 * HOUR),
      policy: 'default',
      reason: 'alert_best_hour',
      score: 0.4,
    });
    expect(d.reasonDetail).toMatchObject({ priority: 'standard', threshold: 0.15, score: 0.4, segments: [] });
  });

  it('sends now when now is best', () => {
    const d = decide(
      candidate(),
      [],
      DEFAULT_CAP_POLICY,
      scores(() => 0.3),
      now,
    );
    expect(d).toMatchObject({ action: 'alert', sendAt: now, reason: 'alert_best_hour' });
  });

  it('keeps alerts inside the deadline, and suppresses once it has passed', () => {
    const deadline = new Date(now.getTime() + 3 * HOUR);
    const d = decide(
      candidate({ deadline }),
      [],
      DEFAULT_CAP_POLICY,
      scores((h) => h / 10),
      now,
    );
    expect(d.sendAt).toEqual(deadline);
    expect(
      decide(
        candidate({ deadline: now }),
        [],
        DEFAULT_CAP_POLICY,
        scores(() => 0.9),
        now,
      ),
    ).toMatchObject({ action: 'suppress', reason: 'suppress_deadline_passed', score: null, sendAt: null });
  });

  it('digests below the alert threshold and suppresses below the digest minimum', () => {
    expect(
      decide(
        candidate(),
        [],
        DEFAULT_CAP_POLICY,
        scores(() => 0.1),
        now,
      ),
    ).toMatchObject({
      action: 'digest',
      sendAt: null,
      reason: 'digest_below_alert_threshold',
      score: 0.1,
      reasonDetail: { threshold: 0.15 },
    });
    expect(
      decide(
        candidate(),
        [],
        DEFAULT_CAP_POLICY,
        scores(() => 0.01),
        now,
      ),
    ).toMatchObject({
      action: 'suppress',
      reason: 'suppress_below_digest_threshold',
      reasonDetail: { digestMinScore: 0.02 },
    });
    expect(
      decide(
        candidate({ digestCadence: 'off' }),
        [],
        DEFAULT_CAP_POLICY,
        scores(() => 0.1),
        now,
      ),
    ).toMatchObject({
      action: 'suppress',
      reason: 'suppress_digest_off',
      reasonDetail: { wouldBe: 'digest_below_alert_threshold' },
    });
  });

  it('waits for a full cap to free up when it can, and digests naming the cap when it cannot', () => {
    const history = [push(23), push(10), push(2)];
    const later = decide(
      candidate(),
      history,
      DEFAULT_CAP_POLICY,
      scores(() => 0.3),
      now,
    );
    // The push of 23 hours ago leaves the window at 14:00; 14:00 UTC is the first free hour.
    expect(later).toMatchObject({ action: 'alert', sendAt: new Date(now.getTime() + HOUR) });
    const full = [push(1), push(3), push(5)];
    const d = decide(
      candidate({ deadline: new Date(now.getTime() + 6 * HOUR) }),
      full,
      DEFAULT_CAP_POLICY,
      scores(() => 0.3),
      now,
    );
    expect(d).toMatchObject({
      action: 'digest',
      reason: 'digest_cap_reached',
      reasonDetail: { cap: { name: 'push_per_day', limit: 3, window: '24h', used: 3 }, score: 0.3, threshold: 0.15 },
    });
  });

  it('gives paid members their fourth push, and first-week fans only two', () => {
    const history = [push(1), push(3), push(5)];
    const paid = decide(
      candidate({ membership: { kind: 'paid', tier: 1 }, kind: 'live' }),
      history,
      DEFAULT_CAP_POLICY,
      scores(() => 0.3),
      now,
    );
    expect(paid).toMatchObject({
      action: 'alert',
      reason: 'alert_urgent',
      reasonDetail: { segments: ['paid_members'] },
    });
    const fresh = decide(
      candidate({ kind: 'live', tenureStart: new Date(now.getTime() - 2 * 86_400_000) }),
      [push(1), push(3)],
      DEFAULT_CAP_POLICY,
      scores(() => 0.3),
      now,
    );
    expect(fresh).toMatchObject({
      action: 'digest',
      reason: 'digest_cap_reached',
      reasonDetail: { cap: { name: 'push_per_day', limit: 2, used: 2 }, segments: ['first_week'] },
    });
  });

  it('sends live now, or to the digest in quiet hours or too close to another push', () => {
    expect(
      decide(
        candidate({ kind: 'live' }),
        [],
        DEFAULT_CAP_POLICY,
        scores(() => 0.1),
        now,
      ),
    ).toMatchObject({ action: 'alert', sendAt: now, reason: 'alert_urgent' });
    const night = new Date('2026-05-01T23:00:00Z');
    expect(
      decide(
        candidate({ kind: 'live' }),
        [],
        DEFAULT_CAP_POLICY,
        scores(() => 0.5, night),
        night,
      ),
    ).toMatchObject({
      action: 'digest',
      reason: 'digest_quiet_hours',
      reasonDetail: { quietHours: { start: 22, end: 8 } },
    });
    // The fan's own quiet hours replace the default.
    expect(
      decide(
        candidate({ kind: 'live', quietStart: 0, quietEnd: 6 }),
        [],
        DEFAULT_CAP_POLICY,
        scores(() => 0.5, night),
        night,
      ),
    ).toMatchObject({ action: 'alert', reason: 'alert_urgent' });
    expect(
      decide(
        candidate({ kind: 'live' }),
        [push(0.25)],
        DEFAULT_CAP_POLICY,
        scores(() => 0.5),
        now,
      ),
    ).toMatchObject({
      action: 'digest',
      reason: 'digest_min_gap',
      reasonDetail: { gap: { name: 'push_gap', minGap: '30m' } },
    });
  });

  it('sends transactional kinds now through full caps and quiet hours', () => {
    const policy: CapPolicy = {
      ...DEFAULT_CAP_POLICY,
      kinds: {
        ...DEFAULT_CAP_POLICY.kinds,
        announcement: { ...DEFAULT_CAP_POLICY.kinds.announcement, priority: 'transactional' },
      },
    };
    const night = new Date('2026-05-01T23:00:00Z');
    const d = decide(
      candidate({ kind: 'announcement' }),
      [push(1), push(2), push(3)],
      policy,
      { byTime: new Map(), fanStats: null },
      night,
    );
    expect(d).toMatchObject({ action: 'alert', sendAt: night, reason: 'alert_transactional', score: null });
  });

  it('picks the first allowed hour after quiet hours end on the day New York springs forward', () => {
    // 2026-03-08 05:00 UTC is midnight EST; clocks jump from 02:00 to 03:00, so 08:00 EDT is 12:00 UTC, not 13:00.
    const at = new Date('2026-03-08T05:00:00Z');
    const d = decide(
      candidate({ timeZone: 'America/New_York', eventAt: at }),
      [],
      DEFAULT_CAP_POLICY,
      scores(() => 0.3, at),
      at,
    );
    expect(d).toMatchObject({ action: 'alert', sendAt: new Date('2026-03-08T12:00:00Z') });
    const weekBefore = new Date('2026-03-01T05:00:00Z');
    expect(
      decide(
        candidate({ timeZone: 'America/New_York', eventAt: weekBefore }),
        [],
        DEFAULT_CAP_POLICY,
        scores(() => 0.3, weekBefore),
        weekBefore,
      ).sendAt,
    ).toEqual(new Date('2026-03-01T13:00:00Z'));
  });

  describe('value-aware capping', () => {
    // Two pushes today: the next one takes the last of three slots, held until the push of 1 hour ago
    // leaves the window.
    const history = [push(1), push(2)];
    const rich = { pastValues: [0.1, 0.2, 0.5, 0.6, 0.7], ratePerHour: 0.5 };
    const lastSlot = (s: number, kind: Candidate['kind'] = 'post', policy = DEFAULT_CAP_POLICY) =>
      decide(
        candidate({ kind, deadline: new Date(now.getTime() + 30 * 60_000) }),
        history,
        policy,
        scores(() => s, now, rich),
        now,
      );

    it('holds the last slot for a better candidate to come', () => {
      const d = lastSlot(0.3);
      expect(d).toMatchObject({
        action: 'digest',
        reason: 'digest_slot_reserved_for_better',
        score: 0.3,
        reasonDetail: { cap: { name: 'push_per_day', limit: 3, window: '24h', used: 2 }, value: 0.3 },
      });
      expect(d.reasonDetail.bestRemaining as number).toBeGreaterThan(0.3);
    });

    it('lets a candidate that beats the expected best take it', () => {
      const d = lastSlot(0.69);
      expect(d).toMatchObject({
        action: 'alert',
        reason: 'alert_best_hour',
        reasonDetail: { lastSlot: { name: 'push_per_day', used: 2 }, value: 0.69 },
      });
      expect(d.reasonDetail.bestRemaining as number).toBeLessThan(0.69);
    });

    it('weighs live above posts', () => {
      const post = lastSlot(0.46);
      const live = lastSlot(0.46, 'live');
      expect(post.reason).toBe('digest_slot_reserved_for_better');
      expect(live).toMatchObject({ action: 'alert', reason: 'alert_urgent' });
    });

    it('is first come, first served when turned off', () => {
      expect(lastSlot(0.3, 'post', { ...DEFAULT_CAP_POLICY, valueAware: false })).toMatchObject({ action: 'alert' });
    });

    it('holds nothing back for a fan with no history', () => {
      const d = decide(
        candidate(),
        history,
        DEFAULT_CAP_POLICY,
        scores(() => 0.3),
        now,
      );
      expect(d).toMatchObject({ action: 'alert', sendAt: now });
    });
  });
});
