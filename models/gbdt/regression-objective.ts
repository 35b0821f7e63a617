// The L2 regression objective, as LightGBM's RegressionL2loss: residual gradients, the weighted mean as starting score.
import type { Objective, TrainingLabels } from './objective.ts';

export class RegressionObjective implements Objective {
  readonly modelLine = 'regression';

  constructor(private readonly d: TrainingLabels) {}

  boostFromScore(): number {
    const { labels, weights } = this.d;
    let sum = 0;
    let sumW = 0;
    for (let i = 0; i < labels.length; i++) {
      const w = weights ? weights[i] : 1;
      sum += labels[i] * w;
      sumW += w;
    }
    return sum / sumW;
  }

  gradients(score: Float64Array, grad: Float32Array, hess: Float32Array): void {
    const { labels, weights } = this.d;
    for (let i = 0; i < labels.length; i++) {
      const w = weights ? weights[i] : 1;
      grad[i] = (score[i] - labels[i]) * w;
      hess[i] = w;
    }
  }
}
