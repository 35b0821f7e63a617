// The counts kept per fan-day (experiment_fan_days, kept by triggers) answer exactly what a recount of the log does:
// a small world of decisions in several arms, experiments and days, deliveries sent and not, opens before and after
// their delivery is sent, clicks, unsubscribes, updates and deletes, checked against experimentFanResults throughout.
import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS } from '../domain/time.ts';
import { resultDays } from '../policy/experiment-range.ts';
import { useTestSchema } from '../testing/db.ts';
import { experimentFanResults, experimentFanResultsByDay, experimentResults } from './experiment-results.ts';
import { getExperiment } from './experiments.ts';

const db = useTestSchema('experiment_results');
const D0 = Date.parse('2026-03-01T00:00:00Z');
const at = (ms: number) => new Date(ms);
const START = D0 + 10 * HOUR_MS;
const STOP = D0 + DAY_MS + 15 * HOUR_MS;

/** A fixed sequence of pseudo-random numbers in [0, 1), so the world is the same on every run. */
function sequence(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
}

interface World {
  experimentId: number;
  decisions: { id: number; fan: number; action: string; channel: string }[];
}

async function buildWorld(): Promise<World> {
  const pool = db().pool;
  const random = sequence(7);
  const creator = (await pool.query(`insert into creators (handle, display_name) values ('c', 'C') returning id`))
    .rows[0].id;
  const events = (
    await pool.query(
      `insert into creator_events (creator_id, kind, title, url, audience, idempotency_key)
       select $1::bigint, 'post', 'p' || n, 'https://example.com/' || n, 'all', 'k' || n from generate_series(1, 3) n
       returning id`,
      [creator],
    )
  ).rows.map((r) => r.id as number);
  const fans = (
    await pool.query(`insert into fans (email) select 'f' || n || '@example.com' from generate_series(1, 18) n
                      returning id`)
  ).rows.map((r) => r.id as number);
  const experimentId = (
    await pool.query(
      `insert into experiments (name, bucket_start, bucket_end, created_by, started_at, stopped_at, stopped_by)
       values ('e', 0, 1000, 'test', $1::timestamptz, $2::timestamptz, 'test') returning id`,
      [at(START), at(STOP)],
    )
  ).rows[0].id as number;
  await pool.query(
    `insert into experiment_arms (experiment_id, name, allocation)
     values ($1::bigint, 'control', 5), ($1, 'variant', 5)`,
    [experimentId],
  );
  // Every fan decided for every event on both channels; fans 0-5 in the experiment during its run, 6-9 in the global
  // holdout, the rest in none; decided over four days, some on the stroke of midnight or just before.
  const rows = { event: [] as number[], fan: [] as number[], channel: [] as string[], action: [] as string[] };
  const more = { decidedAt: [] as Date[], experiment: [] as (number | null)[], arm: [] as (string | null)[] };
  for (const event of events)
    for (const [i, fan] of fans.entries())
      for (const channel of ['email', 'push']) {
        const r = random();
        rows.event.push(event);
        rows.fan.push(fan);
        rows.channel.push(channel);
        rows.action.push(r < 0.55 ? 'alert' : r < 0.8 ? 'digest' : 'suppress');
        const inExperiment = i < 6;
        const ms = inExperiment
          ? START + Math.floor(random() * (STOP - START))
          : [D0, D0 + DAY_MS - 1, D0 + DAY_MS, D0 + 2 * DAY_MS + 5 * HOUR_MS, D0 + 3 * DAY_MS + 23 * HOUR_MS][
              Math.floor(random() * 5)
            ];
        more.decidedAt.push(at(ms));
        more.experiment.push(inExperiment ? experimentId : null);
        more.arm.push(inExperiment ? (i % 2 ? 'variant' : 'control') : i < 10 ? 'global_holdout' : null);
      }
  const { rows: inserted } = await pool.query(
    `insert into decisions (event_id, fan_id, channel, action, send_at, policy, reason, decided_at, experiment_id, arm)
     select e, f, c, a, case when a = 'alert' then t + interval '1 hour' end, 'test', 'test', t, x, arm
       from unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::timestamptz[], $6::bigint[], $7::text[])
            as u (e, f, c, a, t, x, arm)
     returning id, fan_id, action, channel`,
    [rows.event, rows.fan, rows.channel, rows.action, more.decidedAt, more.experiment, more.arm],
  );
  return {
    experimentId,
    decisions: inserted.map((r) => ({ id: r.id, fan: r.fan_id, action: r.action, channel: r.channel })),
  };
}

/** Every range checked: single days, several days, all of them, the run, and up to now (not a midnight). */
function ranges(world: World): { experimentId: number | null; from: Date; to: Date; now: Date; run: boolean }[] {
  const now = at(D0 + 3 * DAY_MS + 23 * HOUR_MS + 30 * 60_000);
  const out = [];
  for (const experimentId of [null, world.experimentId]) {
    for (const [a, b] of [
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 4],
      [0, 2],
      [1, 3],
      [0, 4],
    ])
      out.push({ experimentId, from: at(D0 + a * DAY_MS), to: at(D0 + b * DAY_MS), now, run: false });
    out.push({ experimentId, from: at(D0 + DAY_MS), to: now, now, run: false });
  }
  out.push({ experimentId: world.experimentId, from: at(START), to: at(STOP + 1), now, run: true });
  return out;
}

async function expectCountsMatchRecount(world: World): Promise<void> {
  const totals = { fans: 0, alerts: 0, alertOpens: 0, digestOpens: 0, clicks: 0, unsubscribes: 0 };
  for (const r of ranges(world)) {
    const days = resultDays(r.from, r.to, r.now, r.run);
    expect(days, `${r.from.toISOString()} to ${r.to.toISOString()}`).not.toBeNull();
    const exact = await experimentFanResults(db().pool, r.experimentId, r.from, r.to);
    const kept = await experimentFanResultsByDay(db().pool, r.experimentId, days!, r.from, r.to);
    expect(kept, `experiment ${r.experimentId}, ${days!.from} to ${days!.to}`).toEqual(exact);
    totals.fans += exact.length;
    for (const f of exact) {
      totals.alerts += f.alerts;
      totals.alertOpens += f.alertOpens;
      totals.digestOpens += f.digestOpens;
      totals.clicks += f.clicks;
      totals.unsubscribes += f.unsubscribes;
    }
  }
  // The comparison is not between empty answers: every metric has something to count.
  for (const [metric, n] of Object.entries(totals)) expect(n, metric).toBeGreaterThan(0);
  // No row is left for a fan-day whose decisions are gone.
  const { rows } = await db().pool.query(`select count(*)::int as n from experiment_fan_days where decisions <= 0`);
  expect(rows[0].n).toBe(0);
}

describe('experiment results counted per fan-day', () => {
  it('answer as the recount does through sends, opens, clicks, unsubscribes, updates and deletes', async () => {
    const pool = db().pool;
    const world = await buildWorld();
    const alerts = world.decisions.filter((d) => d.action === 'alert');
    const digests = world.decisions.filter((d) => d.action === 'digest');
    const suppressed = world.decisions.filter((d) => d.action === 'suppress');

    // Deliveries in one statement: a third sent at once, a third claimed (sent later), a third failed.
    await pool.query(
      `insert into deliveries (decision_id, channel, status)
       select d, c, (array['sent', 'claimed', 'failed'])[1 + n % 3]
         from unnest($1::bigint[], $2::text[]) with ordinality as u (d, c, n)`,
      [alerts.map((d) => d.id), alerts.map((d) => d.channel)],
    );
    // Opens of every other alert (some before their delivery is sent), of digests, of a suppressed decision; clicks.
    const engage = async (kind: string, decisions: { id: number }[], occurredAt: Date) =>
      pool.query(
        `insert into engagement_events (decision_id, fan_id, event_id, channel, kind, occurred_at)
         select d.id, d.fan_id, d.event_id, d.channel, $2::text, $3::timestamptz
           from decisions d where d.id = any($1::bigint[])`,
        [decisions.map((d) => d.id), kind, occurredAt],
      );
    await engage(
      'open',
      alerts.filter((_, i) => i % 2 === 0),
      at(D0 + DAY_MS),
    );
    await engage(
      'open',
      digests.filter((_, i) => i % 3 !== 0),
      at(D0 + 5 * DAY_MS),
    );
    await engage('open', suppressed.slice(0, 2), at(D0 + 2 * DAY_MS));
    await engage('click', [...alerts.filter((_, i) => i % 4 === 0), ...digests.slice(0, 3)], at(D0 + DAY_MS));
    // Unsubscribes inside and outside the ranges, one fan twice.
    await pool.query(
      `insert into engagement_events (fan_id, kind, occurred_at)
       select f, 'unsubscribe', t from unnest($1::bigint[], $2::timestamptz[]) as u (f, t)`,
      [
        [world.decisions[0].fan, world.decisions[40].fan, world.decisions[40].fan, world.decisions[100].fan],
        [at(D0 + DAY_MS + HOUR_MS), at(D0 + 12 * HOUR_MS), at(D0 + 3 * DAY_MS), at(D0 - DAY_MS)],
      ],
    );
    await expectCountsMatchRecount(world);

    // The claimed deliveries are sent (their opens came first); one sent delivery fails after all.
    await pool.query(`update deliveries set status = 'sent' where status = 'claimed'`);
    const sentOne = (await pool.query(`select id from deliveries where status = 'sent' order by id limit 1`)).rows[0]
      .id;
    await pool.query(`update deliveries set status = 'failed' where id = $1::bigint`, [sentOne]);
    // An alert with a second sent delivery counts once, and still counts when one of the two is deleted.
    const twice = (
      await pool.query(
        `select d.id, d.channel from decisions d join deliveries v on v.decision_id = d.id and v.status = 'sent'
          order by d.id limit 1`,
      )
    ).rows[0];
    const other = twice.channel === 'email' ? 'push' : 'email';
    await pool.query(`insert into deliveries (decision_id, channel, status) values ($1::bigint, $2::text, 'sent')`, [
      twice.id,
      other,
    ]);
    await expectCountsMatchRecount(world);
    await pool.query(`delete from deliveries where decision_id = $1::bigint and channel = $2::text`, [twice.id, other]);

    // Deletes: an open, a click, a sent delivery with no engagement pointing at it, and one decision with all its rows.
    await pool.query(
      `delete from engagement_events where id in (
         (select min(id) from engagement_events where kind = 'open'),
         (select max(id) from engagement_events where kind = 'click'))`,
    );
    await pool.query(
      `delete from deliveries where id = (
         select min(v.id) from deliveries v where v.status = 'sent'
            and not exists (select 1 from engagement_events e where e.delivery_id = v.id))`,
    );
    const gone = alerts[2].id;
    await pool.query(`delete from engagement_events where decision_id = $1::bigint`, [gone]);
    await pool.query(`delete from deliveries where decision_id = $1::bigint`, [gone]);
    await pool.query(`delete from decisions where id = $1::bigint`, [gone]);
    await expectCountsMatchRecount(world);

    // A decision moved to another arm and day (tests arrange arms so) takes its answers along.
    await pool.query(
      `update decisions set arm = 'global_holdout', decided_at = decided_at + interval '1 day'
        where experiment_id is null and arm is null and id in (select decision_id from engagement_events)`,
    );
    await expectCountsMatchRecount(world);

    // The answers per arm are the same whichever way they were counted.
    const experiment = await getExperiment(pool, world.experimentId);
    const from = at(START);
    const to = at(STOP + 1);
    expect(await experimentResults(pool, experiment, from, to, resultDays(from, to, to, true))).toEqual(
      await experimentResults(pool, experiment, from, to, null),
    );
  });
});
