// Pure helpers of the fan inspector: the "Why" table as words and formatted numbers, time axes that stay readable.

/** Detail keys whose numbers are probabilities (a score, the alert threshold, expected values of a slot). */
const PROBABILITIES = new Set(['score', 'threshold', 'value', 'bestRemaining']);

/** "bestRemaining" reads "best remaining". */
export function words(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase();
}

/** A number as a person reads it: whole numbers with separators, others to 3 significant digits. */
export function readable(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return x.toLocaleString('en');
  return Number(x.toPrecision(3)).toLocaleString('en', { maximumFractionDigits: 6 });
}

function valueText(key: string, v: unknown): string {
  if (v === null || v === undefined) return key === 'policyVersion' ? 'none (the built-in default policy)' : 'none';
  if (typeof v === 'number') return PROBABILITIES.has(key) ? `${(100 * v).toPrecision(3)}%` : readable(v);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v)) return v.length === 0 ? 'none' : v.map((x) => valueText(key, x)).join(', ');
  if (typeof v === 'object')
    return Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${words(k)} ${valueText(k, x)}`)
      .join(', ');
  return String(v);
}

/** The rows of the "Why" table: each detail field in words with its value formatted, never raw JSON. */
export function detailRows(detail: Record<string, unknown>): [string, string][] {
  return Object.entries(detail).map(([k, v]) => [words(k), valueText(k, v)]);
}

/** P from log-odds. */
export const logistic = (logOdds: number) => 1 / (1 + Math.exp(-logOdds));

/**
 * A time axis over `times` (ms) at least `minSpanMs` wide, centred on them when they are closer: one point or
 * points minutes apart get an axis whose ticks differ, never a zero-width one.
 */
export function timeRange(times: readonly number[], minSpanMs: number): { min: number; max: number } {
  if (times.length === 0) throw new Error('timeRange: needs at least one time');
  const lo = Math.min(...times);
  const hi = Math.max(...times);
  const pad = Math.max(0, minSpanMs - (hi - lo)) / 2;
  return { min: lo - pad, max: hi + pad };
}

/** A tick callback that leaves a label out when it reads the same as the tick before it. */
export function distinctTicks(
  format: (v: number) => string,
): (v: number | string, i: number, ticks: { value: number }[]) => string {
  return (v, i, ticks) => {
    const label = format(Number(v));
    return i > 0 && format(ticks[i - 1].value) === label ? '' : label;
  };
}

const STEPS_MIN = [15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080];

/** A tick step for a time axis `spanMs` wide: the smallest round step (15 min to a week) giving at most `ticks`. */
export function timeStep(spanMs: number, ticks = 8): number {
  const step = STEPS_MIN.map((m) => m * 60_000).find((s) => spanMs / s <= ticks);
  return step ?? Math.ceil(spanMs / ticks / 86_400_000) * 86_400_000;
}

/** A time axis over `times`: timeRange widened out to whole steps, so that every tick falls on a round time. */
export function timeAxis(times: readonly number[], minSpanMs: number): { min: number; max: number; step: number } {
  const { min, max } = timeRange(times, minSpanMs);
  const step = timeStep(max - min);
  return { min: Math.floor(min / step) * step, max: Math.ceil(max / step) * step, step };
}
