// Tests that the invariant checker catches each kind of broken rule, and passes what the policy allows.
import { describe, expect, it } from 'vitest';
import type { Candidate, Decision, Send } from '../domain/decision.ts';
import { type CapPolicy, DEFAULT_CAP_POLICY } from './cap-policy.ts';
import { checkDecisions, type DecidedEntry } from './check.ts';

const HOUR = 3_600_000;
const now = new Date('2026-05-01T13:00:00Z');
const h = (n: number) => new Date(now.getTime() + n * HOUR);

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

function alert(c: Candidate, sendAt: Date | null, decidedAt = now, action: Decision['action'] = 'alert'): DecidedEntry {
  return {
    candidate: c,
    decidedAt,
    decision: {
      fanId: c.fanId,
      channel: c.channel,
      action,
      sendAt,
      policy: 'default',
      reason: 'alert_best_hour',
      reasonDetail: {},
      score: null,
    },
  };
}

const none = new Map<number, Send[]>();
const invariants = (entries: DecidedEntry[], history = none, policy: CapPolicy = DEFAULT_CAP_POLICY) =>
  checkDecisions(entries, history, policy).map((v) => [v.index, v.invariant]);

describe('checkDecisions', () => {
  it('passes alerts that keep every rule, and digests and suppressions', () => {
    const entries = [
      alert(candidate({ creatorId: 1 }), now),
      alert(candidate({ creatorId: 2 }), h(1)),
      alert(candidate({ creatorId: 3, channel: 'email' }), h(1)),
      alert(candidate({ creatorId: 4 }), null, now, 'digest'),
    ];
    expect(checkDecisions(entries, none, DEFAULT_CAP_POLICY)).toEqual([]);
  });

  it('catches a malformed decision, a send before its decision, and one after the deadline', () => {
    expect(invariants([alert(candidate(), null)])).toEqual([[0, 'send_at']]);
    expect(invariants([alert(candidate(), now, now, 'digest')])).toEqual([[0, 'send_at']]);
    expect(invariants([alert(candidate(), h(-1))])).toEqual([[0, 'before_decision']]);
    expect(invariants([alert(candidate({ deadline: h(2) }), h(3))])).toEqual([[0, 'deadline']]);
  });

  it('catches quiet hours, by default and by the fan preference, with the local hour in the message', () => {
    const v = checkDecisions(
      [alert(candidate({ timeZone: 'America/New_York' }), new Date('2026-05-02T03:00:00Z'))],
      none,
      DEFAULT_CAP_POLICY,
    );
    expect(v).toEqual([
      {
        index: 0,
        invariant: 'quiet_hours',
        message:
          'decisions[0] (fan 1, event 3, push): send_at 2026-05-02T03:00:00.000Z is local hour 23 ' +
          'in America/New_York, inside quiet hours 22-8',
      },
    ]);
    expect(invariants([alert(candidate({ quietStart: 12, quietEnd: 14 }), now)])).toEqual([[0, 'quiet_hours']]);
  });

  it('catches a fourth push in a day, counting the history and earlier decisions', () => {
    const history = new Map([[1, [{ channel: 'push' as const, creatorId: 7, sendAt: h(-19) }]]]);
    const entries = [
      alert(candidate({ creatorId: 4 }), now),
      alert(candidate({ creatorId: 5 }), h(2)),
      alert(candidate({ creatorId: 6 }), h(4)),
    ];
    const v = checkDecisions(entries, history, DEFAULT_CAP_POLICY);
    expect(v).toEqual([
      {
        index: 2,
        invariant: 'cap',
        message:
          'decisions[2] (fan 1, event 3, push): send_at 2026-05-01T17:00:00.000Z exceeds cap push_per_day: ' +
          '3 already in a 24h window with limit 3',
      },
    ]);
    // Another fan's alerts do not count.
    expect(
      invariants(
        entries.map((e, i) => (i === 2 ? alert(candidate({ fanId: 2 }), h(4)) : e)),
        history,
      ),
    ).toEqual([]);
  });

  it('catches the per-creator cap and the gap, and holds each candidate to its segment', () => {
    expect(invariants([alert(candidate(), now), alert(candidate(), h(6))])).toEqual([[1, 'cap']]);
    expect(
      invariants([
        alert(candidate({ creatorId: 1 }), now),
        alert(candidate({ creatorId: 5 }), new Date(now.getTime() + 10 * 60_000)),
      ]),
    ).toEqual([[1, 'gap']]);
    const fresh = { tenureStart: new Date(now.getTime() - 86_400_000) };
    expect(
      invariants([
        alert(candidate({ creatorId: 1, ...fresh }), now),
        alert(candidate({ creatorId: 5, ...fresh }), h(2)),
        alert(candidate({ creatorId: 6, ...fresh }), h(4)),
      ]),
    ).toEqual([[2, 'cap']]);
    const paid = { membership: { kind: 'paid' as const, tier: 1 } };
    expect(invariants([1, 2, 3, 4].map((i) => alert(candidate({ creatorId: i, ...paid }), h(i))))).toEqual([]);
  });

  it('exempts transactional kinds from quiet hours and caps, and does not count them', () => {
    const policy: CapPolicy = {
      ...DEFAULT_CAP_POLICY,
      kinds: {
        ...DEFAULT_CAP_POLICY.kinds,
        announcement: { ...DEFAULT_CAP_POLICY.kinds.announcement, priority: 'transactional' },
      },
    };
    const t = (n: number) => alert(candidate({ kind: 'announcement' }), h(n), h(n));
    expect(invariants([t(0), t(0), t(10), t(11), alert(candidate(), h(1))], none, policy)).toEqual([]);
    expect(invariants([alert(candidate({ kind: 'announcement', deadline: now }), h(1))], none, policy)).toEqual([
      [0, 'deadline'],
    ]);
  });
});
