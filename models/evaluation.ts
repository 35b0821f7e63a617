// Holdout evaluation of probabilities: AUC, logloss, calibration error and its reliability table, lift by decile.
import type { DecileLift, HoldoutMetrics, ReliabilityBin } from '../domain/model-registry.ts';
import { auc } from './gbdt/metrics.ts';

/** Bins of width 0.05: open probabilities sit mostly below 0.4, so coarser bins would hide miscalibration there. */
export const RELIABILITY_BIN_WIDTH = 0.05;
const EPSILON = 1e-15;

export function logloss(probs: ArrayLike<number>, labels: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(1 - EPSILON, Math.max(EPSILON, probs[i]));
    sum -= labels[i] > 0 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / labels.length;
}

export function reliability(
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
  width = RELIABILITY_BIN_WIDTH,
): { ece: number; bins: ReliabilityBin[] } {
  const n = Math.round(1 / width);
  const count = new Float64Array(n);
  const predicted = new Float64Array(n);
  const observed = new Float64Array(n);
  for (let i = 0; i < labels.length; i++) {
    const b = Math.min(n - 1, Math.floor(probs[i] / width));
    count[b]++;
    predicted[b] += probs[i];
    observed[b] += labels[i] > 0 ? 1 : 0;
  }
  const bins: ReliabilityBin[] = [];
  let ece = 0;
  for (let b = 0; b < n; b++) {
    if (count[b] === 0) continue;
    const meanPredicted = predicted[b] / count[b];
    const observedRate = observed[b] / count[b];
    ece += (count[b] / labels.length) * Math.abs(meanPredicted - observedRate);
    bins.push({ from: b * width, to: (b + 1) * width, count: count[b], meanPredicted, observedRate });
  }
  return { ece, bins };
}

export function liftByDecile(probs: ArrayLike<number>, labels: ArrayLike<number>): DecileLift[] {
  const n = labels.length;
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => probs[b] - probs[a]);
  let positives = 0;
  for (let i = 0; i < n; i++) positives += labels[i] > 0 ? 1 : 0;
  const base = positives / n;
  const out: DecileLift[] = [];
  for (let d = 0; d < 10; d++) {
    const from = Math.floor((d * n) / 10);
    const to = Math.floor(((d + 1) * n) / 10);
    let p = 0;
    let y = 0;
    for (let k = from; k < to; k++) {
      p += probs[order[k]];
      y += labels[order[k]] > 0 ? 1 : 0;
    }
    const count = to - from;
    const observedRate = count > 0 ? y / count : 0;
    out.push({
      decile: d + 1,
      count,
      meanPredicted: count > 0 ? p / count : 0,
      observedRate,
      lift: base > 0 ? observedRate / base : 0,
    });
  }
  return out;
}

/** All holdout metrics of probabilities `probs` against 0/1 `labels`. */
export function evaluateProbabilities(probs: ArrayLike<number>, labels: ArrayLike<number>): HoldoutMetrics {
  if (probs.length !== labels.length)
    throw new RangeError(`probs: length ${probs.length} must equal labels' ${labels.length}`);
  if (labels.length === 0) throw new RangeError('labels: the holdout is empty');
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i] > 0 ? 1 : 0;
  const { ece, bins } = reliability(probs, labels);
  return {
    rows: labels.length,
    positives,
    baseRate: positives / labels.length,
    auc: auc(probs, labels),
    logloss: logloss(probs, labels),
    ece,
    reliability: bins,
    liftByDecile: liftByDecile(probs, labels),
  };
}
