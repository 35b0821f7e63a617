// Property test: random fans, candidates, histories and scores under several policies never yield a flagged decision.
import { describe, expect, it } from 'vitest';
import { type Candidate, REASONS, type Send } from '../domain/decision.ts';
import { CHANNELS, EVENT_KINDS } from '../domain/vocabulary.ts';
import { Rng } from '../simulator/random.ts';
import { type CapPolicy, DEFAULT_CAP_POLICY, validateCapPolicy } from './cap-policy.ts';
import { checkDecisions, type DecidedEntry } from './check.ts';
import { decide } from './decide.ts';
import { candidateSendTimes, searchEndMs } from './send-time.ts';

const HOUR = 3_600_000;
const ZONES = ['UTC', 'America/New_York', 'Europe/Berlin', 'Asia/Kolkata', 'Australia/Sydney', 'America/Los_Angeles'];

const POLICIES: Record<string, CapPolicy> = {
  default: DEFAULT_CAP_POLICY,
  first_come: { ...DEFAULT_CAP_POLICY, name: 'first_come', valueAware: false },
  strict: {
    ...DEFAULT_CAP_POLICY,
    name: 'strict',
    quietHours: { start: 20, end: 10 },
    rules: [
      { type: 'cap', name: 'all_per_day', limit: 2, window: '1d' },
      { type: 'cap', name: 'per_creator_week', perCreator: true, limit: 1, window: '7d' },
      { type: 'gap', name: 'push_gap', channel: 'push', minGap: '3h' },
      { type: 'gap', name: 'email_gap', channel: 'email', minGap: '6h' },
    ],
    kinds: {
      ...DEFAULT_CAP_POLICY.kinds,
      announcement: { ...DEFAULT_CAP_POLICY.kinds.announcement, priority: 'transactional' },
    },
    segments: [
      {
        name: 'top_tier',
        match: { membership: 'paid', minTier: 2 },
        mode: 'replace',
        rules: [{ type: 'cap', name: 'all_per_day', limit: 4, window: '1d' }],
      },
    ],
  },
  no_quiet: { ...DEFAULT_CAP_POLICY, name: 'no_quiet', quietHours: null, sendTime: { horizon: '3d' } },
};

function randomCandidate(rng: Rng, fanId: number, zone: string, eventId: number, now: number): Candidate {
  const quiet = rng.bernoulli(0.3);
  const deadlineRoll = rng.next();
  return {
    fanId,
    creatorId: 1 + rng.int(4),
    eventId,
    kind: EVENT_KINDS[rng.int(EVENT_KINDS.length)],
    channel: CHANNELS[rng.int(CHANNELS.length)],
    membership: rng.bernoulli(0.4) ? { kind: 'paid', tier: rng.int(4) } : { kind: 'free', tier: 0 },
    timeZone: zone,
    tenureStart: new Date(now - rng.uniform(0, 20) * 86_400_000),
    quietStart: quiet ? rng.int(24) : null,
    quietEnd: quiet ? rng.int(24) : null,
    digestCadence: (['off', 'daily', 'weekly'] as const)[rng.int(3)],
    eventAt: new Date(now - rng.uniform(0, 6) * HOUR),
    // Some deadlines have passed, some fall within the hour, some are days away, some do not exist.
    deadline:
      deadlineRoll < 0.1
        ? new Date(now - HOUR)
        : deadlineRoll < 0.3
          ? new Date(now + rng.uniform(0, 1.5) * HOUR)
          : deadlineRoll < 0.6
            ? new Date(now + rng.uniform(2, 72) * HOUR)
            : null,
  };
}

describe('decide, property', () => {
  it('the policies under test are valid', () => {
    for (const policy of Object.values(POLICIES)) expect(validateCapPolicy(policy)).toMatchObject({ ok: true });
  });

  for (const [name, policy] of Object.entries(POLICIES)) {
    it(`${name}: 150 fans over a week of random candidates break no quiet hour, deadline, cap or gap`, () => {
      const rng = new Rng(20261126 + name.length);
      const entries: DecidedEntry[] = [];
      // The same candidates sent at once, as the baseline would: the checker must find them breaking rules.
      const sendNow: DecidedEntry[] = [];
      const initial = new Map<number, Send[]>();
      const reasons = new Set<string>();
      let eventId = 0;
      for (let fanId = 1; fanId <= 150; fanId++) {
        const zone = ZONES[rng.int(ZONES.length)];
        // Spread the start over a year so daylight-saving changes fall inside some weeks.
        let now = Date.UTC(2026, 0, 1) + rng.int(365 * 24) * HOUR + rng.int(60) * 60_000;
        const history: Send[] = [];
        for (let k = rng.int(5); k > 0; k--)
          history.push({
            channel: CHANNELS[rng.int(2)],
            creatorId: 1 + rng.int(4),
            sendAt: new Date(now - rng.uniform(0.1, 30) * HOUR),
          });
        initial.set(fanId, history.slice());
        const peak = rng.int(24);
        const fanStats = rng.bernoulli(0.7)
          ? {
              pastValues: Array.from({ length: 1 + rng.int(30) }, () => rng.next() * 0.5),
              ratePerHour: rng.uniform(0.01, 0.5),
            }
          : null;
        const end = now + 7 * 86_400_000;
        while (now < end) {
          const c = randomCandidate(rng, fanId, zone, ++eventId, now);
          const at = new Date(now);
          const times = candidateSendTimes(at, Math.max(now, searchEndMs(policy, c)));
          const byTime = new Map(
            times.map((t) => [
              t,
              Math.min(1, Math.max(0, rng.uniform(0, 0.3) + (new Date(t).getUTCHours() === peak ? 0.2 : 0))),
            ]),
          );
          const d = decide(c, history, policy, { byTime, fanStats }, at);
          reasons.add(d.reason);
          expect(REASONS).toContain(d.reason);
          if (d.action === 'alert') {
            expect(d.sendAt!.getTime() === now || times.includes(d.sendAt!.getTime())).toBe(true);
            if (policy.kinds[c.kind].priority !== 'transactional')
              history.push({ channel: c.channel, creatorId: c.creatorId, sendAt: d.sendAt! });
          }
          entries.push({ candidate: c, decision: d, decidedAt: at });
          sendNow.push({ candidate: c, decision: { ...d, action: 'alert', sendAt: at }, decidedAt: at });
          now += rng.exponential(1 / 3) * HOUR;
        }
      }
      expect(checkDecisions(entries, initial, policy)).toEqual([]);
      const caught = new Set(checkDecisions(sendNow, initial, policy).map((v) => v.invariant));
      // Fans' own quiet hours hold even under a policy without default ones.
      expect([...caught].sort()).toEqual(['cap', 'deadline', 'gap', 'quiet_hours']);
      // The walk reaches the interesting outcomes, not just one.
      for (const r of [
        'alert_best_hour',
        'alert_urgent',
        'digest_below_alert_threshold',
        'digest_cap_reached',
        'suppress_deadline_passed',
      ])
        expect(reasons).toContain(r);
      expect(entries.filter((e) => e.decision.action === 'alert').length).toBeGreaterThan(250);
    });
  }
});
