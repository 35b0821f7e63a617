// Population and creator engagement by UTC day, from one query: the feature context every decision of that day shares.
import type { Pool } from '../db/pool.ts';
import { CHANNEL_CODES, DAY_MS, LOOKBACK_DAYS, PRIOR_SENDS, type Channel, type EngagementSnapshot, type SnapshotAt } from './features.ts';

/** Sends and opens of one creator on one channel on one UTC day (day = days since the epoch). */
export interface DailyEngagement {
  creatorId: number;
  channel: Channel;
  day: number;
  sends: number;
  opens: number;
}

/**
 * Daily sends (by send time) and opens (by the time they happened) per creator and channel, for
 * days in [fromDay, toDay). Opens are counted on the day they were seen, so a day's snapshot
 * never uses an open that had not happened yet.
 */
export async function dailyEngagement(pool: Pool, fromDay: number, toDay: number): Promise<DailyEngagement[]> {
  const { rows } = await pool.query<{ creator_id: number; channel: Channel; day: number; sends: number; opens: number }>(
    `select creator_id, channel, day, sum(sends)::int as sends, sum(opens)::int as opens
       from (select e.creator_id, v.channel, floor(extract(epoch from v.started_at) / 86400)::int as day, count(*) as sends, 0 as opens
               from deliveries v
               join decisions d on d.id = v.decision_id
               join creator_events e on e.id = d.event_id
              where v.status = 'sent' and v.started_at >= $1::timestamptz and v.started_at < $2::timestamptz
              group by 1, 2, 3
             union all
             select e.creator_id, g.channel, floor(extract(epoch from g.occurred_at) / 86400)::int, 0, count(*)
               from engagement_events g
               join creator_events e on e.id = g.event_id
              where g.kind = 'open' and g.occurred_at >= $1::timestamptz and g.occurred_at < $2::timestamptz
              group by 1, 2, 3) t
      group by 1, 2, 3`,
    [new Date(fromDay * DAY_MS), new Date(toDay * DAY_MS)],
  );
  return rows.map((r) => ({ creatorId: Number(r.creator_id), channel: r.channel, day: r.day, sends: r.sends, opens: r.opens }));
}

/** A weak Beta(1, 9) prior: with no sends at all the population rate reads 10%, and any data soon outweighs it. */
const POPULATION_PRIOR = { opens: 1, sends: 10 };

/**
 * Snapshots for decisions on days covered by `daily`: the snapshot of day D sums days [D - LOOKBACK_DAYS, D).
 * Pure; built lazily per day and cached.
 */
export function snapshotsFromDaily(daily: readonly DailyEngagement[]): SnapshotAt {
  const byDay = new Map<number, DailyEngagement[]>();
  for (const d of daily) {
    const list = byDay.get(d.day);
    if (list) list.push(d);
    else byDay.set(d.day, [d]);
  }
  const cache = new Map<number, EngagementSnapshot>();
  return (asOfMs: number) => {
    const day = Math.floor(asOfMs / DAY_MS);
    let snapshot = cache.get(day);
    if (!snapshot) {
      snapshot = buildSnapshot(byDay, day);
      cache.set(day, snapshot);
    }
    return snapshot;
  };
}

function buildSnapshot(byDay: Map<number, DailyEngagement[]>, day: number): EngagementSnapshot {
  const sends = [0, 0];
  const opens = [0, 0];
  const creators = new Map<number, { sends: number[]; opens: number[] }>();
  for (let d = day - LOOKBACK_DAYS; d < day; d++) {
    for (const row of byDay.get(d) ?? []) {
      const c = CHANNEL_CODES[row.channel];
      sends[c] += row.sends;
      opens[c] += row.opens;
      let counts = creators.get(row.creatorId);
      if (!counts) {
        counts = { sends: [0, 0], opens: [0, 0] };
        creators.set(row.creatorId, counts);
      }
      counts.sends[c] += row.sends;
      counts.opens[c] += row.opens;
    }
  }
  const rate = (c: number) => (opens[c] + POPULATION_PRIOR.opens) / (sends[c] + POPULATION_PRIOR.sends);
  const populationRate = { email: rate(0), push: rate(1) };
  const index = new Map<number, { index: number; sends: number }>();
  for (const [creatorId, counts] of creators) {
    const expected = counts.sends[0] * populationRate.email + counts.sends[1] * populationRate.push;
    const seen = counts.opens[0] + counts.opens[1];
    index.set(creatorId, { index: (seen + PRIOR_SENDS.creator) / (expected + PRIOR_SENDS.creator), sends: counts.sends[0] + counts.sends[1] });
  }
  const unknown = { index: 1, sends: 0 };
  return { populationRate, creator: (creatorId) => index.get(creatorId) ?? unknown };
}

/** Snapshots for decisions made in [fromMs, toMs]. */
export async function loadSnapshots(pool: Pool, fromMs: number, toMs: number): Promise<SnapshotAt> {
  const fromDay = Math.floor(fromMs / DAY_MS) - LOOKBACK_DAYS;
  const toDay = Math.floor(toMs / DAY_MS);
  return snapshotsFromDaily(await dailyEngagement(pool, fromDay, toDay));
}
