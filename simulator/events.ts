// The creator events a simulated world produces in a time range: Poisson per creator, kind and local day.
import { instantOfWallTime } from '../domain/clock.ts';
import { DAY_MS, HOUR_MS } from '../domain/time.ts';
import { AUDIENCE_RULES, type AudienceRule, EVENT_KINDS, type EventKind } from '../domain/vocabulary.ts';
import { cumulativeWeights, mixSeed, Rng } from './random.ts';
import { creatorDisplayName, creatorHandle, type World } from './world.ts';

export type SimulatedEvent = {
  creatorIndex: number;
  kind: EventKind;
  atMs: number;
  deadlineMs: number;
  audience: AudienceRule;
  /** Set only for audience 'tier'. */
  minTier: number | null;
  title: string;
  url: string;
  /** Unique per creator; the same event always gets the same key, so re-posting it is a no-op. */
  idempotencyKey: string;
};

const TITLES: Record<EventKind, string> = { post: 'New post', live: 'Live now', announcement: 'Announcement' };
const PATHS: Record<EventKind, string> = { post: 'posts', live: 'live', announcement: 'announcements' };
const TIER_AUDIENCE_MIN_TIER = 2;

/**
 * Events with `fromMs <= atMs < toMs`, ordered by time. Each (creator, kind, creator-local day) draws
 * from its own stream, so a day's events do not depend on the range asked for: the events of a
 * week are exactly the union of the events of its days.
 */
export function scheduleEvents(world: World, range: { fromMs: number; toMs: number }): SimulatedEvent[] {
  if (!(range.toMs >= range.fromMs))
    throw new RangeError(`toMs: must be >= fromMs (got ${range.fromMs}..${range.toMs})`);
  const { creators: spec } = world.spec;
  const publishHours = cumulativeWeights(spec.publishHourWeights);
  const liveHours = cumulativeWeights(spec.liveHourWeights);
  const audienceShares = cumulativeWeights(AUDIENCE_RULES.map((a) => spec.postAudienceShares[a]));
  // Local days can start up to 14 hours either side of the UTC day.
  const firstDay = Math.floor(range.fromMs / DAY_MS) - 1;
  const lastDay = Math.floor(range.toMs / DAY_MS) + 1;
  const events: SimulatedEvent[] = [];
  for (let c = 0; c < world.creators.count; c++) {
    const zone = world.zones[world.creators.zone[c]];
    const handle = creatorHandle(c);
    for (let k = 0; k < EVENT_KINDS.length; k++) {
      const kind = EVENT_KINDS[k];
      const rate = world.creators.rate[kind][c];
      if (rate <= 0) continue;
      for (let day = firstDay; day <= lastDay; day++) {
        const rng = new Rng(mixSeed(world.seed, 'events', c, k, day));
        const n = rng.poisson(rate);
        for (let j = 0; j < n; j++) {
          const hour = rng.weighted(kind === 'live' ? liveHours : publishHours);
          const minute = rng.int(60);
          const atMs = instantOfWallTime(zone, day * DAY_MS + hour * HOUR_MS + minute * 60_000);
          const [minHours, maxHours] = spec.deadlineHours[kind];
          const deadlineMs = Math.round(atMs + rng.uniform(minHours, maxHours) * HOUR_MS);
          const audience: AudienceRule = kind === 'post' ? AUDIENCE_RULES[rng.weighted(audienceShares)] : 'all';
          if (atMs < range.fromMs || atMs >= range.toMs) continue;
          const date = new Date(day * DAY_MS).toISOString().slice(0, 10);
          events.push({
            creatorIndex: c,
            kind,
            atMs,
            deadlineMs,
            audience,
            minTier: audience === 'tier' ? TIER_AUDIENCE_MIN_TIER : null,
            title: `${TITLES[kind]} from ${creatorDisplayName(c)} (${date} #${j + 1})`,
            url: `https://fans.example/${handle}/${PATHS[kind]}/${date}-${j + 1}`,
            idempotencyKey: `sim-${world.seed}-${kind}-${date}-${j + 1}`,
          });
        }
      }
    }
  }
  return events.sort(
    (a, b) => a.atMs - b.atMs || a.creatorIndex - b.creatorIndex || a.idempotencyKey.localeCompare(b.idempotencyKey),
  );
}

/** Whether the membership hears about the event under its audience rule; muting is the caller's business. */
export function inAudience(world: World, event: SimulatedEvent, membershipIndex: number): boolean {
  if (event.audience === 'all') return true;
  if (event.audience === 'paid') return world.memberships.paid[membershipIndex] === 1;
  return world.memberships.tier[membershipIndex] >= (event.minTier ?? 0);
}
