// Wall-clock arithmetic in IANA time zones, cached: policy, features and the simulator ask it millions of times.

const formatters = new Map<string, Intl.DateTimeFormat>();
// By zone, then bucket: no key string is built per call (the replay asks tens of millions of times).
const offsets = new Map<string, Map<number, number>>();
let cachedCount = 0;
// Offsets change only at transitions, which fall on quarter hours in every zone in use.
const BUCKET_MS = 15 * 60_000;
const MAX_CACHED = 200_000;

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Minutes to add to UTC to get the wall clock in `zone` at instant `atMs` (e.g. -300 for New York in winter). */
export function zoneOffsetMinutes(zone: string, atMs: number): number {
  const bucket = Math.floor(atMs / BUCKET_MS);
  let byBucket = offsets.get(zone);
  if (!byBucket) {
    byBucket = new Map();
    offsets.set(zone, byBucket);
  }
  const cached = byBucket.get(bucket);
  if (cached !== undefined) return cached;
  const at = bucket * BUCKET_MS;
  const parts: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(at)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute);
  const offset = Math.round((wall - at) / 60_000);
  if (cachedCount >= MAX_CACHED) {
    offsets.clear();
    cachedCount = 0;
    byBucket = new Map();
    offsets.set(zone, byBucket);
  }
  byBucket.set(bucket, offset);
  cachedCount++;
  return offset;
}

/**
 * The wall-clock time of day in `zone` at instant `atMs`, in hours:
 * 0 <= h < 24 (13.5 is half past one in the afternoon).
 */
export function localHourOfDay(zone: string, atMs: number): number {
  const wall = atMs + zoneOffsetMinutes(zone, atMs) * 60_000;
  return (((wall % 86_400_000) + 86_400_000) % 86_400_000) / 3_600_000;
}

/** Hours apart on a 24-hour circle (23 and 1 are 2 apart). */
export function circularHourDistance(a: number, b: number): number {
  const d = Math.abs(a - b) % 24;
  return Math.min(d, 24 - d);
}

/** The local hour 0-23 in `zone` at instant `atMs`. */
export function localHour(zone: string, atMs: number): number {
  return Math.floor(localHourOfDay(zone, atMs));
}

/**
 * The instant at which the wall clock in `zone` reads `wallMs` (a UTC-encoded local time).
 * In a spring-forward gap the result lands just after the gap; in a fall-back overlap, the first occurrence.
 */
export function instantOfWallTime(zone: string, wallMs: number): number {
  const guess = wallMs - zoneOffsetMinutes(zone, wallMs) * 60_000;
  const offset = zoneOffsetMinutes(zone, guess);
  return wallMs - offset * 60_000;
}
