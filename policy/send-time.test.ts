// Tests the candidate send times, the search window, and the choice of the best allowed time.
import { describe, expect, it } from 'vitest';
import type { Candidate } from '../domain/decision.ts';
import { DEFAULT_CAP_POLICY } from './cap-policy.ts';
import { bestOption, candidateSendTimes, searchEndMs, sendTimeOptions } from './send-time.ts';

const HOUR = 3_600_000;
const now = new Date('2026-05-01T12:20:00Z');

const candidate: Candidate = {
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
};

describe('candidateSendTimes', () => {
  it('is now, then every whole hour up to the end inclusive', () => {
    const t = candidateSendTimes(now, Date.parse('2026-05-01T15:00:00Z'));
    expect(t.map((x) => new Date(x).toISOString())).toEqual([
      '2026-05-01T12:20:00.000Z',
      '2026-05-01T13:00:00.000Z',
      '2026-05-01T14:00:00.000Z',
      '2026-05-01T15:00:00.000Z',
    ]);
    expect(candidateSendTimes(new Date('2026-05-01T12:00:00Z'), Date.parse('2026-05-01T13:00:00Z'))).toHaveLength(2);
    expect(candidateSendTimes(now, now.getTime() - HOUR)).toEqual([now.getTime()]);
  });

  it('searches to the deadline or the horizon after publication, whichever comes first', () => {
    expect(searchEndMs(DEFAULT_CAP_POLICY, candidate)).toBe(now.getTime() + 24 * HOUR);
    expect(searchEndMs(DEFAULT_CAP_POLICY, { ...candidate, deadline: new Date(now.getTime() + 3 * HOUR) })).toBe(
      now.getTime() + 3 * HOUR,
    );
    expect(searchEndMs(DEFAULT_CAP_POLICY, { ...candidate, eventAt: new Date(now.getTime() - 20 * HOUR) })).toBe(
      now.getTime() + 4 * HOUR,
    );
  });
});

describe('sendTimeOptions and bestOption', () => {
  const times = candidateSendTimes(now, now.getTime() + 14 * HOUR);
  const flat = { byTime: new Map(times.map((t) => [t, 0.2])), fanStats: null };

  it('marks quiet hours and full caps, and picks the best allowed time, earliest on ties', () => {
    const options = sendTimeOptions(
      candidate,
      times,
      flat,
      DEFAULT_CAP_POLICY.rules,
      [{ channel: 'push', creatorId: 2, sendAt: new Date(now.getTime() - 2 * HOUR) }],
      { start: 22, end: 8 },
    );
    // The creator had a push 2 hours ago: the 12-hour per-creator cap holds until 22:20, then quiet hours start.
    expect(options.filter((o) => o.blocked === null)).toEqual([]);
    expect(options[0].blocked).toMatchObject({ type: 'cap', name: 'push_per_creator' });
    expect(options.at(-1)!.blocked).toEqual({ type: 'quiet', quietHours: { start: 22, end: 8 } });
    const free = sendTimeOptions(candidate, times, flat, DEFAULT_CAP_POLICY.rules, [], { start: 22, end: 8 });
    expect(bestOption(free, (o) => o.blocked === null)!.at).toBe(now.getTime());
    const peaked = { byTime: new Map(times.map((t, i) => [t, i === 5 || i === 7 ? 0.3 : 0.1])), fanStats: null };
    expect(bestOption(sendTimeOptions(candidate, times, peaked, [], [], null))!.at).toBe(times[5]);
  });

  it('refuses to make up a score the model did not give', () => {
    const partial = { byTime: new Map([[now.getTime(), 0.2]]), fanStats: null };
    expect(() => sendTimeOptions(candidate, times, partial, [], [], null)).toThrow(
      'sendTimeOptions: scores.byTime has no score for 2026-05-01T13:00:00.000Z (fan 1, event 3, push); ' +
        'the model must score every candidate send time',
    );
  });
});
