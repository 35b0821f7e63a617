// Test fixture: a creator's audience of fans, some muted, opted out or unsubscribed, with real push subscriptions.
import { insertAudience } from '../db/fixtures.ts';
import type { Pool } from '../db/pool.ts';
import type { PushSubscriptionJson } from '../delivery/push-sender.ts';

export interface AudienceSpec {
  fans: number;
  /** Fan positions (0-based) that muted the creator. */
  muted?: number[];
  /** Fan positions that turned email off. */
  emailOff?: number[];
  /** Fan positions that turned push off. */
  pushOff?: number[];
  /** Fan positions that used one-click unsubscribe. */
  unsubscribed?: number[];
  /** Fan positions without a push subscription. */
  noPush?: number[];
  subscribe: (position: number) => PushSubscriptionJson;
  handle?: string;
}

export interface SeededAudience {
  creatorId: number;
  fanIds: number[];
  emails: string[];
}

export async function seedAudience(pool: Pool, spec: AudienceSpec): Promise<SeededAudience> {
  const handle = spec.handle ?? 'ana';
  const positions = Array.from({ length: spec.fans }, (_, i) => i);
  const emails = positions.map((i) => `${handle}-fan${String(i).padStart(5, '0')}@fans.example`);
  const has = (list: number[] | undefined, i: number) => list?.includes(i) ?? false;
  const withPush = positions.filter((i) => !has(spec.noPush, i));
  const { creatorId, fanIds } = await insertAudience(pool, {
    handle,
    emails,
    emailEnabled: positions.map((i) => !has(spec.emailOff, i)),
    pushEnabled: positions.map((i) => !has(spec.pushOff, i)),
    unsubscribed: positions.map((i) => has(spec.unsubscribed, i)),
    muted: spec.muted ?? [],
    subscriptions: withPush.map((i) => ({ position: i, ...spec.subscribe(i) })),
  });
  return { creatorId, fanIds, emails };
}
