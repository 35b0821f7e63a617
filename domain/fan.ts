// What a fan controls and registers: preferences and a browser push subscription.
import type { DigestCadence } from './vocabulary.ts';

/**
 * What a fan controls; the JSON of GET/PUT /api/fans/me/preferences,
 * column for column with preferences and muted_creators.
 */
export interface FanPreferences {
  emailEnabled: boolean;
  pushEnabled: boolean;
  digestCadence: DigestCadence;
  /** Local hour (0-23) the fan chose for digests; null when never chosen (digests go at DEFAULT_DIGEST_HOUR). */
  digestHour: number | null;
  /** Local hours [start, end) with no alerts; null leaves it to the policy default. */
  quietHours: { start: number; end: number } | null;
  mutedCreatorIds: number[];
}

/**
 * The local hour digests go out at for a fan who never chose one (preferences.digest_hour is null): the morning hour
 * most people read email at before work.
 */
export const DEFAULT_DIGEST_HOUR = 8;

export interface PushSubscriptionInput {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}
