// Tests the feature replay: point-in-time cut-offs, lookback, smoothing to the population, send counts, candidates.
import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS } from '../domain/time.ts';
import type { Channel } from '../domain/vocabulary.ts';
import {
  type EngagementSnapshot,
  type FanHistory,
  type FeatureQuery,
  fanFeatureRows,
  LOOKBACK_MS,
  localHourAndDay,
  MEMBER_LIFT_PRIOR_OPENS,
  NUM_FEATURES,
  namedRow,
  type PastClick,
  type PastOpen,
  type PastSend,
  PRIOR_SENDS,
} from './features.ts';

const T0 = Date.parse('2025-03-10T12:00:00Z');
const snapshot: EngagementSnapshot = {
  populationRate: { email: 0.2, push: 0.1 },
  creator: (id) => (id === 7 ? { index: 1.5, sends: 300 } : { index: 1, sends: 0 }),
};
const snapshotAt = () => snapshot;

function history(sends: PastSend[], opens: PastOpen[], clicks: PastClick[] = []): FanHistory {
  return {
    fan: { fanId: 1, timeZone: 'Europe/Paris', createdAtMs: T0 - 100 * DAY_MS, digestHour: 20 },
    memberships: new Map([[7, { creatorId: 7, paid: true, tier: 2, startedAtMs: T0 - 50 * DAY_MS }]]),
    sends,
    opens,
    clicks,
  };
}

const query = (over: Partial<FeatureQuery> = {}): FeatureQuery => ({
  asOfMs: T0,
  sendAtMs: T0,
  creatorId: 7,
  kind: 'live',
  channel: 'email',
  eventCreatedAtMs: T0 - 2 * HOUR_MS,
  ...over,
});

function rows(h: FanHistory, qs: FeatureQuery[]) {
  const out = new Float64Array(qs.length * NUM_FEATURES);
  fanFeatureRows(h, qs, snapshotAt, out);
  return qs.map((_, i) => namedRow(out, i));
}

const send = (id: number, atMs: number, channel: Channel = 'email', creatorId = 7): PastSend => ({
  decisionId: id,
  creatorId,
  channel,
  sentAtMs: atMs,
});
const open = (id: number, atMs: number, channel: Channel = 'email', creatorId = 7): PastOpen => ({
  decisionId: id,
  creatorId,
  channel,
  occurredAtMs: atMs,
});

describe('fanFeatureRows', () => {
  it('counts where in the day the fan opens, from opens before the decision only', () => {
    // Paris is UTC+1 in March: sends at 03:00 local, each opened at 21:xx local the same day.
    const day = (k: number) => Date.parse('2025-03-01T02:00:00Z') + k * DAY_MS;
    const sends = [0, 1, 2, 3].map((k) => send(k + 1, day(k)));
    const opens = [0, 1, 2, 3].map((k) => open(k + 1, day(k) + 18 * HOUR_MS + 10 * 60_000));
    const atHour = (hour: number, asOfMs = T0) => {
      const sendAtMs = Date.parse('2025-03-11T00:00:00Z') + (hour - 1) * HOUR_MS;
      return query({ asOfMs, sendAtMs });
    };
    const [evening, night, early] = rows(history(sends, opens), [
      atHour(21),
      atHour(3),
      atHour(21, day(3) + 12 * HOUR_MS),
    ]);
    expect(localHourAndDay('Europe/Paris', opens[0].occurredAtMs).hour).toBe(21);
    // Four opens at 21:00 and two pseudo-opens spread over the day: (4 + 2·mean) / 6 near 21:00.
    expect(evening.fan_open_hour_share).toBeGreaterThan(0.6);
    expect(evening.fan_open_hour_lift).toBeGreaterThan(3);
    // The sends went out at 03:00, but nobody read at 03:00.
    expect(night.fan_open_hour_share).toBeLessThan(0.1);
    expect(night.fan_open_hour_lift).toBeLessThan(1);
    // Decided before the last open: it sees three.
    expect(early.fan_open_hour_share).toBeLessThan(evening.fan_open_hour_share);
    expect(early.fan_open_hour_share).toBeGreaterThan(night.fan_open_hour_share);
    // The reading-peak posterior (opens at 21:10 and the digest hour, 20:00) puts one peak near 21:00; the other
    // could still be anywhere four hours away or more, 03:00 included, so that hour keeps only the prior's share.
    expect(evening.fan_peak_proximity).toBeGreaterThan(0.7);
    expect(night.fan_peak_proximity).toBeLessThan(0.25);
    expect(early.fan_peak_proximity).toBeGreaterThan(night.fan_peak_proximity);
  });

  it('gives a fan with no opens the reading peak their digest hour implies, and none without one', () => {
    const at = (hour: number) => query({ sendAtMs: Date.parse('2025-03-11T00:00:00Z') + (hour - 1) * HOUR_MS });
    const [nearDigest, farFromDigest] = rows(history([], []), [at(20), at(8)]);
    expect(nearDigest.fan_peak_proximity).toBeGreaterThan(farFromDigest.fan_peak_proximity + 0.2);
    const noDigest = history([], []);
    const [a, b] = rows({ ...noDigest, fan: { ...noDigest.fan, digestHour: null } }, [at(20), at(8)]);
    expect(a.fan_peak_proximity).toBeCloseTo(b.fan_peak_proximity, 12);
  });

  it('counts clicks per open from clicks before the decision, per creator, forgetting them with their sends', () => {
    // Four opened sends of creator 7, three of them clicked; one opened send of creator 9, not clicked.
    const sends = [1, 2, 3, 4].map((k) => send(k, T0 - (10 - k) * DAY_MS)).concat(send(5, T0 - 5 * DAY_MS, 'email', 9));
    const opens = sends.map((s) => open(s.decisionId, s.sentAtMs + HOUR_MS, 'email', s.creatorId));
    const clicks = [1, 2, 3].map((k) => ({ decisionId: k, occurredAtMs: sends[k - 1].sentAtMs + 2 * HOUR_MS }));
    const h = history(sends, opens, clicks);
    const [now, beforeThirdClick, creator9] = rows(h, [
      query(),
      query({ asOfMs: sends[2].sentAtMs + HOUR_MS + 1, sendAtMs: sends[2].sentAtMs + HOUR_MS + 1 }),
      query({ creatorId: 9 }),
    ]);
    expect(now.fan_clicks).toBe(3);
    // (3 clicks + 4 × 0.3) / (5 opens + 4)
    expect(now.fan_click_per_open).toBeCloseTo((3 + 1.2) / 9, 12);
    // Creator 7: (3 + 4 × fan rate) / (4 + 4); creator 9: (0 + 4 × fan rate) / (1 + 4).
    expect(now.member_click_per_open).toBeCloseTo((3 + 4 * now.fan_click_per_open) / 8, 12);
    expect(creator9.member_click_per_open).toBeCloseTo((4 * now.fan_click_per_open) / 5, 12);
    // The third send was opened but its click had not happened yet.
    expect(beforeThirdClick.fan_clicks).toBe(2);
    // 20.5 days on, only the last two sends of creator 7 (one clicked) and creator 9's are in the window.
    const [later] = rows(h, [query({ asOfMs: T0 + 20.5 * DAY_MS, sendAtMs: T0 + 20.5 * DAY_MS })]);
    expect(later.fan_clicks).toBe(1);
  });

  it('falls back to the population rates for a fan with no history', () => {
    const [r] = rows(history([], []), [query()]);
    expect(r.fan_open_rate_email).toBeCloseTo(0.2, 12);
    expect(r.fan_open_rate_push).toBeCloseTo(0.1, 12);
    expect(r.fan_engagement_index).toBe(1);
    expect(r.member_engagement_index).toBe(1);
    expect(r.fan_sends_window).toBe(0);
    expect(Number.isNaN(r.fan_days_since_open)).toBe(true);
    expect(r.member_paid).toBe(1);
    expect(r.member_tier).toBe(2);
    expect(r.creator_engagement_index).toBe(1.5);
    expect(r.kind).toBe(1);
    expect(r.hours_since_event).toBe(2);
  });

  it('smooths a fan’s open rate toward the population by the prior’s weight', () => {
    const sends = [send(1, T0 - 3 * DAY_MS), send(2, T0 - 2 * DAY_MS)];
    const opens = [open(1, T0 - 3 * DAY_MS + HOUR_MS), open(2, T0 - 2 * DAY_MS + HOUR_MS)];
    const [r] = rows(history(sends, opens), [query()]);
    expect(r.fan_open_rate_email).toBeCloseTo((2 + PRIOR_SENDS.fan * 0.2) / (2 + PRIOR_SENDS.fan), 12);
    expect(r.member_opens).toBe(2);
    expect(r.fan_days_since_open).toBeCloseTo(2 - 1 / 24, 12);
    expect(r.fan_engagement_index).toBeGreaterThan(1);
  });

  it('sees only what happened strictly before the decision time', () => {
    const sends = [send(1, T0 - HOUR_MS), send(2, T0), send(3, T0 + HOUR_MS)];
    const opens = [open(1, T0 + 10 * 60_000), open(2, T0 + 20 * 60_000)];
    const [withFuture] = rows(history(sends, opens), [query()]);
    const [without] = rows(history(sends.slice(0, 1), []), [query()]);
    expect(withFuture).toEqual(without);
    expect(withFuture.fan_sends_window).toBe(1);
    expect(withFuture.member_opens).toBe(0);
    expect(withFuture.fan_sent_24h).toBe(1);
  });

  it('answers each query from its own point in time, whatever order the queries come in', () => {
    const sends = [send(1, T0 - 2 * DAY_MS), send(2, T0 - DAY_MS)];
    const opens = [open(1, T0 - 2 * DAY_MS + HOUR_MS), open(2, T0 - DAY_MS + HOUR_MS)];
    const late = query();
    const early = query({ asOfMs: T0 - 1.5 * DAY_MS, sendAtMs: T0 - 1.5 * DAY_MS });
    const [a, b] = rows(history(sends, opens), [late, early]);
    expect(a.member_opens).toBe(2);
    expect(b.member_opens).toBe(1);
    expect(rows(history(sends, opens), [early])[0]).toEqual(b);
  });

  it('forgets sends and their opens older than the lookback window', () => {
    const old = T0 - LOOKBACK_MS - HOUR_MS;
    const [r] = rows(history([send(1, old)], [open(1, old + 60_000)]), [query()]);
    expect(r.fan_sends_window).toBe(0);
    expect(r.member_opens).toBe(0);
    expect(Number.isNaN(r.fan_days_since_open)).toBe(true);
  });

  it('shrinks the membership toward what the fan’s rates and the creator’s engagement predict', () => {
    // No history: the prior is the population's email rate times creator 7's index, with lift 1.
    const [fresh] = rows(history([], []), [query()]);
    expect(fresh.member_prior_rate).toBeCloseTo(0.2 * 1.5, 12);
    expect(fresh.member_lift).toBe(1);
    expect(fresh.member_bayes_rate).toBeCloseTo(0.3, 12);
    expect(fresh.fan_creator_index).toBe(1.5);
    // Creator 7 sent four emails and two were opened, one of them 10 days ago; creator 8 sent four, none opened.
    const sends = [
      send(1, T0 - 10 * DAY_MS),
      send(2, T0 - 9 * DAY_MS, 'email', 8),
      send(3, T0 - 8 * DAY_MS),
      send(4, T0 - 7 * DAY_MS, 'email', 8),
      send(5, T0 - 3 * DAY_MS),
      send(6, T0 - 3 * DAY_MS + 1, 'email', 8),
      send(7, T0 - 2 * DAY_MS),
      send(8, T0 - 2 * DAY_MS + 1, 'email', 8),
    ];
    const opens = [open(1, T0 - 10 * DAY_MS + HOUR_MS), open(7, T0 - 2 * DAY_MS + HOUR_MS)];
    const [seven, eight] = rows(history(sends, opens), [query(), query({ creatorId: 8 })]);
    const rate = (2 + PRIOR_SENDS.fan * 0.2) / (8 + PRIOR_SENDS.fan);
    expect(seven.fan_open_rate_email).toBeCloseTo(rate, 12);
    expect(seven.member_opens_7d).toBe(1);
    expect(seven.member_prior_rate).toBeCloseTo(rate * 1.5, 12);
    expect(seven.member_lift).toBeCloseTo(
      (2 + MEMBER_LIFT_PRIOR_OPENS) / (4 * rate * 1.5 + MEMBER_LIFT_PRIOR_OPENS),
      12,
    );
    expect(seven.member_bayes_rate).toBeCloseTo(seven.member_prior_rate * seven.member_lift, 12);
    expect(eight.member_opens_7d).toBe(0);
    expect(eight.member_lift).toBeCloseTo(MEMBER_LIFT_PRIOR_OPENS / (4 * rate + MEMBER_LIFT_PRIOR_OPENS), 12);
    expect(eight.member_bayes_rate).toBeLessThan(rate);
    expect(seven.member_bayes_rate).toBeGreaterThan(eight.member_bayes_rate);
  });

  it('counts notifications within 24 h and 7 d of the send time that were already sent at the decision', () => {
    const sends = [
      send(1, T0 - 8 * DAY_MS),
      send(2, T0 - 3 * DAY_MS),
      send(3, T0 - 20 * HOUR_MS),
      send(4, T0 - 2 * HOUR_MS, 'push'),
    ];
    const [now, later] = rows(history(sends, []), [query(), query({ sendAtMs: T0 + 6 * HOUR_MS })]);
    expect([now.fan_sent_24h, now.fan_sent_7d]).toEqual([2, 3]);
    expect([later.fan_sent_24h, later.fan_sent_7d]).toEqual([1, 3]);
  });

  it('describes the candidate in the fan’s local time', () => {
    const [email, push] = rows(history([], []), [query(), query({ channel: 'push', sendAtMs: T0 + 3 * HOUR_MS })]);
    // 12:00 UTC on Monday 10 March 2025 is 13:00 in Paris.
    expect([email.local_hour, email.local_day_of_week, email.channel]).toEqual([13, 1, 0]);
    expect(email.fan_digest_hour_distance).toBe(7);
    expect([push.local_hour, push.channel, push.hours_since_event]).toEqual([16, 1, 5]);
    expect(localHourAndDay('America/New_York', Date.parse('2025-03-09T03:30:00Z'))).toEqual({ hour: 22, day: 6 });
  });

  it('lifts the hours at which the fan opens', () => {
    // Opens every day at 20:00 Paris time, never at 08:00.
    const sends: PastSend[] = [];
    const opens: PastOpen[] = [];
    for (let d = 1; d <= 10; d++) {
      const evening = Date.parse('2025-03-10T19:00:00Z') - d * DAY_MS;
      const morning = Date.parse('2025-03-10T07:00:00Z') - d * DAY_MS;
      sends.push(send(2 * d, morning), send(2 * d + 1, evening));
      opens.push(open(2 * d + 1, evening + 60_000));
    }
    sends.sort((a, b) => a.sentAtMs - b.sentAtMs);
    opens.sort((a, b) => a.occurredAtMs - b.occurredAtMs);
    const evening = Date.parse('2025-03-10T19:00:00Z');
    const morning = Date.parse('2025-03-11T07:00:00Z');
    const [e, m] = rows(history(sends, opens), [
      query({ asOfMs: evening, sendAtMs: evening }),
      query({ asOfMs: evening, sendAtMs: morning }),
    ]);
    expect(e.fan_hour_lift).toBeGreaterThan(1.5);
    expect(m.fan_hour_lift).toBeLessThan(0.5);
    expect(e.fan_hour_of_week_rate).toBeGreaterThan(m.fan_hour_of_week_rate);
  });
});
