// Tests for metrics: AUC against a brute-force pair count (with ties and weights), logloss, l2, and NDCG@k.
import { describe, expect, it } from 'vitest';
import { auc, createMetric, ndcgAt } from './metrics.ts';

function bruteAuc(score: number[], labels: number[], w: number[]): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < score.length; i++) {
    for (let j = 0; j < score.length; j++) {
      if (labels[i] > 0 && labels[j] <= 0) {
        const pw = w[i] * w[j];
        den += pw;
        num += pw * (score[i] > score[j] ? 1 : score[i] === score[j] ? 0.5 : 0);
      }
    }
  }
  return num / den;
}

describe('metrics', () => {
  it('computes weighted AUC with ties counted half', () => {
    const score = [0.1, 0.4, 0.4, 0.8, 0.2, 0.9, 0.4];
    const labels = [0, 1, 0, 1, 0, 0, 1];
    const w = [1, 2, 1, 0.5, 3, 1, 1];
    expect(auc(score, labels, w)).toBeCloseTo(bruteAuc(score, labels, w), 12);
    expect(auc(score, labels)).toBeCloseTo(
      bruteAuc(
        score,
        labels,
        w.map(() => 1),
      ),
      12,
    );
  });

  it('computes binary logloss from raw scores and l2 from predictions', () => {
    const d = { labels: [1, 0] };
    const ll = createMetric('binary_logloss', d, { evalAt: [], labelGain: [] }).evaluate(Float64Array.from([0, 0]));
    expect(ll[0]).toBeCloseTo(Math.log(2), 12);
    const l2 = createMetric('l2', d, { evalAt: [], labelGain: [] }).evaluate(Float64Array.from([2, 1]));
    expect(l2[0]).toBeCloseTo(1, 12);
  });

  it('computes NDCG@k per query and averages; a query with no relevant documents counts 1', () => {
    const gain = [0, 1, 3, 7];
    const labels = [2, 0, 1, 0, 0];
    const score = [0.1, 0.9, 0.5, 0.3, 0.2];
    const [at1, at3] = ndcgAt([1, 3], score, labels, Int32Array.from([3, 2]), gain);
    const ideal3 = 3 + 1 / Math.log2(3);
    const got3 = 0 + 1 / Math.log2(3) + 3 / Math.log2(4);
    expect(at1).toBeCloseTo((0 + 1) / 2, 12);
    expect(at3).toBeCloseTo((got3 / ideal3 + 1) / 2, 12);
  });
});
