// Writes a simulated world into PostgreSQL in bulk pages, idempotently: seeding the same world twice adds nothing.
import type pg from 'pg';
import { DIGEST_CADENCES } from '../domain/vocabulary.ts';
import { creatorDisplayName, creatorHandle, fanEmail, type World } from './world.ts';

export type PushSubscriptionKeys = { endpoint: string; keys: { p256dh: string; auth: string } };

export type SeedOptions = {
  /** Makes a real subscription for a fan with push (e.g. the local push service's); without it no subscriptions are written. */
  createPushSubscription?: (fanIndex: number) => Promise<PushSubscriptionKeys>;
  /** Rows per statement; a few thousand keeps each statement's arrays small and the round trips few. */
  pageSize?: number;
  /** Called after each table, e.g. to print progress. */
  log?: (message: string) => void;
};

export type SeedResult = {
  /** Database id of each creator, indexed by creator index. */
  creatorIds: number[];
  /** Database id of each fan, indexed by fan index. */
  fanIds: number[];
};

type Queryable = Pick<pg.Pool, 'query'>;

const DEFAULT_PAGE_SIZE = 5000;
const PUSH_CONCURRENCY = 16;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

async function forPages(total: number, pageSize: number, fn: (from: number, to: number) => Promise<void>): Promise<void> {
  for (let from = 0; from < total; from += pageSize) await fn(from, Math.min(total, from + pageSize));
}

/** Inserts creators by handle, leaving existing handles untouched. */
async function insertCreators(db: Queryable, handles: string[], displayNames: string[], createdAt: string[]): Promise<void> {
  await db.query(
    `insert into creators (handle, display_name, created_at)
     select * from unnest($1::text[], $2::text[], $3::timestamptz[])
     on conflict (handle) do nothing`,
    [handles, displayNames, createdAt],
  );
}

/** Ids of creators by handle, in the order of the handles given. */
async function selectCreatorIds(db: Queryable, handles: string[]): Promise<number[]> {
  const { rows } = await db.query<{ id: string | number }>(
    `select c.id from unnest($1::text[]) with ordinality as u(handle, n) join creators c on c.handle = u.handle order by u.n`,
    [handles],
  );
  if (rows.length !== handles.length) throw new Error(`seed: expected ${handles.length} creators, found ${rows.length}`);
  return rows.map((r) => Number(r.id));
}

/** Inserts fans by email, leaving existing emails untouched. */
async function insertFans(db: Queryable, emails: string[], zones: string[], locales: string[], createdAt: string[]): Promise<void> {
  await db.query(
    `insert into fans (email, time_zone, locale, created_at)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[])
     on conflict (email) do nothing`,
    [emails, zones, locales, createdAt],
  );
}

/** Ids of fans by email, in the order of the emails given. */
async function selectFanIds(db: Queryable, emails: string[]): Promise<number[]> {
  const { rows } = await db.query<{ id: string | number }>(
    `select f.id from unnest($1::text[]) with ordinality as u(email, n) join fans f on f.email = u.email order by u.n`,
    [emails],
  );
  if (rows.length !== emails.length) throw new Error(`seed: expected ${emails.length} fans, found ${rows.length}`);
  return rows.map((r) => Number(r.id));
}

async function insertMemberships(
  db: Queryable,
  rows: { fanIds: number[]; creatorIds: number[]; kinds: string[]; tiers: number[]; startedAt: string[] },
): Promise<void> {
  await db.query(
    `insert into memberships (fan_id, creator_id, kind, tier, started_at)
     select * from unnest($1::bigint[], $2::bigint[], $3::text[], $4::int[], $5::timestamptz[])
     on conflict (creator_id, fan_id) do nothing`,
    [rows.fanIds, rows.creatorIds, rows.kinds, rows.tiers, rows.startedAt],
  );
}

async function insertPreferences(
  db: Queryable,
  rows: { fanIds: number[]; emailEnabled: boolean[]; pushEnabled: boolean[]; cadences: string[]; hours: number[] },
): Promise<void> {
  await db.query(
    `insert into preferences (fan_id, email_enabled, push_enabled, digest_cadence, digest_hour)
     select * from unnest($1::bigint[], $2::boolean[], $3::boolean[], $4::text[], $5::int[])
     on conflict (fan_id) do nothing`,
    [rows.fanIds, rows.emailEnabled, rows.pushEnabled, rows.cadences, rows.hours],
  );
}

async function insertMutedCreators(db: Queryable, fanIds: number[], creatorIds: number[], mutedAt: string[]): Promise<void> {
  await db.query(
    `insert into muted_creators (fan_id, creator_id, muted_at)
     select * from unnest($1::bigint[], $2::bigint[], $3::timestamptz[])
     on conflict (fan_id, creator_id) do nothing`,
    [fanIds, creatorIds, mutedAt],
  );
}

/** The fans among these who already have an active push subscription. */
async function selectFansWithPush(db: Queryable, fanIds: number[]): Promise<Set<number>> {
  const { rows } = await db.query<{ fan_id: string | number }>(
    `select distinct fan_id from push_subscriptions where fan_id = any($1::bigint[]) and status = 'active'`,
    [fanIds],
  );
  return new Set(rows.map((r) => Number(r.fan_id)));
}

async function insertPushSubscriptions(
  db: Queryable,
  rows: { fanIds: number[]; endpoints: string[]; p256dh: string[]; auth: string[] },
): Promise<void> {
  await db.query(
    `insert into push_subscriptions (fan_id, endpoint, p256dh, auth)
     select * from unnest($1::bigint[], $2::text[], $3::text[], $4::text[])
     on conflict (endpoint) do nothing`,
    [rows.fanIds, rows.endpoints, rows.p256dh, rows.auth],
  );
}

async function seedCreators(db: Queryable, world: World, pageSize: number): Promise<number[]> {
  const ids: number[] = [];
  await forPages(world.creators.count, pageSize, async (from, to) => {
    const handles: string[] = [];
    const names: string[] = [];
    const createdAt: string[] = [];
    for (let c = from; c < to; c++) {
      handles.push(creatorHandle(c));
      names.push(creatorDisplayName(c));
      // Creators predate every fan: the earliest tenure is within a few years of the start.
      createdAt.push(iso(world.startMs - (1000 + c) * 86_400_000));
    }
    await insertCreators(db, handles, names, createdAt);
    ids.push(...(await selectCreatorIds(db, handles)));
  });
  return ids;
}

async function seedFans(db: Queryable, world: World, pageSize: number): Promise<number[]> {
  const ids: number[] = [];
  const { fans } = world;
  await forPages(fans.count, pageSize, async (from, to) => {
    const emails: string[] = [];
    const zones: string[] = [];
    const locales: string[] = [];
    const createdAt: string[] = [];
    for (let i = from; i < to; i++) {
      emails.push(fanEmail(i));
      zones.push(world.zones[fans.zone[i]]);
      locales.push(world.locales[fans.zone[i]]);
      createdAt.push(iso(fans.tenureStartMs[i]));
    }
    await insertFans(db, emails, zones, locales, createdAt);
    const pageIds = await selectFanIds(db, emails);
    await insertPreferences(db, {
      fanIds: pageIds,
      emailEnabled: pageIds.map(() => true),
      pushEnabled: pageIds.map((_, j) => fans.hasPush[from + j] === 1),
      cadences: pageIds.map((_, j) => DIGEST_CADENCES[fans.digestCadence[from + j]]),
      hours: pageIds.map((_, j) => fans.digestHour[from + j]),
    });
    ids.push(...pageIds);
  });
  return ids;
}

async function seedMemberships(db: Queryable, world: World, ids: SeedResult, pageSize: number): Promise<void> {
  const { memberships: ms } = world;
  await forPages(ms.count, pageSize, async (from, to) => {
    const rows = { fanIds: [] as number[], creatorIds: [] as number[], kinds: [] as string[], tiers: [] as number[], startedAt: [] as string[] };
    const muted = { fanIds: [] as number[], creatorIds: [] as number[], at: [] as string[] };
    for (let m = from; m < to; m++) {
      const fanId = ids.fanIds[ms.fan[m]];
      const creatorId = ids.creatorIds[ms.creator[m]];
      rows.fanIds.push(fanId);
      rows.creatorIds.push(creatorId);
      rows.kinds.push(ms.paid[m] ? 'paid' : 'free');
      rows.tiers.push(ms.tier[m]);
      rows.startedAt.push(iso(ms.startedAtMs[m]));
      if (ms.muted[m]) {
        muted.fanIds.push(fanId);
        muted.creatorIds.push(creatorId);
        muted.at.push(iso(world.startMs));
      }
    }
    await insertMemberships(db, rows);
    if (muted.fanIds.length > 0) await insertMutedCreators(db, muted.fanIds, muted.creatorIds, muted.at);
  });
}

async function seedPushSubscriptions(
  db: Queryable,
  world: World,
  fanIds: number[],
  create: (fanIndex: number) => Promise<PushSubscriptionKeys>,
  pageSize: number,
): Promise<number> {
  let created = 0;
  await forPages(world.fans.count, pageSize, async (from, to) => {
    const candidates: number[] = [];
    for (let i = from; i < to; i++) if (world.fans.hasPush[i]) candidates.push(i);
    if (candidates.length === 0) return;
    const existing = await selectFansWithPush(db, candidates.map((i) => fanIds[i]));
    const missing = candidates.filter((i) => !existing.has(fanIds[i]));
    const subscriptions: PushSubscriptionKeys[] = new Array(missing.length);
    // A bounded number of callbacks in flight: the push service is a real HTTP server.
    let next = 0;
    const worker = async () => {
      while (next < missing.length) {
        const k = next++;
        subscriptions[k] = await create(missing[k]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PUSH_CONCURRENCY, missing.length) }, worker));
    await insertPushSubscriptions(db, {
      fanIds: missing.map((i) => fanIds[i]),
      endpoints: subscriptions.map((s) => s.endpoint),
      p256dh: subscriptions.map((s) => s.keys.p256dh),
      auth: subscriptions.map((s) => s.keys.auth),
    });
    created += missing.length;
  });
  return created;
}

/**
 * Writes creators, fans, preferences, memberships, mutes and (with a factory) push subscriptions.
 * Rows are matched by natural key (handle, email, membership pair), so a re-seed of the same world
 * changes nothing, and an interrupted seed is completed by running it again.
 */
export async function seedWorld(pool: Queryable, world: World, options: SeedOptions = {}): Promise<SeedResult> {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize <= 0) throw new RangeError('pageSize: must be a positive integer');
  const log = options.log ?? (() => undefined);
  const creatorIds = await seedCreators(pool, world, pageSize);
  log(`creators: ${creatorIds.length}`);
  const fanIds = await seedFans(pool, world, pageSize);
  log(`fans and preferences: ${fanIds.length}`);
  await seedMemberships(pool, world, { creatorIds, fanIds }, pageSize);
  log(`memberships: ${world.memberships.count}`);
  if (options.createPushSubscription) {
    const created = await seedPushSubscriptions(pool, world, fanIds, options.createPushSubscription, pageSize);
    log(`push subscriptions: ${created} new`);
  }
  return { creatorIds, fanIds };
}
