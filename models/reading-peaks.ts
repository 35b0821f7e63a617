// Where in the day a fan reads: a posterior over pairs of daily reading peaks, from the local times of the fan's
// opens and the digest hour they chose. Pure; models/features.ts turns it into `fan_peak_proximity`.
//
// The model of a fan's day: two habitual reading hours at least MIN_SEPARATION_HOURS apart; most opens fall
// near one of them (a Gaussian of WIDTH_HOURS around the middle of the hour), the rest (STRAY_SHARE) anywhere.
// With a uniform prior over the pairs, the posterior after the opens seen so far says how close a candidate send
// hour is likely to be to a reading peak, with few opens as well as many: a handful of opens already rule out
// most pairs, and a fan with none gets the prior's answer.
import { circularHourDistance } from '../domain/clock.ts';

/** Standard deviation (hours) of opens around a reading peak. */
export const WIDTH_HOURS = 1.5;
/** Share of opens that fall anywhere in the day rather than near a peak. */
export const STRAY_SHARE = 0.15;
/** The two peaks of a fan are at least this many hours apart. */
export const MIN_SEPARATION_HOURS = 4;
/** The digest hour a fan chose counts as this many opens at the middle of that hour. */
export const DIGEST_HOUR_WEIGHT = 2;
/** Opens are binned by quarter hour of the local day. */
export const QUARTERS_PER_DAY = 96;

/** The candidate pairs of peak hours (a < b), in a fixed order. */
export const PEAK_PAIRS: readonly (readonly [number, number])[] = (() => {
  const pairs: [number, number][] = [];
  for (let a = 0; a < 24; a++)
    for (let b = a + 1; b < 24; b++) if (circularHourDistance(a, b) >= MIN_SEPARATION_HOURS) pairs.push([a, b]);
  return pairs;
})();

const proximityAt = (hour: number, peak: number): number => {
  const d = circularHourDistance(hour, peak);
  return Math.exp(-(d * d) / (2 * WIDTH_HOURS * WIDTH_HOURS));
};

/** PROXIMITY[k * 24 + h]: how close hour h is to the nearer peak of pair k (1 at a peak). */
const PROXIMITY = Float64Array.from({ length: PEAK_PAIRS.length * 24 }, (_, i) => {
  const [a, b] = PEAK_PAIRS[Math.floor(i / 24)];
  const h = i % 24;
  return Math.max(proximityAt(h, a), proximityAt(h, b));
});

/** LOG_DENSITY[k * 96 + q]: log density of an open at quarter q (its middle) for a fan with peak pair k. */
const LOG_DENSITY = Float64Array.from({ length: PEAK_PAIRS.length * QUARTERS_PER_DAY }, (_, i) => {
  const [a, b] = PEAK_PAIRS[Math.floor(i / QUARTERS_PER_DAY)];
  const t = ((i % QUARTERS_PER_DAY) + 0.5) / 4;
  const near = (peak: number) => {
    const d = circularHourDistance(t, peak + 0.5);
    return Math.exp(-(d * d) / (2 * WIDTH_HOURS * WIDTH_HOURS)) / (WIDTH_HOURS * Math.sqrt(2 * Math.PI));
  };
  return Math.log(STRAY_SHARE / 24 + (1 - STRAY_SHARE) * 0.5 * (near(a) + near(b)));
});

/** Quarter hour 0-95 of a local hour of day in [0, 24). */
export function quarterOfDay(hourOfDay: number): number {
  return Math.min(QUARTERS_PER_DAY - 1, Math.max(0, Math.floor(hourOfDay * 4)));
}

/**
 * Posterior weights over PEAK_PAIRS (summing to 1) given open counts by local quarter hour and the digest hour.
 * Computed from the counts alone, so the same opens give bit-identical weights in whatever order they were seen.
 */
export function peakPosterior(
  openQuarters: ArrayLike<number>,
  digestHour: number | null,
  out = new Float64Array(PEAK_PAIRS.length),
): Float64Array {
  const used: number[] = [];
  for (let q = 0; q < QUARTERS_PER_DAY; q++) if (openQuarters[q] > 0) used.push(q);
  const digestQuarter = digestHour === null ? -1 : digestHour * 4 + 2;
  let max = -Infinity;
  for (let k = 0; k < PEAK_PAIRS.length; k++) {
    const base = k * QUARTERS_PER_DAY;
    let ll = 0;
    for (const q of used) ll += openQuarters[q] * LOG_DENSITY[base + q];
    if (digestQuarter >= 0) ll += DIGEST_HOUR_WEIGHT * LOG_DENSITY[base + digestQuarter];
    out[k] = ll;
    if (ll > max) max = ll;
  }
  return normalizeLogWeights(out, max);
}

/** Log-likelihoods per pair, `max` their largest, turned in place into weights summing to 1. */
function normalizeLogWeights(out: Float64Array, max: number): Float64Array {
  let total = 0;
  for (let k = 0; k < PEAK_PAIRS.length; k++) total += out[k] = Math.exp(out[k] - max);
  for (let k = 0; k < PEAK_PAIRS.length; k++) out[k] /= total;
  return out;
}

/** Expected closeness (0-1) of local hour `hour` (0-23) to the fan's nearer reading peak, under the posterior. */
export function expectedPeakProximity(posterior: ArrayLike<number>, hour: number): number {
  let e = 0;
  for (let k = 0; k < PEAK_PAIRS.length; k++) e += posterior[k] * PROXIMITY[k * 24 + hour];
  return e;
}

/**
 * How much a send at a peak hour is likelier to be opened than one at an average hour, as a logit: the default
 * world's hour effect, a fixed assumption (not fitted per audience), only weighing send outcomes against open times.
 */
export const SEND_HOUR_EFFECT = 1;
/** Whole-hour distance (0-12) from hour h to the nearer peak of pair k, at DISTANCE[k * 24 + h]. */
const DISTANCE = Uint8Array.from({ length: PEAK_PAIRS.length * 24 }, (_, i) => {
  const [a, b] = PEAK_PAIRS[Math.floor(i / 24)];
  const h = i % 24;
  return Math.min(circularHourDistance(h, a), circularHourDistance(h, b));
});
const MEAN_PROXIMITY = PROXIMITY.reduce((x, y) => x + y, 0) / PROXIMITY.length;

/**
 * The posterior of `peakPosterior` that also reads each send's outcome: a send at local hour h opened (or not) is
 * evidence for the pairs under which h is near a peak (or far from one), with P(open) = sigmoid(logit(rate) +
 * SEND_HOUR_EFFECT · (2 · proximity − 1)) around the fan's own rate. `hourSends` and `hourOpens` count sends by the
 * local hour they went out, and those of them opened.
 */
export function peakPosteriorWithSends(
  openQuarters: ArrayLike<number>,
  digestHour: number | null,
  hourSends: ArrayLike<number>,
  hourOpens: ArrayLike<number>,
  rate: number,
  out = new Float64Array(PEAK_PAIRS.length),
): Float64Array {
  const base = Math.log(rate / (1 - rate)) - SEND_HOUR_EFFECT * (2 * MEAN_PROXIMITY - 1);
  const logOpen = new Float64Array(13);
  const logMiss = new Float64Array(13);
  for (let d = 0; d <= 12; d++) {
    const proximity = Math.exp(-(d * d) / (2 * WIDTH_HOURS * WIDTH_HOURS));
    const z = base + SEND_HOUR_EFFECT * (2 * proximity - 1);
    logOpen[d] = -Math.log1p(Math.exp(-z));
    logMiss[d] = -Math.log1p(Math.exp(z));
  }
  peakPosterior(openQuarters, digestHour, out);
  let max = -Infinity;
  for (let k = 0; k < PEAK_PAIRS.length; k++) {
    let ll = Math.log(out[k]);
    for (let h = 0; h < 24; h++) {
      const sends = hourSends[h];
      if (sends <= 0) continue;
      const d = DISTANCE[k * 24 + h];
      ll += hourOpens[h] * logOpen[d] + (sends - hourOpens[h]) * logMiss[d];
    }
    out[k] = ll;
    if (ll > max) max = ll;
  }
  return normalizeLogWeights(out, max);
}
