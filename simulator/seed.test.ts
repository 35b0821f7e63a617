// Tests seeding against real PostgreSQL: row counts match the world, and a re-seed changes nothing.
import { describe, expect, it } from 'vitest';
import { useTestSchema } from '../testing/db.ts';
import { seedWorld } from './seed.ts';
import { parseWorldSpec } from './spec.ts';
import { chosenDigestHour, fanEmail, generateWorld } from './world.ts';

const db = useTestSchema('simulator_seed');
const world = generateWorld(parseWorldSpec({ seed: 21, creators: { count: 20 }, fans: { count: 2000 } }));

async function counts(): Promise<Record<string, number>> {
  const { rows } = await db().pool.query(
    `select (select count(*) from creators)::int as creators,
            (select count(*) from fans)::int as fans,
            (select count(*) from memberships)::int as memberships,
            (select count(*) from memberships where kind = 'paid')::int as paid,
            (select count(*) from preferences)::int as preferences,
            (select count(*) from preferences where push_enabled)::int as push_enabled,
            (select count(*) from muted_creators)::int as muted,
            (select count(*) from push_subscriptions)::int as push_subscriptions`,
  );
  return rows[0];
}

const sum = (a: Uint8Array) => a.reduce((s, x) => s + x, 0);

describe('seedWorld', () => {
  let calls = 0;
  const createPushSubscription = async (fanIndex: number) => {
    calls++;
    return {
      endpoint: `https://push.example/s/${fanIndex}`,
      keys: { p256dh: `p256dh-${fanIndex}`, auth: `auth-${fanIndex}` },
    };
  };

  it('writes every creator, fan, membership, preference, mute and push subscription in a few seconds', async () => {
    const started = performance.now();
    const ids = await seedWorld(db().pool, world, { createPushSubscription, pageSize: 700 });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(await counts()).toEqual({
      creators: 20,
      fans: 2000,
      memberships: world.memberships.count,
      paid: sum(world.memberships.paid),
      preferences: 2000,
      push_enabled: sum(world.fans.hasPush),
      muted: sum(world.memberships.muted),
      push_subscriptions: sum(world.fans.hasPush),
    });
    expect(calls).toBe(sum(world.fans.hasPush));
    expect(new Set(ids.fanIds).size).toBe(2000);
    const { rows } = await db().pool.query(
      `select f.email, f.time_zone, p.digest_hour
         from fans f join preferences p on p.fan_id = f.id where f.id = $1::bigint`,
      [ids.fanIds[41]],
    );
    expect(rows[0]).toEqual({
      email: fanEmail(41),
      time_zone: world.zones[world.fans.zone[41]],
      digest_hour: chosenDigestHour(world, 41),
    });
    const membership = world.fans.membershipStart[41];
    const { rows: m } = await db().pool.query(
      `select kind, tier from memberships where fan_id = $1::bigint and creator_id = $2::bigint`,
      [ids.fanIds[41], ids.creatorIds[world.memberships.creator[membership]]],
    );
    expect(m[0]).toEqual({
      kind: world.memberships.paid[membership] ? 'paid' : 'free',
      tier: world.memberships.tier[membership],
    });
  });

  it('does nothing when the same world is seeded again, and returns the same ids', async () => {
    const before = await counts();
    const first = await seedWorld(db().pool, world, { pageSize: 700 });
    const callsBefore = calls;
    const again = await seedWorld(db().pool, world, { createPushSubscription });
    expect(again).toEqual(first);
    expect(calls).toBe(callsBefore);
    expect(await counts()).toEqual(before);
  });
});
