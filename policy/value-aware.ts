// Value-aware capping: a window's last slot goes to a candidate only if it beats what the fan can expect still to come.

/** A fan's past candidates on one channel: what they were worth and how often they came. */
export interface FanCandidateStats {
  /** Values (score at the chosen send time × the kind's weight) of the fan's past candidates, in any order. */
  pastValues: readonly number[];
  /** Candidates per hour over the period the values come from. */
  ratePerHour: number;
}

/**
 * The expected value of the best candidate still to come while a slot is held for `remainingMs`.
 *
 * Model: candidates keep arriving as a Poisson process at the fan's past rate, so their number in the rest of
 * the window is N ~ Poisson(λ = rate × hours), and their values are draws from the fan's past values (the
 * empirical distribution F). The best of them is worth 0 when none arrives, so
 *   E[max] = ∫ P(max > x) dx = ∫ 1 − exp(−λ (1 − F(x))) dx,
 * which over the sorted values v₁ ≤ … ≤ vₘ (v₀ = 0) is Σᵢ (vᵢ₊₁ − vᵢ) (1 − exp(−λ (m − i) / m)).
 * It rises with the rate and the time left, and never exceeds the fan's best past value.
 */
export function expectedBestRemaining(stats: FanCandidateStats | null, remainingMs: number): number {
  if (!stats || stats.pastValues.length === 0 || stats.ratePerHour <= 0 || remainingMs <= 0) return 0;
  const values = stats.pastValues.map((v) => Math.max(0, v)).sort((a, b) => a - b);
  const m = values.length;
  const lambda = (stats.ratePerHour * remainingMs) / 3_600_000;
  let expected = 0;
  let previous = 0;
  for (let i = 0; i < m; i++) {
    expected += (values[i] - previous) * (1 - Math.exp((-lambda * (m - i)) / m));
    previous = values[i];
  }
  return expected;
}

/**
 * Stats from the fan's past candidates, each with its decision time and value, over the `lookbackMs` before `now`.
 * Candidates outside the lookback are ignored; the rate counts the ones inside.
 */
export function fanCandidateStats(
  past: ReadonlyArray<{ at: Date; value: number }>,
  now: Date,
  lookbackMs: number,
): FanCandidateStats {
  const from = now.getTime() - lookbackMs;
  const inside = past.filter((p) => p.at.getTime() >= from && p.at.getTime() < now.getTime());
  return { pastValues: inside.map((p) => p.value), ratePerHour: inside.length / (lookbackMs / 3_600_000) };
}
