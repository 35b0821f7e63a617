// Test fixture: a creator with an audience of fans, some muted, opted out or unsubscribed, with real push subscriptions.
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
  const c = await pool.query(`insert into creators (handle, display_name) values ($1::text, $2::text) returning id`, [handle, `Creator ${handle}`]);
  const creatorId: number = c.rows[0].id;
  const positions = Array.from({ length: spec.fans }, (_, i) => i);
  const emails = positions.map((i) => `${handle}-fan${String(i).padStart(5, '0')}@fans.example`);
  const f = await pool.query(
    `insert into fans (email, time_zone) select e, 'Europe/Paris' from unnest($1::text[]) with ordinality as t (e, n) order by n returning id`,
    [emails],
  );
  const fanIds: number[] = f.rows.map((r) => r.id);
  await pool.query(
    `insert into memberships (fan_id, creator_id, kind, tier) select f, $2::bigint, 'free', 0 from unnest($1::bigint[]) as f`,
    [fanIds, creatorId],
  );
  const has = (list: number[] | undefined, i: number) => list?.includes(i) ?? false;
  await pool.query(
    `insert into preferences (fan_id, email_enabled, push_enabled, unsubscribed_at)
     select f, e, p, case when u then now() end from unnest($1::bigint[], $2::bool[], $3::bool[], $4::bool[]) as t (f, e, p, u)`,
    [fanIds, positions.map((i) => !has(spec.emailOff, i)), positions.map((i) => !has(spec.pushOff, i)), positions.map((i) => has(spec.unsubscribed, i))],
  );
  const muted = (spec.muted ?? []).map((i) => fanIds[i]);
  if (muted.length) {
    await pool.query(`insert into muted_creators (fan_id, creator_id) select f, $2::bigint from unnest($1::bigint[]) as f`, [muted, creatorId]);
  }
  const withPush = positions.filter((i) => !has(spec.noPush, i));
  const subs = withPush.map((i) => spec.subscribe(i));
  await pool.query(
    `insert into push_subscriptions (fan_id, endpoint, p256dh, auth)
     select * from unnest($1::bigint[], $2::text[], $3::text[], $4::text[])`,
    [withPush.map((i) => fanIds[i]), subs.map((s) => s.endpoint), subs.map((s) => s.keys.p256dh), subs.map((s) => s.keys.auth)],
  );
  return { creatorId, fanIds, emails };
}
