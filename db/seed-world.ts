// Bulk, idempotent writes of a seeded world by natural key: creators, fans, memberships, preferences, mutes, push.
import type { Pool } from './pool.ts';

/** Inserts creators by handle, leaving existing handles untouched. */
export async function insertCreators(
  db: Pool,
  handles: string[],
  displayNames: string[],
  createdAt: string[],
): Promise<void> {
  await db.query(
    `insert into creators (handle, display_name, created_at)
     select * from unnest($1::text[], $2::text[], $3::timestamptz[])
     on conflict (handle) do nothing`,
    [handles, displayNames, createdAt],
  );
}

/** Ids of creators by handle, in the order of the handles given. */
export async function selectCreatorIds(db: Pool, handles: string[]): Promise<number[]> {
  const { rows } = await db.query<{ id: string | number }>(
    `select c.id from unnest($1::text[]) with ordinality as u(handle, n)
       join creators c on c.handle = u.handle order by u.n`,
    [handles],
  );
  if (rows.length !== handles.length)
    throw new Error(`seed: expected ${handles.length} creators, found ${rows.length}`);
  return rows.map((r) => Number(r.id));
}

/** Inserts fans by email, leaving existing emails untouched. */
export async function insertFans(
  db: Pool,
  emails: string[],
  zones: string[],
  locales: string[],
  createdAt: string[],
): Promise<void> {
  await db.query(
    `insert into fans (email, time_zone, locale, created_at)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[])
     on conflict (email) do nothing`,
    [emails, zones, locales, createdAt],
  );
}

/** Ids of fans by email, in the order of the emails given. */
export async function selectFanIds(db: Pool, emails: string[]): Promise<number[]> {
  const { rows } = await db.query<{ id: string | number }>(
    `select f.id from unnest($1::text[]) with ordinality as u(email, n) join fans f on f.email = u.email order by u.n`,
    [emails],
  );
  if (rows.length !== emails.length) throw new Error(`seed: expected ${emails.length} fans, found ${rows.length}`);
  return rows.map((r) => Number(r.id));
}

export async function insertMemberships(
  db: Pool,
  rows: { fanIds: number[]; creatorIds: number[]; kinds: string[]; tiers: number[]; startedAt: string[] },
): Promise<void> {
  await db.query(
    `insert into memberships (fan_id, creator_id, kind, tier, started_at)
     select * from unnest($1::bigint[], $2::bigint[], $3::text[], $4::int[], $5::timestamptz[])
     on conflict (creator_id, fan_id) do nothing`,
    [rows.fanIds, rows.creatorIds, rows.kinds, rows.tiers, rows.startedAt],
  );
}

export async function insertPreferences(
  db: Pool,
  rows: {
    fanIds: number[];
    emailEnabled: boolean[];
    pushEnabled: boolean[];
    cadences: string[];
    hours: (number | null)[];
  },
): Promise<void> {
  await db.query(
    `insert into preferences (fan_id, email_enabled, push_enabled, digest_cadence, digest_hour)
     select * from unnest($1::bigint[], $2::boolean[], $3::boolean[], $4::text[], $5::int[])
     on conflict (fan_id) do nothing`,
    [rows.fanIds, rows.emailEnabled, rows.pushEnabled, rows.cadences, rows.hours],
  );
}

export async function insertMutedCreators(
  db: Pool,
  fanIds: number[],
  creatorIds: number[],
  mutedAt: string[],
): Promise<void> {
  await db.query(
    `insert into muted_creators (fan_id, creator_id, muted_at)
     select * from unnest($1::bigint[], $2::bigint[], $3::timestamptz[])
     on conflict (fan_id, creator_id) do nothing`,
    [fanIds, creatorIds, mutedAt],
  );
}

/** The fans among these who already have an active push subscription. */
export async function selectFansWithPush(db: Pool, fanIds: number[]): Promise<Set<number>> {
  const { rows } = await db.query<{ fan_id: string | number }>(
    `select distinct fan_id from push_subscriptions where fan_id = any($1::bigint[]) and status = 'active'`,
    [fanIds],
  );
  return new Set(rows.map((r) => Number(r.fan_id)));
}

export async function insertPushSubscriptions(
  db: Pool,
  rows: { fanIds: number[]; endpoints: string[]; p256dh: string[]; auth: string[] },
): Promise<void> {
  await db.query(
    `insert into push_subscriptions (fan_id, endpoint, p256dh, auth)
     select * from unnest($1::bigint[], $2::text[], $3::text[], $4::text[])
     on conflict (endpoint) do nothing`,
    [rows.fanIds, rows.endpoints, rows.p256dh, rows.auth],
  );
}
