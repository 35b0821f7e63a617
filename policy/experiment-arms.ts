// What an arm changes in a decision: the holdout's "transactional and digests only", the global holdout's policy.
import type { Candidate, Decision } from '../domain/decision.ts';
import type { CapPolicy } from './cap-policy.ts';

/**
 * The global holdout's policy: no relevance filtering. Every candidate clears the alert thresholds, nothing is kept
 * back for a better candidate and nothing is too weak for a digest; the hard safety limits (caps, gaps, quiet hours,
 * deadlines, the fan's own settings) still hold.
 */
export function withoutRelevanceFiltering(policy: CapPolicy): CapPolicy {
  const kinds = Object.fromEntries(
    Object.entries(policy.kinds).map(([kind, k]) => [kind, { ...k, alertThreshold: { email: 0, push: 0 } }]),
  ) as CapPolicy['kinds'];
  return {
    ...policy,
    name: `${policy.name}_no_relevance_filtering`,
    kinds,
    valueAware: false,
    digest: { ...policy.digest, minScore: 0 },
  };
}

/**
 * A long-term holdout fan's decision: transactional kinds as decided; anything else waits for the digest the fan chose,
 * or, with digests off, is suppressed. The score stays, so the digest still ranks its items.
 */
export function holdoutDecision(candidate: Candidate, decision: Decision, policy: CapPolicy): Decision {
  if (policy.kinds[candidate.kind].priority === 'transactional') return decision;
  const off = candidate.digestCadence === 'off';
  return {
    ...decision,
    action: off ? 'suppress' : 'digest',
    sendAt: null,
    reason: off ? 'suppress_holdout' : 'digest_holdout',
    reasonDetail: { ...decision.reasonDetail, decidedAs: { action: decision.action, reason: decision.reason } },
  };
}
