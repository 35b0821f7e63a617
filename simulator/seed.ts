// Writes a simulated world into PostgreSQL in bulk pages, idempotently: seeding the same world twice adds nothing.
import type { Pool } from '../db/pool.ts';
import {
  insertCreators,
  insertFans,
  insertMemberships,
  insertMutedCreators,
  insertPreferences,
  insertPushSubscriptions,
  selectCreatorIds,
  selectFanIds,
  selectFansWithPush,
} from '../db/seed-world.ts';
import { DIGEST_CADENCES } from '../domain/vocabulary.ts';
import { chosenDigestHour, creatorDisplayName, creatorHandle, fanEmail, type World } from './world.ts';

export type PushSubscriptionKeys = { endpoint: string; keys: { p256dh: string; auth: string } };

export type SeedOptions = {
  /**
   * Makes a real subscription for a fan with push (e.g. the local push service's); without it no
   * subscriptions are written.
   */
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

const DEFAULT_PAGE_SIZE = 5000;
const PUSH_CONCURRENCY = 16;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

async function forPages(
  total: number,
  pageSize: number,
  fn: (from: number, to: number) => Promise<void>,
): Promise<void> {
  for (let from = 0; from < total; from += pageSize) await fn(from, Math.min(total, from + pageSize));
}

async function seedCreators(db: Pool, world: World, pageSize: number): Promise<number[]> {
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

async function seedFans(db: Pool, world: World, pageSize: number): Promise<number[]> {
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
      hours: pageIds.map((_, j) => chosenDigestHour(world, from + j)),
    });
    ids.push(...pageIds);
  });
  return ids;
}

async function seedMemberships(db: Pool, world: World, ids: SeedResult, pageSize: number): Promise<void> {
  const { memberships: ms } = world;
  await forPages(ms.count, pageSize, async (from, to) => {
    const rows = {
      fanIds: [] as number[],
      creatorIds: [] as number[],
      kinds: [] as string[],
      tiers: [] as number[],
      startedAt: [] as string[],
    };
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
  db: Pool,
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
    const existing = await selectFansWithPush(
      db,
      candidates.map((i) => fanIds[i]),
    );
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
export async function seedWorld(pool: Pool, world: World, options: SeedOptions = {}): Promise<SeedResult> {
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
