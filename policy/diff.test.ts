// Tests the document diff used by the cap policy audit trail.
import { describe, expect, it } from 'vitest';
import { type CapRule, DEFAULT_CAP_POLICY } from './cap-policy.ts';
import { formatChanges, jsonDiff } from './diff.ts';

describe('jsonDiff', () => {
  it('is empty for equal documents', () => {
    expect(jsonDiff(DEFAULT_CAP_POLICY, structuredClone(DEFAULT_CAP_POLICY))).toEqual([]);
  });

  it('names each changed, added and removed path', () => {
    const after = structuredClone(DEFAULT_CAP_POLICY);
    (after.rules[0] as CapRule).limit = 4;
    after.quietHours = null;
    after.rules.pop();
    delete after.segments[0].match.membership;
    after.segments[0].match.minTier = 2;
    const changes = jsonDiff(DEFAULT_CAP_POLICY, after);
    expect(changes).toEqual([
      { path: 'quietHours', op: 'change', from: { start: 22, end: 8 }, to: null },
      { path: 'rules[push_per_day].limit', op: 'change', from: 3, to: 4 },
      { path: 'rules[email_gap]', op: 'remove', from: DEFAULT_CAP_POLICY.rules[5] },
      { path: 'segments[paid_members].match.membership', op: 'remove', from: 'paid' },
      { path: 'segments[paid_members].match.minTier', op: 'add', to: 2 },
    ]);
    expect(formatChanges(changes).split('\n')[1]).toBe('rules[push_per_day].limit: 3 → 4');
    expect(formatChanges([{ path: 'x', op: 'add', to: 1 }])).toBe('x: added 1');
  });

  it('names a rule by its name wherever it sits, and a removal before it does not shift the others', () => {
    const after = structuredClone(DEFAULT_CAP_POLICY);
    after.rules.splice(0, 1);
    const gap = after.rules.find((r) => r.name === 'push_gap') as CapRule & { minGap: string };
    gap.minGap = '45m';
    expect(jsonDiff(DEFAULT_CAP_POLICY, after)).toEqual([
      { path: 'rules[push_gap].minGap', op: 'change', from: '30m', to: '45m' },
      { path: 'rules[push_per_day]', op: 'remove', from: DEFAULT_CAP_POLICY.rules[0] },
    ]);
    expect(formatChanges(jsonDiff(DEFAULT_CAP_POLICY, after))).toBe(
      'rules[push_gap].minGap: "30m" → "45m"\n' +
        `rules[push_per_day]: removed (was ${JSON.stringify(DEFAULT_CAP_POLICY.rules[0])})`,
    );
  });

  it('names an added rule and a segment rule, and reports a new order of the same rules once', () => {
    const after = structuredClone(DEFAULT_CAP_POLICY);
    after.rules.push({ type: 'gap', name: 'live_gap', channel: 'push', minGap: '1h' });
    (after.segments[1].rules[1] as CapRule & { limit: number }).limit = 2;
    expect(jsonDiff(DEFAULT_CAP_POLICY, after)).toEqual([
      { path: 'rules[live_gap]', op: 'add', to: { type: 'gap', name: 'live_gap', channel: 'push', minGap: '1h' } },
      { path: 'segments[first_week].rules[email_per_day].limit', op: 'change', from: 1, to: 2 },
    ]);
    const swapped = structuredClone(DEFAULT_CAP_POLICY);
    swapped.rules.reverse();
    const names = DEFAULT_CAP_POLICY.rules.map((r) => r.name);
    expect(jsonDiff(DEFAULT_CAP_POLICY, swapped)).toEqual([
      { path: 'rules(order)', op: 'change', from: names, to: [...names].reverse() },
    ]);
  });

  it('compares arrays without distinct names by position', () => {
    expect(jsonDiff({ kinds: ['post', 'live'] }, { kinds: ['live'] })).toEqual([
      { path: 'kinds[0]', op: 'change', from: 'post', to: 'live' },
      { path: 'kinds[1]', op: 'remove', from: 'live' },
    ]);
    const twins = [
      { name: 'a', v: 1 },
      { name: 'a', v: 2 },
    ];
    expect(jsonDiff({ x: twins }, { x: [twins[1]] }).map((c) => c.path)).toEqual(['x[0].v', 'x[1]']);
  });

  it('treats a whole new document as one change', () => {
    expect(jsonDiff(null, { a: 1 })).toEqual([{ path: '(document)', op: 'change', from: null, to: { a: 1 } }]);
  });
});
