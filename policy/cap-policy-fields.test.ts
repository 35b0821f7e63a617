// The form's help states what the validator enforces: an out-of-range value is refused with the help's own rule.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CAP_POLICY, validateCapPolicy } from './cap-policy.ts';
import { CAP_POLICY_FIELDS } from './cap-policy-fields.ts';

/** A concrete path of the default policy for each pattern, and a value outside what the help allows. */
const CASES: Record<string, { path: (string | number)[]; bad: unknown }> = {
  name: { path: ['name'], bad: 'Not A Name' },
  'quietHours.start': { path: ['quietHours', 'start'], bad: 24 },
  'quietHours.end': { path: ['quietHours', 'end'], bad: -1 },
  'rules[].channel': { path: ['rules', 0, 'channel'], bad: 'sms' },
  'rules[].perCreator': { path: ['rules', 2, 'perCreator'], bad: 'yes' },
  'rules[].limit': { path: ['rules', 0, 'limit'], bad: 1001 },
  'rules[].window': { path: ['rules', 0, 'window'], bad: 'a day' },
  'rules[].minGap': { path: ['rules', 4, 'minGap'], bad: '0m' },
  'kinds.*.priority': { path: ['kinds', 'post', 'priority'], bad: 'soon' },
  'kinds.*.weight': { path: ['kinds', 'post', 'weight'], bad: 101 },
  'kinds.*.alertThreshold.*': { path: ['kinds', 'post', 'alertThreshold', 'push'], bad: 1.5 },
  'digest.topK': { path: ['digest', 'topK'], bad: 51 },
  'digest.minScore': { path: ['digest', 'minScore'], bad: -0.1 },
  'digest.weeklyOn': { path: ['digest', 'weeklyOn'], bad: 7 },
  'sendTime.horizon': { path: ['sendTime', 'horizon'], bad: 24 },
  valueAware: { path: ['valueAware'], bad: 1 },
};

function withValue(path: (string | number)[], value: unknown): unknown {
  const doc = structuredClone(DEFAULT_CAP_POLICY) as unknown as Record<string | number, unknown>;
  let at = doc;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  at[path[path.length - 1]] = value;
  return doc;
}

const dotted = (path: (string | number)[]) =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');

describe('CAP_POLICY_FIELDS', () => {
  it('describes every field the form edits, each once', () => {
    expect(CAP_POLICY_FIELDS.map((f) => f.field).sort()).toEqual(Object.keys(CASES).sort());
  });

  for (const f of CAP_POLICY_FIELDS) {
    it(`${f.field}: a value outside "${f.rule}" is refused with that rule`, () => {
      const c = CASES[f.field];
      const r = validateCapPolicy(withValue(c.path, c.bad));
      expect(r.ok).toBe(false);
      const errors = r.ok ? [] : r.errors;
      const mine = errors.find((e) => e.field === dotted(c.path));
      expect(mine, JSON.stringify(errors)).toBeDefined();
      expect(f.rule.startsWith(mine!.rule)).toBe(true);
    });
  }
});
