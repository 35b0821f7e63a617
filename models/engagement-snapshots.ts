// Population and creator engagement by UTC day, from one query: the feature context every decision of that day shares.
import { type DailyEngagement, dailyEngagement } from '../db/daily-engagement.ts';
import type { Pool } from '../db/pool.ts';
import { DAY_MS } from '../domain/time.ts';
import { CHANNEL_CODES, type EngagementSnapshot, LOOKBACK_DAYS, PRIOR_SENDS, type SnapshotAt } from './features.ts';

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
    index.set(creatorId, {
      index: (seen + PRIOR_SENDS.creator) / (expected + PRIOR_SENDS.creator),
      sends: counts.sends[0] + counts.sends[1],
    });
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
