// Digests: which items go into a fan's digest, and whether this hourly run is the fan's local digest hour.
import { localHour, zoneOffsetMinutes } from '../domain/clock.ts';
import type { DigestCadence } from '../domain/vocabulary.ts';
import type { DigestSettings } from './cap-policy.ts';

const HOUR = 3_600_000;

/** An event waiting for the fan's digest: from a decision with action 'digest', on any channel. */
export interface DigestItem {
  eventId: number;
  score: number;
  deadline: Date | null;
}

/**
 * The top K items by score, best first (ties: lower event id), one per event however many channels chose the digest.
 * Leaves out events already sent as an alert on any channel, items below the digest's minimum score
 * (the policy may have changed since the decision), and items whose deadline has passed. Empty when nothing qualifies.
 */
export function selectDigest(
  items: readonly DigestItem[],
  alerted: ReadonlySet<number>,
  settings: Pick<DigestSettings, 'topK' | 'minScore'>,
  now: Date,
): DigestItem[] {
  const best = new Map<number, DigestItem>();
  for (const item of items) {
    if (alerted.has(item.eventId) || item.score < settings.minScore) continue;
    if (item.deadline && item.deadline.getTime() <= now.getTime()) continue;
    const seen = best.get(item.eventId);
    if (!seen || item.score > seen.score) best.set(item.eventId, item);
  }
  return [...best.values()].sort((a, b) => b.score - a.score || a.eventId - b.eventId).slice(0, settings.topK);
}

/** The local weekday, 0 = Sunday, in `zone` at `atMs`. */
export function localWeekday(zone: string, atMs: number): number {
  return new Date(atMs + zoneOffsetMinutes(zone, atMs) * 60_000).getUTCDay();
}

/**
 * Whether the hourly run at `now` is the fan's digest run: the local clock reached `digestHour` within the last hour.
 * On the night the clocks spring forward over the digest hour the run just after the jump sends it; when they fall
 * back and the hour repeats, only its first occurrence does. Weekly digests go out on the local `weeklyOn` day.
 */
export function digestDue(
  timeZone: string,
  cadence: DigestCadence,
  digestHour: number,
  now: Date,
  weeklyOn = 1,
): boolean {
  if (cadence === 'off') return false;
  const t = now.getTime();
  const before = localHour(timeZone, t - HOUR);
  const steps = (localHour(timeZone, t) - before + 24) % 24;
  let reached = false;
  for (let k = 1; k <= steps; k++) if ((before + k) % 24 === digestHour) reached = true;
  return reached && (cadence === 'daily' || localWeekday(timeZone, t) === weeklyOn);
}
