// A fan's browser push subscriptions: registered (or re-activated) by endpoint, removed by the fan or when gone.

import type { PushSubscriptionInput } from '../domain/fan.ts';
import type { Pool } from './pool.ts';

/**
 * An endpoint names one browser registration. The same fan registering it again (a refreshed subscription) gets the
 * new keys and an active row; an endpoint registered to another fan, active or not, stays theirs: whoever holds an
 * endpoint would otherwise redirect another fan's notifications by registering it with their own keys. A browser
 * shared by two fans unsubscribes and subscribes afresh, which gives a new endpoint.
 */
export async function registerPushSubscription(
  pool: Pool,
  fanId: number,
  s: PushSubscriptionInput,
): Promise<{ id: number; created: boolean } | 'held by another fan'> {
  const r = await pool.query(
    `insert into push_subscriptions (fan_id, endpoint, p256dh, auth) values ($1::bigint, $2::text, $3::text, $4::text)
     on conflict (endpoint) do update
        set p256dh = excluded.p256dh, auth = excluded.auth, status = 'active', revoked_at = null
      where push_subscriptions.fan_id = excluded.fan_id
     returning id, (xmax = 0) as created`,
    [fanId, s.endpoint, s.keys.p256dh, s.keys.auth],
  );
  if (r.rowCount === 0) return 'held by another fan';
  return { id: r.rows[0].id, created: r.rows[0].created };
}

/** Revokes the fan's subscription with this endpoint; false when the fan has no active one there. */
export async function removePushSubscription(pool: Pool, fanId: number, endpoint: string): Promise<boolean> {
  const r = await pool.query(
    `update push_subscriptions set status = 'revoked', revoked_at = now()
      where fan_id = $1::bigint and endpoint = $2::text and status = 'active'`,
    [fanId, endpoint],
  );
  return r.rowCount === 1;
}

/**
 * Revokes every active subscription whose endpoint starts with the prefix (a local push service that lost its keys).
 */
export async function revokeSubscriptionsUnder(pool: Pool, endpointPrefix: string): Promise<number> {
  const r = await pool.query(
    `update push_subscriptions set status = 'revoked', revoked_at = now()
      where status = 'active' and starts_with(endpoint, $1::text)`,
    [endpointPrefix],
  );
  return r.rowCount ?? 0;
}
