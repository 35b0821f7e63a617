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
      { path: 'rules[0].limit', op: 'change', from: 3, to: 4 },
      { path: 'rules[5]', op: 'remove', from: DEFAULT_CAP_POLICY.rules[5] },
      { path: 'segments[0].match.membership', op: 'remove', from: 'paid' },
      { path: 'segments[0].match.minTier', op: 'add', to: 2 },
    ]);
    expect(formatChanges(changes).split('\n')[1]).toBe('rules[0].limit: 3 → 4');
    expect(formatChanges([{ path: 'x', op: 'add', to: 1 }])).toBe('x: added 1');
  });

  it('treats a whole new document as one change', () => {
    expect(jsonDiff(null, { a: 1 })).toEqual([{ path: '(document)', op: 'change', from: null, to: { a: 1 } }]);
  });
});
