// The lambdarank objective: pairwise NDCG-weighted gradients per query, with LightGBM's truncation and sigmoid table.
import type { Objective, TrainingLabels } from './objective.ts';

/** DCG position discount 1 / log2(2 + rank). */
export function discount(rank: number): number {
  return 1 / Math.log2(2 + rank);
}

/** Maximum DCG at k of a query's labels, i.e. with documents in label order. */
export function maxDcgAtK(
  k: number,
  labels: ArrayLike<number>,
  start: number,
  count: number,
  labelGain: number[],
): number {
  const sorted = Array.from({ length: count }, (_, i) => labels[start + i]).sort((a, b) => b - a);
  let dcg = 0;
  for (let i = 0; i < Math.min(k, count); i++) dcg += labelGain[sorted[i]] * discount(i);
  return dcg;
}

const SIGMOID_BINS = 1024 * 1024;

export class LambdarankObjective implements Objective {
  readonly modelLine = 'lambdarank';
  private readonly boundaries: Int32Array;
  private readonly inverseMaxDcg: Float64Array;
  private readonly sigmoidTable = new Float64Array(SIGMOID_BINS);
  private readonly minInput: number;
  private readonly maxInput: number;
  private readonly idxFactor: number;
  private readonly sigmoid: number;
  private readonly norm: boolean;
  private readonly truncation: number;
  private readonly labelGain: number[];

  constructor(
    private readonly d: TrainingLabels,
    p: { sigmoid: number; lambdarankNorm: boolean; lambdarankTruncationLevel: number; labelGain: number[] },
  ) {
    if (!d.groups) throw new Error('lambdarank needs query groups: a <data>.query file or group_column');
    this.sigmoid = p.sigmoid;
    this.norm = p.lambdarankNorm;
    this.truncation = p.lambdarankTruncationLevel;
    this.labelGain = p.labelGain;
    d.labels.forEach((y, i) => {
      if (!Number.isInteger(y) || y < 0 || y >= this.labelGain.length) {
        throw new Error(
          `lambdarank needs integer labels in [0, ${this.labelGain.length}) (see label_gain); row ${i + 1} has ${y}`,
        );
      }
    });
    this.boundaries = new Int32Array(d.groups.length + 1);
    d.groups.forEach((size, q) => {
      this.boundaries[q + 1] = this.boundaries[q] + size;
    });
    this.inverseMaxDcg = Float64Array.from(d.groups, (size, q) => {
      const max = maxDcgAtK(this.truncation, d.labels, this.boundaries[q], size, this.labelGain);
      return max > 0 ? 1 / max : max;
    });
    this.minInput = -50 / this.sigmoid / 2;
    this.maxInput = -this.minInput;
    this.idxFactor = SIGMOID_BINS / (this.maxInput - this.minInput);
    for (let i = 0; i < SIGMOID_BINS; i++) {
      const s = i / this.idxFactor + this.minInput;
      this.sigmoidTable[i] = 1 / (1 + Math.exp(s * this.sigmoid));
    }
  }

  boostFromScore(): number {
    return 0;
  }

  private sigmoidOf(score: number): number {
    if (score <= this.minInput) return this.sigmoidTable[0];
    if (score >= this.maxInput) return this.sigmoidTable[SIGMOID_BINS - 1];
    return this.sigmoidTable[Math.trunc((score - this.minInput) * this.idxFactor)];
  }

  gradients(score: Float64Array, grad: Float32Array, hess: Float32Array): void {
    const { labels, weights } = this.d;
    for (let q = 0; q + 1 < this.boundaries.length; q++) {
      const start = this.boundaries[q];
      const cnt = this.boundaries[q + 1] - start;
      this.queryGradients(q, start, cnt, labels, score, grad, hess);
      if (weights) {
        for (let i = start; i < start + cnt; i++) {
          grad[i] *= weights[i];
          hess[i] *= weights[i];
        }
      }
    }
  }

  private queryGradients(
    q: number,
    start: number,
    cnt: number,
    labels: Float32Array,
    score: Float64Array,
    grad: Float32Array,
    hess: Float32Array,
  ): void {
    const inverseMaxDcg = this.inverseMaxDcg[q];
    for (let i = start; i < start + cnt; i++) {
      grad[i] = 0;
      hess[i] = 0;
    }
    const sorted = Array.from({ length: cnt }, (_, i) => i).sort((a, b) => score[start + b] - score[start + a]);
    const bestScore = score[start + sorted[0]];
    let worstIdx = cnt - 1;
    if (worstIdx > 0 && score[start + sorted[worstIdx]] === -Infinity) worstIdx--;
    const worstScore = score[start + sorted[worstIdx]];
    let sumLambdas = 0;
    for (let i = 0; i < cnt - 1 && i < this.truncation; i++) {
      if (score[start + sorted[i]] === -Infinity) continue;
      for (let j = i + 1; j < cnt; j++) {
        if (score[start + sorted[j]] === -Infinity) continue;
        const li = labels[start + sorted[i]];
        const lj = labels[start + sorted[j]];
        if (li === lj) continue;
        const [highRank, lowRank] = li > lj ? [i, j] : [j, i];
        const high = start + sorted[highRank];
        const low = start + sorted[lowRank];
        const deltaScore = score[high] - score[low];
        const dcgGap = this.labelGain[labels[high]] - this.labelGain[labels[low]];
        const pairedDiscount = Math.abs(discount(highRank) - discount(lowRank));
        let deltaNdcg = dcgGap * pairedDiscount * inverseMaxDcg;
        if (this.norm && bestScore !== worstScore) deltaNdcg /= Math.fround(0.01) + Math.abs(deltaScore);
        let pLambda = this.sigmoidOf(deltaScore);
        let pHessian = pLambda * (1 - pLambda);
        pLambda *= -this.sigmoid * deltaNdcg;
        pHessian *= this.sigmoid * this.sigmoid * deltaNdcg;
        grad[low] -= Math.fround(pLambda);
        hess[low] += Math.fround(pHessian);
        grad[high] += Math.fround(pLambda);
        hess[high] += Math.fround(pHessian);
        sumLambdas -= 2 * pLambda;
      }
    }
    if (this.norm && sumLambdas > 0) {
      const factor = Math.log2(1 + sumLambdas) / sumLambdas;
      for (let i = start; i < start + cnt; i++) {
        grad[i] *= factor;
        hess[i] *= factor;
      }
    }
  }
}
