// The platform's vocabulary, declared once: channels, event kinds, audience rules, memberships and digest cadences.

/** How a notification reaches a fan. */
export const CHANNELS = ['email', 'push'] as const;
export type Channel = (typeof CHANNELS)[number];

/** What a creator announces (creator_events.kind). */
export const EVENT_KINDS = ['post', 'live', 'announcement'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** The audience rules that take no parameter: every member, or the paying ones. */
export const PLAIN_AUDIENCE_RULES = ['all', 'paid'] as const;
export type PlainAudienceRule = (typeof PLAIN_AUDIENCE_RULES)[number];
/** The audience rule with a parameter: members at `minTier` or above. */
export const TIER_AUDIENCE_RULE = 'tier';
/** Who of a creator's members an event is for (creator_events.audience). */
export const AUDIENCE_RULES = [...PLAIN_AUDIENCE_RULES, TIER_AUDIENCE_RULE] as const;
export type AudienceRule = (typeof AUDIENCE_RULES)[number];
/** An audience rule with its parameter: `tier` reaches members at `minTier` or above. */
export type Audience = { rule: PlainAudienceRule } | { rule: typeof TIER_AUDIENCE_RULE; minTier: number };

export function isPlainAudienceRule(value: unknown): value is PlainAudienceRule {
  return (PLAIN_AUDIENCE_RULES as readonly unknown[]).includes(value);
}

/** A fan's membership with a creator (memberships.kind). */
export const MEMBERSHIP_KINDS = ['free', 'paid'] as const;
export type MembershipKind = (typeof MEMBERSHIP_KINDS)[number];

/**
 * How often a fan gets a digest of what was not worth an alert (preferences.digest_cadence); off suppresses instead.
 */
export const DIGEST_CADENCES = ['off', 'daily', 'weekly'] as const;
export type DigestCadence = (typeof DIGEST_CADENCES)[number];
/** A cadence that sends digests: every one but off. */
export type ActiveDigestCadence = Exclude<DigestCadence, 'off'>;
