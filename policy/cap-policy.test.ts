// Tests the cap policy validator: the default passes, and every bad field is named with its rule, all at once.
import { describe, expect, it } from 'vitest';
import { type FieldError, formatFieldErrors } from '../domain/field-error.ts';
import { type CapPolicy, DEFAULT_CAP_POLICY, validateCapPolicy } from './cap-policy.ts';

function errorsOf(doc: unknown): FieldError[] {
  const r = validateCapPolicy(doc);
  return r.ok ? [] : r.errors;
}

/**
 * The default policy after a hand edit. The edit gets it typed; what the type forbids (a wrong value, an unknown
 * field, an extra rule of no known type) it writes with Object.assign or through an unknown[] view, as a file could.
 */
function withChange(change: (doc: CapPolicy) => void): unknown {
  const doc = structuredClone(DEFAULT_CAP_POLICY);
  change(doc);
  return doc;
}

describe('validateCapPolicy', () => {
  it('accepts the default policy, also after a JSON round trip', () => {
    expect(validateCapPolicy(DEFAULT_CAP_POLICY)).toEqual({ ok: true, value: DEFAULT_CAP_POLICY });
    expect(validateCapPolicy(JSON.parse(JSON.stringify(DEFAULT_CAP_POLICY))).ok).toBe(true);
  });

  it('the default says what the product promises', () => {
    const caps = Object.fromEntries(DEFAULT_CAP_POLICY.rules.map((r) => [r.name, r]));
    expect(caps.push_per_day).toMatchObject({ channel: 'push', limit: 3, window: '24h' });
    expect(caps.email_per_day).toMatchObject({ channel: 'email', limit: 2, window: '24h' });
    expect(caps.push_per_creator).toMatchObject({ channel: 'push', perCreator: true, limit: 1, window: '12h' });
    expect(caps.push_gap).toMatchObject({ channel: 'push', minGap: '30m' });
    expect(DEFAULT_CAP_POLICY.quietHours).toEqual({ start: 22, end: 8 });
    const w = DEFAULT_CAP_POLICY.kinds;
    expect(w.live.weight).toBeGreaterThan(w.announcement.weight);
    expect(w.announcement.weight).toBeGreaterThan(w.post.weight);
  });

  it('names the place and the rule, as one line each', () => {
    const errors = errorsOf(withChange((d) => Object.assign(d.rules[2], { window: '12 hours' })));
    expect(errors).toEqual([{ field: 'rules[2].window', rule: 'must be a duration such as "24h"' }]);
    expect(formatFieldErrors(errors)).toBe('rules[2].window: must be a duration such as "24h"');
  });

  it('collects every error, not just the first', () => {
    const errors = errorsOf(
      withChange((d) => {
        Object.assign(d, { schema: 2 });
        d.name = 'Default Policy';
        d.quietHours = { start: 22, end: 24 };
        Object.assign(d.rules[0], { limit: 0 });
        Object.assign(d.rules[1], { channel: 'sms' });
        Object.assign(d.rules[4], { minGap: 30 });
        (d.rules as unknown[]).push({ type: 'burst', name: 'x' });
        d.rules.push({ type: 'cap', name: 'push_per_day', limit: 1, window: '1d' });
        d.kinds.post.alertThreshold.push = 1.5;
        Object.assign(d.kinds.live, { priority: 'critical' });
        delete (d.kinds as Partial<CapPolicy['kinds']>).announcement;
        d.digest.topK = 0;
        d.sendTime.horizon = 'later';
        Object.assign(d, { valueAware: 'yes', extra: 1 });
      }),
    );
    expect(errors).toEqual(
      expect.arrayContaining([
        { field: 'extra', rule: 'is not a known field' },
        { field: 'schema', rule: 'must be 1' },
        { field: 'name', rule: 'must be a name of lowercase letters, digits and underscores, starting with a letter' },
        { field: 'quietHours.end', rule: 'must be an integer from 0 to 23' },
        { field: 'rules[0].limit', rule: 'must be an integer from 1 to 1000' },
        { field: 'rules[1].channel', rule: 'must be one of email, push' },
        { field: 'rules[4].minGap', rule: 'must be a duration such as "24h"' },
        { field: 'rules[6].type', rule: 'must be "cap" or "gap"' },
        { field: 'rules[7].name', rule: 'must be unique; rules[0] has the same name' },
        { field: 'kinds.post.alertThreshold.push', rule: 'must be a probability from 0 to 1' },
        { field: 'kinds.live.priority', rule: 'must be one of transactional, urgent, standard' },
        { field: 'kinds.announcement', rule: 'is required' },
        { field: 'digest.topK', rule: 'must be an integer from 1 to 50' },
        { field: 'sendTime.horizon', rule: 'must be a duration such as "24h"' },
        { field: 'valueAware', rule: 'must be true or false' },
      ]),
    );
    expect(errors).toHaveLength(15);
  });

  it('checks segments: match conditions, mode, and that a tightened rule keeps its type and scope', () => {
    const errors = errorsOf(
      withChange((d) => {
        d.segments[0].match = {};
        Object.assign(d.segments[1], { mode: 'loosen' });
        (d.segments as unknown[]).push({
          name: 'paid_members',
          match: { membership: 'gold', tenureUnder: 'week' },
          mode: 'tighten',
          rules: [
            { type: 'gap', name: 'push_per_day', channel: 'push', minGap: '1h' },
            { type: 'cap', name: 'push_per_creator', channel: 'email', perCreator: true, limit: 1, window: '1d' },
          ],
        });
      }),
    );
    expect(errors).toEqual([
      { field: 'segments[0].match', rule: 'must name at least one of membership, minTier, tenureUnder' },
      { field: 'segments[1].mode', rule: 'must be "replace" or "tighten"' },
      { field: 'segments[2].name', rule: 'must be unique; segments[0] has the same name' },
      { field: 'segments[2].match.membership', rule: 'must be "free" or "paid"' },
      { field: 'segments[2].match.tenureUnder', rule: 'must be a duration such as "24h"' },
      { field: 'segments[2].rules[0].type', rule: 'must be "cap", the type of the rule it tightens' },
      { field: 'segments[2].rules[1]', rule: 'must keep the channel and perCreator of the rule it tightens' },
    ]);
  });

  it('keeps alert thresholds at or above the digest bar', () => {
    expect(errorsOf(withChange((d) => (d.digest.minScore = 0.1)))).toEqual([
      { field: 'kinds.live.alertThreshold.push', rule: 'must be at least digest.minScore (0.1)' },
    ]);
  });

  it('rejects what is not a document, and allows no quiet hours only as null', () => {
    expect(errorsOf([])).toEqual([{ field: '(document)', rule: 'must be a JSON object' }]);
    expect(errorsOf(withChange((d) => (d.quietHours = null)))).toEqual([]);
    expect(errorsOf(withChange((d) => delete (d as Partial<CapPolicy>).quietHours))).toEqual([
      { field: 'quietHours', rule: 'must be { "start": H, "end": H } in local hours, or null for none' },
    ]);
  });
});
