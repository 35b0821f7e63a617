// The rules that hold for one candidate: the policy's base rules with the overrides of every segment the fan is in.

import type { Candidate } from '../domain/decision.ts';
import type { CapPolicy, Rule, SegmentMatch } from './cap-policy.ts';
import { durationMs } from './duration.ts';

export interface EffectiveRules {
  rules: Rule[];
  /** The segments that matched, in policy order, for the decision's reason detail. */
  segments: string[];
}

export function matchesSegment(
  match: SegmentMatch,
  candidate: Pick<Candidate, 'membership' | 'tenureStart'>,
  now: Date,
): boolean {
  if (match.membership !== undefined && candidate.membership.kind !== match.membership) return false;
  if (match.minTier !== undefined && candidate.membership.tier < match.minTier) return false;
  if (
    match.tenureUnder !== undefined &&
    now.getTime() - candidate.tenureStart.getTime() >= durationMs(match.tenureUnder)
  )
    return false;
  return true;
}

function longer(a: string, b: string): string {
  return durationMs(b) > durationMs(a) ? b : a;
}

/** The stricter of two rules of the same type and scope (the validator guarantees both). */
function tighter(base: Rule, seg: Rule): Rule {
  if (base.type === 'cap' && seg.type === 'cap')
    return { ...base, limit: Math.min(base.limit, seg.limit), window: longer(base.window, seg.window) };
  if (base.type === 'gap' && seg.type === 'gap') return { ...base, minGap: longer(base.minGap, seg.minGap) };
  throw new Error(`segments: rule "${base.name}" is tightened by a rule of another type; validate the policy first`);
}

/** Segments apply in policy order, each to the rules the previous ones left. */
export function rulesFor(
  policy: CapPolicy,
  candidate: Pick<Candidate, 'membership' | 'tenureStart'>,
  now: Date,
): EffectiveRules {
  let rules = policy.rules.slice();
  const segments: string[] = [];
  for (const segment of policy.segments) {
    if (!matchesSegment(segment.match, candidate, now)) continue;
    segments.push(segment.name);
    for (const override of segment.rules) {
      const i = rules.findIndex((r) => r.name === override.name);
      if (i < 0) rules = [...rules, override];
      else rules[i] = segment.mode === 'replace' ? override : tighter(rules[i], override);
    }
  }
  return { rules, segments };
}
