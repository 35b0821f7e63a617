// Evaluation metrics over raw scores as LightGBM computes them: auc, binary_logloss/error, l2, rmse, l1, ndcg@k.
import { discount, maxDcgAtK } from './lambdarank.ts';
import type { MetricName } from './params.ts';
import { K_EPSILON } from './split.ts';

export interface EvalData {
  labels: ArrayLike<number>;
  weights?: ArrayLike<number>;
  groups?: Int32Array;
}

export interface Metric {
  /** One name per value, e.g. ["ndcg@1", "ndcg@3"]. */
  names: string[];
  biggerIsBetter: boolean;
  evaluate(score: Float64Array): number[];
}

function sumWeights(d: EvalData): number {
  if (!d.weights) return d.labels.length;
  let s = 0;
  for (let i = 0; i < d.labels.length; i++) s += d.weights[i];
  return s;
}

/** Weighted area under the ROC curve; tied scores count half, as in LightGBM. */
export function auc(score: ArrayLike<number>, labels: ArrayLike<number>, weights?: ArrayLike<number>): number {
  const n = labels.length;
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => score[b] - score[a]);
  let curPos = 0;
  let curNeg = 0;
  let sumPos = 0;
  let accum = 0;
  let total = 0;
  let threshold = n > 0 ? score[order[0]] : 0;
  for (let k = 0; k < n; k++) {
    const i = order[k];
    if (score[i] !== threshold) {
      threshold = score[i];
      accum += curNeg * (curPos * 0.5 + sumPos);
      sumPos += curPos;
      curNeg = curPos = 0;
    }
    const w = weights ? weights[i] : 1;
    total += w;
    if (labels[i] > 0) curPos += w;
    else curNeg += w;
  }
  accum += curNeg * (curPos * 0.5 + sumPos);
  sumPos += curPos;
  return sumPos > 0 && sumPos !== total ? accum / (sumPos * (total - sumPos)) : 1;
}

function pointwise(
  d: EvalData,
  name: string,
  loss: (score: number, label: number) => number,
  finish = (x: number) => x,
): Metric {
  const total = sumWeights(d);
  return {
    names: [name],
    biggerIsBetter: false,
    evaluate(score) {
      let s = 0;
      for (let i = 0; i < d.labels.length; i++) s += loss(score[i], d.labels[i]) * (d.weights ? d.weights[i] : 1);
      return [finish(s / total)];
    },
  };
}

function logloss(score: number, label: number): number {
  const p = 1 / (1 + Math.exp(-score));
  return label > 0 ? -Math.log(Math.max(p, K_EPSILON)) : -Math.log(Math.max(1 - p, K_EPSILON));
}

/** Mean NDCG at each k over queries; a query whose ideal DCG is 0 scores 1. */
export function ndcgAt(
  ks: number[],
  score: ArrayLike<number>,
  labels: ArrayLike<number>,
  groups: Int32Array,
  labelGain: number[],
): number[] {
  const sums = new Float64Array(ks.length);
  let start = 0;
  for (const size of groups) {
    const maxDcg = ks.map((k) => maxDcgAtK(k, labels, start, size, labelGain));
    if (maxDcg[0] <= 0) {
      for (let j = 0; j < ks.length; j++) sums[j] += 1;
    } else {
      const order = Array.from({ length: size }, (_, i) => start + i).sort((a, b) => score[b] - score[a]);
      let dcg = 0;
      let at = 0;
      const sortedKs = ks.map((k, j) => [k, j] as const).sort((a, b) => a[0] - b[0]);
      for (const [k, j] of sortedKs) {
        for (; at < Math.min(k, size); at++) dcg += labelGain[labels[order[at]]] * discount(at);
        sums[j] += maxDcg[j] > 0 ? dcg / maxDcg[j] : 1;
      }
    }
    start += size;
  }
  return Array.from(sums, (s) => s / groups.length);
}

export function createMetric(name: MetricName, d: EvalData, opts: { evalAt: number[]; labelGain: number[] }): Metric {
  switch (name) {
    case 'auc':
      return { names: ['auc'], biggerIsBetter: true, evaluate: (s) => [auc(s, d.labels, d.weights)] };
    case 'binary_logloss':
      return pointwise(d, 'binary_logloss', logloss);
    case 'binary_error':
      return pointwise(d, 'binary_error', (s, y) => ((s > 0 ? 1 : 0) === (y > 0 ? 1 : 0) ? 0 : 1));
    case 'l2':
      return pointwise(d, 'l2', (s, y) => (s - y) ** 2);
    case 'rmse':
      return pointwise(d, 'rmse', (s, y) => (s - y) ** 2, Math.sqrt);
    case 'l1':
      return pointwise(d, 'l1', (s, y) => Math.abs(s - y));
    case 'ndcg': {
      if (!d.groups) throw new Error('metric ndcg needs query groups: a <data>.query file or group_column');
      const groups = d.groups;
      return {
        names: opts.evalAt.map((k) => `ndcg@${k}`),
        biggerIsBetter: true,
        evaluate: (s) => ndcgAt(opts.evalAt, s, d.labels, groups, opts.labelGain),
      };
    }
  }
}
