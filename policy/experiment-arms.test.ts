// Tests what arms change: the holdout keeps only transactional alerts and digests; the global holdout's policy.
import { describe, expect, it } from 'vitest';
import type { Candidate, Decision } from '../domain/decision.ts';
import { DEFAULT_CAP_POLICY, validateCapPolicy } from './cap-policy.ts';
import { holdoutDecision, withoutRelevanceFiltering } from './experiment-arms.ts';

const at = new Date('2026-05-01T13:00:00Z');
const candidate = (over: Partial<Candidate> = {}): Candidate => ({
  fanId: 1,
  creatorId: 2,
  eventId: 3,
  kind: 'post',
  channel: 'email',
  membership: { kind: 'free', tier: 0 },
  timeZone: 'UTC',
  tenureStart: new Date('2025-01-01T00:00:00Z'),
  quietStart: null,
  quietEnd: null,
  digestCadence: 'daily',
  eventAt: at,
  deadline: null,
  ...over,
});
const alert: Decision = {
  fanId: 1,
  channel: 'email',
  action: 'alert',
  sendAt: at,
  policy: 'default',
  reason: 'alert_best_hour',
  reasonDetail: {},
  score: 0.4,
};

describe('holdoutDecision', () => {
  it('sends what is not transactional to the digest the fan chose, or nowhere with digests off', () => {
    expect(holdoutDecision(candidate(), alert, DEFAULT_CAP_POLICY)).toMatchObject({
      action: 'digest',
      sendAt: null,
      reason: 'digest_holdout',
      score: 0.4,
      reasonDetail: { decidedAs: { action: 'alert', reason: 'alert_best_hour' } },
    });
    expect(holdoutDecision(candidate({ digestCadence: 'off' }), alert, DEFAULT_CAP_POLICY)).toMatchObject({
      action: 'suppress',
      reason: 'suppress_holdout',
    });
  });
  it('keeps transactional alerts as decided', () => {
    const policy = {
      ...DEFAULT_CAP_POLICY,
      kinds: {
        ...DEFAULT_CAP_POLICY.kinds,
        announcement: { ...DEFAULT_CAP_POLICY.kinds.announcement, priority: 'transactional' as const },
      },
    };
    const decision = { ...alert, reason: 'alert_transactional' as const };
    expect(holdoutDecision(candidate({ kind: 'announcement' }), decision, policy)).toBe(decision);
  });
});

describe('withoutRelevanceFiltering', () => {
  it('drops every threshold and value-aware capping, keeps caps, gaps and quiet hours, and stays valid', () => {
    const open = withoutRelevanceFiltering(DEFAULT_CAP_POLICY);
    for (const k of Object.values(open.kinds)) expect(k.alertThreshold).toEqual({ email: 0, push: 0 });
    expect(open.valueAware).toBe(false);
    expect(open.digest.minScore).toBe(0);
    expect(open.rules).toEqual(DEFAULT_CAP_POLICY.rules);
    expect(open.quietHours).toEqual(DEFAULT_CAP_POLICY.quietHours);
    expect(open.name).toBe(`${DEFAULT_CAP_POLICY.name}_no_relevance_filtering`);
    expect(validateCapPolicy(open).ok).toBe(true);
  });
});
