// Tests the replay of logged history: caps applied to the policy's own alerts, observed against expected outcomes,
// the bootstrap's intervals and the paired difference.
import { describe, expect, it } from 'vitest';
import type { Candidate } from '../domain/decision.ts';
import { type CapPolicy, DEFAULT_CAP_POLICY } from './cap-policy.ts';
import { bootstrap, historyReplay, type LoggedCandidate, quantile, replayFan } from './history-replay.ts';

const HOUR = 3_600_000;
const start = new Date('2026-05-01T10:00:00Z');

function logged(i: number, over: Partial<LoggedCandidate> = {}, fanId = 1): LoggedCandidate {
  const at = new Date(start.getTime() + i * HOUR);
  const candidate: Candidate = {
    fanId,
    creatorId: 100 + i,
    eventId: 1000 + i,
    // Live is urgent: now or never, so a full cap sends it to the digest rather than to a later hour.
    kind: 'live',
    channel: 'push',
    membership: { kind: 'free', tier: 0 },
    timeZone: 'UTC',
    tenureStart: new Date('2025-01-01T00:00:00Z'),
    quietStart: null,
    quietEnd: null,
    digestCadence: 'daily',
    eventAt: at,
    deadline: null,
  };
  return { candidate, decidedAt: at, score: 0.5, sent: true, opened: true, unsubscribed: false, ...over };
}

const pushPerDay = (limit: number): CapPolicy => ({
  ...DEFAULT_CAP_POLICY,
  name: `push_${limit}`,
  rules: DEFAULT_CAP_POLICY.rules.map((r) => (r.name === 'push_per_day' && r.type === 'cap' ? { ...r, limit } : r)),
  segments: [],
});

describe('replayFan', () => {
  const five = [0, 1, 2, 3, 4].map((i) => logged(i));

  it("caps the policy's own alerts: three a day leaves two of five for the digest", () => {
    const t = replayFan(five, pushPerDay(3), { email: 0, push: 0 }, 0);
    expect(t).toMatchObject({ pushAlerts: 3, emailAlerts: 0, digests: 2, opens: 3, unsubscribes: 0 });
  });

  it('a looser cap sends all five, and their observed opens count', () => {
    const t = replayFan(five, pushPerDay(10), { email: 0, push: 0 }, 0);
    expect(t).toMatchObject({ pushAlerts: 5, digests: 0, opens: 5 });
  });

  it('an alert never sent in the log counts its score as the expected open and the sample rate of unsubscribes', () => {
    const t = replayFan(
      [logged(0, { sent: false, opened: false, score: 0.3 })],
      pushPerDay(3),
      { email: 0, push: 0 },
      0.02,
    );
    expect(t.pushAlerts).toBe(1);
    expect(t.opens).toBeCloseTo(0.3, 10);
    expect(t.unsubscribes).toBeCloseTo(0.02, 10);
  });

  it('an unscored candidate takes the fallback score: below the alert threshold it goes to the digest', () => {
    const low = replayFan([logged(0, { score: null })], pushPerDay(3), { email: 0.1, push: 0.03 }, 0);
    expect(low).toMatchObject({ pushAlerts: 0, digests: 1 });
    const high = replayFan([logged(0, { score: null })], pushPerDay(3), { email: 0.1, push: 0.4 }, 0);
    expect(high).toMatchObject({ pushAlerts: 1, digests: 0, opens: 1 });
  });
});

describe('bootstrap', () => {
  const fan = (opens: number) => ({ emailAlerts: 1, pushAlerts: 2, digests: 0, opens, unsubscribes: 0 });

  it('identical fans give an interval of width zero at the mean, per fan per day', () => {
    const f = bootstrap([fan(2), fan(2), fan(2)], 2, 100, 7);
    expect(f.pushAlerts).toEqual({ value: 1, low: 1, high: 1 });
    expect(f.opens).toEqual({ value: 1, low: 1, high: 1 });
  });

  it('varied fans give an interval around the mean that narrows with more fans, the same for the same seed', () => {
    const few = Array.from({ length: 20 }, (_, i) => fan(i % 2 ? 4 : 0));
    const many = Array.from({ length: 2000 }, (_, i) => fan(i % 2 ? 4 : 0));
    const a = bootstrap(few, 1, 400, 1).opens;
    const b = bootstrap(many, 1, 400, 1).opens;
    expect(a.value).toBe(2);
    expect(a.low).toBeLessThan(2);
    expect(a.high).toBeGreaterThan(2);
    expect(b.high - b.low).toBeLessThan((a.high - a.low) / 4);
    expect(bootstrap(few, 1, 400, 1).opens).toEqual(a);
  });

  it('reports unsubscribes per 1,000 fans per day', () => {
    const f = bootstrap([{ ...fan(0), unsubscribes: 1 }, fan(0)], 5, 10, 3);
    expect(f.unsubscribes.value).toBeCloseTo(100, 10);
  });

  it('quantile interpolates between ranks', () => {
    expect(quantile([0, 10], 0.25)).toBe(2.5);
    expect(quantile([1, 2, 3], 0.5)).toBe(2);
  });
});

describe('historyReplay', () => {
  it('compares both policies over every fan, with the difference fan by fan', () => {
    const sample = [1, 2, 3].flatMap((fanId) => [0, 1, 2, 3, 4].map((i) => logged(i, {}, fanId)));
    const r = historyReplay({
      logged: sample,
      fans: 4,
      days: 1,
      current: pushPerDay(3),
      proposed: pushPerDay(10),
      resamples: 200,
      seed: 42,
    });
    expect(r).toMatchObject({ fans: 4, candidates: 15, unscored: 0, resamples: 200 });
    // Three of four sampled fans had five candidates each; the fourth had none.
    expect(r.current.figures.pushAlerts.value).toBeCloseTo(9 / 4, 10);
    expect(r.proposed.figures.pushAlerts.value).toBeCloseTo(15 / 4, 10);
    expect(r.difference.pushAlerts.value).toBeCloseTo(6 / 4, 10);
    expect(r.difference.opens.value).toBeCloseTo(6 / 4, 10);
    expect(r.difference.pushAlerts.low).toBeLessThan(r.difference.pushAlerts.value);
    expect(r.difference.pushAlerts.low).toBeGreaterThanOrEqual(0);
    expect(r.current.name).toBe('push_3');
    expect(r.fallbackScore.push).toBe(1);
  });
});
