// Parses and formats the cap policy's durations ("30m", "12h", "7d", "1h30m") as milliseconds.

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d{1,6})([smhd])/y;

/** Milliseconds for a positive duration made of number-unit parts (s, m, h, d), or null when it is not one. */
export function parseDuration(text: unknown): number | null {
  if (typeof text !== 'string' || text === '') return null;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const m = PART.exec(text);
    if (!m) return null;
    total += Number(m[1]) * UNIT_MS[m[2]];
  }
  return total > 0 ? total : null;
}

/** The inverse of parseDuration for whole seconds: largest units first, e.g. 5_400_000 → "1h30m". */
export function formatDuration(ms: number): string {
  if (!Number.isInteger(ms) || ms <= 0 || ms % 1_000 !== 0)
    throw new Error(`formatDuration: ${ms} must be a positive whole number of seconds in milliseconds`);
  let rest = ms;
  let out = '';
  for (const unit of ['d', 'h', 'm', 's']) {
    const n = Math.floor(rest / UNIT_MS[unit]);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * UNIT_MS[unit];
  }
  return out;
}

/** Policies name a handful of durations that caps ask for per candidate time: each is parsed once. */
const parsed = new Map<string, number>();

/** Like parseDuration, for durations already validated: a bad one here is a programming error. */
export function durationMs(text: string): number {
  const cached = parsed.get(text);
  if (cached !== undefined) return cached;
  const ms = parseDuration(text);
  if (ms === null)
    throw new Error(`durationMs: "${text}" must be a duration such as "24h" (validate the policy first)`);
  if (parsed.size < 1000) parsed.set(text, ms);
  return ms;
}
