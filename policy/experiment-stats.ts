// The statistics of an experiment's results: per arm and metric, the mean per fan and its difference to the control,
// with 95% confidence intervals by the delta method over fan-level counts (docs/EXPERIMENTS.md).
import { type FanResult, RESULT_METRICS, type ResultMetric } from '../domain/experiment.ts';

/** The normal quantile of a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

/** A mean over fans and the variance of that mean (s² / n). */
export interface MeanEstimate {
  fans: number;
  mean: number;
  /** Variance of the mean; NaN with fewer than two fans. */
  varianceOfMean: number;
}

export function meanEstimate(values: readonly number[]): MeanEstimate {
  const n = values.length;
  if (n === 0) return { fans: 0, mean: Number.NaN, varianceOfMean: Number.NaN };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n < 2) return { fans: n, mean, varianceOfMean: Number.NaN };
  const ss = values.reduce((s, v) => s + (v - mean) ** 2, 0);
  return { fans: n, mean, varianceOfMean: ss / (n - 1) / n };
}

/** An estimate with its 95% interval; the bounds are null when they cannot be computed (too few fans, control 0). */
export interface Interval {
  estimate: number | null;
  low: number | null;
  high: number | null;
}

const interval = (estimate: number, variance: number): Interval =>
  Number.isFinite(estimate) && Number.isFinite(variance)
    ? { estimate, low: estimate - Z95 * Math.sqrt(variance), high: estimate + Z95 * Math.sqrt(variance) }
    : { estimate: Number.isFinite(estimate) ? estimate : null, low: null, high: null };

/** Difference of two independent means, variant minus control: the variances of the means add (Welch). */
export function difference(variant: MeanEstimate, control: MeanEstimate): Interval {
  return interval(variant.mean - control.mean, variant.varianceOfMean + control.varianceOfMean);
}

/**
 * Relative difference, variant / control − 1, by the delta method: for r = b / a,
 * Var(r) ≈ Var(b) / a² + b² Var(a) / a⁴ (the arms are independent, so no covariance term).
 */
export function relativeDifference(variant: MeanEstimate, control: MeanEstimate): Interval {
  const a = control.mean;
  const b = variant.mean;
  if (!(a > 0)) return { estimate: null, low: null, high: null };
  return interval(b / a - 1, variant.varianceOfMean / a ** 2 + (b ** 2 * control.varianceOfMean) / a ** 4);
}

export interface MetricComparison {
  mean: number | null;
  /** Against the control; null for the control itself. */
  difference: Interval | null;
  relative: Interval | null;
}

export interface ArmComparison {
  arm: string;
  fans: number;
  metrics: Record<ResultMetric, MetricComparison>;
}

/**
 * Every arm's means per fan and differences to `control`, the arms in the order given (arms with no fans yet still
 * appear, with no numbers).
 */
export function compareArms(rows: readonly FanResult[], arms: readonly string[], control: string): ArmComparison[] {
  const estimates = new Map<string, Record<ResultMetric, MeanEstimate>>();
  for (const arm of arms) {
    const mine = rows.filter((r) => r.arm === arm);
    estimates.set(
      arm,
      Object.fromEntries(RESULT_METRICS.map((m) => [m, meanEstimate(mine.map((r) => r[m]))])) as Record<
        ResultMetric,
        MeanEstimate
      >,
    );
  }
  const base = estimates.get(control);
  if (!base) throw new RangeError(`control: "${control}" is not one of the arms`);
  return arms.map((arm) => {
    const own = estimates.get(arm)!;
    const metrics = Object.fromEntries(
      RESULT_METRICS.map((m): [ResultMetric, MetricComparison] => [
        m,
        {
          mean: Number.isFinite(own[m].mean) ? own[m].mean : null,
          difference: arm === control ? null : difference(own[m], base[m]),
          relative: arm === control ? null : relativeDifference(own[m], base[m]),
        },
      ]),
    ) as Record<ResultMetric, MetricComparison>;
    return { arm, fans: own.alerts.fans, metrics };
  });
}
