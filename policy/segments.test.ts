// Tests which segments a candidate falls in and how their overrides replace or tighten the base rules.
import { describe, expect, it } from 'vitest';
import { type CapPolicy, DEFAULT_CAP_POLICY } from './cap-policy.ts';
import { rulesFor } from './segments.ts';

const now = new Date('2026-05-01T12:00:00Z');
const days = (d: number) => new Date(now.getTime() - d * 86_400_000);
const cap = (policy: CapPolicy, c: Parameters<typeof rulesFor>[1], name: string) =>
  rulesFor(policy, c, now).rules.find((r) => r.name === name);

describe('rulesFor', () => {
  it('leaves the base rules for a free fan of long standing', () => {
    expect(rulesFor(DEFAULT_CAP_POLICY, { membership: { kind: 'free', tier: 0 }, tenureStart: days(30) }, now)).toEqual(
      { rules: DEFAULT_CAP_POLICY.rules, segments: [] },
    );
  });

  it('replaces for paid members, tightens in the first week, in policy order', () => {
    expect(
      cap(DEFAULT_CAP_POLICY, { membership: { kind: 'paid', tier: 2 }, tenureStart: days(30) }, 'push_per_day'),
    ).toMatchObject({ limit: 4 });
    const both = rulesFor(DEFAULT_CAP_POLICY, { membership: { kind: 'paid', tier: 2 }, tenureStart: days(2) }, now);
    expect(both.segments).toEqual(['paid_members', 'first_week']);
    expect(both.rules.find((r) => r.name === 'push_per_day')).toMatchObject({ limit: 2 });
    expect(both.rules.find((r) => r.name === 'email_per_day')).toMatchObject({ limit: 1 });
    // Exactly seven days in is no longer the first week.
    expect(
      rulesFor(DEFAULT_CAP_POLICY, { membership: { kind: 'free', tier: 0 }, tenureStart: days(7) }, now).segments,
    ).toEqual([]);
  });

  it('tightening keeps the stricter limit, window and gap; a new name is added', () => {
    const policy: CapPolicy = {
      ...DEFAULT_CAP_POLICY,
      segments: [
        {
          name: 'top_tier',
          match: { minTier: 3 },
          mode: 'tighten',
          rules: [
            { type: 'cap', name: 'push_per_day', channel: 'push', limit: 5, window: '36h' },
            { type: 'gap', name: 'push_gap', channel: 'push', minGap: '15m' },
            { type: 'cap', name: 'all_per_week', limit: 10, window: '7d' },
          ],
        },
      ],
    };
    const c = { membership: { kind: 'paid' as const, tier: 3 }, tenureStart: days(100) };
    expect(cap(policy, c, 'push_per_day')).toMatchObject({ limit: 3, window: '36h' });
    expect(cap(policy, c, 'push_gap')).toMatchObject({ minGap: '30m' });
    expect(cap(policy, c, 'all_per_week')).toMatchObject({ limit: 10 });
    expect(rulesFor(policy, { ...c, membership: { kind: 'paid', tier: 2 } }, now).segments).toEqual([]);
  });
});
