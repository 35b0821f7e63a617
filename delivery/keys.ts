// The keys messages are signed and encrypted with, made once and kept in PostgreSQL so every process agrees on them.
import { randomBytes } from 'node:crypto';
import type { Pool } from '../db/pool.ts';
import { getOrCreateSetting } from '../db/settings.ts';
import { generateVapidKeys } from './push-sender.ts';
import type { TrackingKey } from './tokens.ts';

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

/** VAPID keys are made once and kept: every browser subscription is bound to the public key. */
export function vapidKeys(pool: Pool): Promise<VapidKeys> {
  return getOrCreateSetting(pool, 'vapid', generateVapidKeys);
}

/** One link-signing key generated on first use and kept, for when TRACKING_KEYS is not set. */
export function storedTrackingKeys(pool: Pool): Promise<TrackingKey[]> {
  return getOrCreateSetting(pool, 'tracking_keys', () => [
    { kid: `g${randomBytes(3).toString('hex')}`, secret: randomBytes(32).toString('base64url') },
  ]);
}
