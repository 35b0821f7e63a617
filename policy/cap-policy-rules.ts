// The cap policy validator's bounds and rule texts, declared once: the validator checks them and the console's form
// shows them as each field's allowed range (policy/cap-policy-fields.ts).
import { CHANNELS } from '../domain/vocabulary.ts';

/** Integer bounds, inclusive. */
export const CAP_POLICY_BOUNDS = {
  limit: { min: 1, max: 1000 },
  hour: { min: 0, max: 23 },
  topK: { min: 1, max: 50 },
  weekday: { min: 0, max: 6 },
  tier: { min: 0, max: 1000 },
  /** A kind's weight: above 0, at most this. */
  weightMax: 100,
} as const;

export const integerRule = (b: { min: number; max: number }) => `must be an integer from ${b.min} to ${b.max}`;
export const DURATION_RULE = 'must be a duration such as "24h"';
export const PROBABILITY_RULE = 'must be a probability from 0 to 1';
export const BOOLEAN_RULE = 'must be true or false';
export const NAME_RULE = 'must be a name of lowercase letters, digits and underscores, starting with a letter';
export const WEIGHT_RULE = `must be a number above 0 and at most ${CAP_POLICY_BOUNDS.weightMax}`;
export const CHANNEL_RULE = `must be one of ${CHANNELS.join(', ')}`;
