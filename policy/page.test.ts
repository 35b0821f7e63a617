// A page of decisions: candidates per channel, the send times to score, and caps shared across a fan's candidates.
import { describe, expect, it } from 'vitest';
import type { Send } from '../domain/decision.ts';
import { type CapPolicy, DEFAULT_CAP_POLICY } from './cap-policy.ts';
import { checkDecisions } from './check.ts';
import {
  decideCandidates,
  historyReachMs,
  type PageEvent,
  type PageFan,
  pageCandidates,
  sendTimesToScore,
} from './page.ts';

const now = new Date('2026-03-10T12:00:00Z');
const event: PageEvent = {
  creatorId: 7,
  eventId: 70,
  kind: 'post',
  eventAt: now,
  deadline: new Date(now.getTime() + 6 * 3_600_000),
};
const fan: PageFan = {
  fanId: 1,
  membership: { kind: 'free', tier: 0 },
  timeZone: 'UTC',
  tenureStart: new Date('2025-01-01T00:00:00Z'),
  quietStart: null,
  quietEnd: null,
  digestCadence: 'daily',
  channels: ['email', 'push'],
};

describe('page', () => {
  it('makes one candidate per channel and asks scores for now and each whole hour to the deadline', () => {
    const candidates = pageCandidates(event, [fan, { ...fan, fanId: 2, channels: ['push'] }]);
    expect(candidates.map((c) => [c.fanId, c.channel])).toEqual([
      [1, 'email'],
      [1, 'push'],
      [2, 'push'],
    ]);
    expect(sendTimesToScore(DEFAULT_CAP_POLICY, candidates[0], now)).toHaveLength(7);
    expect(sendTimesToScore(DEFAULT_CAP_POLICY, { ...candidates[0], kind: 'live' }, now)).toEqual([now.getTime()]);
    expect(sendTimesToScore(DEFAULT_CAP_POLICY, { ...candidates[0], deadline: now }, now)).toEqual([]);
    expect(historyReachMs(DEFAULT_CAP_POLICY)).toBe(24 * 3_600_000);
  });

  it('counts each alert against the fan at once, across events sharing the history', () => {
    const policy: CapPolicy = {
      ...DEFAULT_CAP_POLICY,
      quietHours: null,
      segments: [],
      rules: [{ type: 'cap', name: 'any_per_day', limit: 2, window: '24h' }],
    };
    const history = new Map<number, Send[]>([
      [1, [{ channel: 'email', creatorId: 9, sendAt: new Date(now.getTime() - 3_600_000) }]],
    ]);
    const before = new Map([...history].map(([k, v]) => [k, [...v]]));
    const flat = (i: number, times: number[]) => ({
      byTime: new Map(times.map((t) => [t, 0.5 - i * 0.01])),
      fanStats: null,
    });
    const entries = [];
    for (const eventId of [70, 71]) {
      const candidates = pageCandidates({ ...event, eventId }, [fan]);
      const decisions = decideCandidates(
        candidates,
        (i) => flat(i, sendTimesToScore(policy, candidates[i], now)),
        history,
        policy,
        now,
      );
      entries.push(...decisions.map((decision, i) => ({ candidate: candidates[i], decision, decidedAt: now })));
    }
    // One slot was left: the first candidate takes it, the other three find the cap full.
    expect(entries.map((e) => e.decision.action)).toEqual(['alert', 'digest', 'digest', 'digest']);
    expect(entries[1].decision.reason).toBe('digest_cap_reached');
    expect(checkDecisions(entries, before, policy)).toEqual([]);
  });
});
