// The binary log-loss objective, as LightGBM's BinaryLogloss: sigmoid-scaled gradients and a log-odds starting score.
import type { Objective, TrainingLabels } from './objective.ts';
import { K_EPSILON } from './split.ts';

export class BinaryObjective implements Objective {
  readonly modelLine: string;

  constructor(
    private readonly d: TrainingLabels,
    private readonly sigmoid: number,
  ) {
    this.modelLine = `binary sigmoid:${formatShort(sigmoid)}`;
    d.labels.forEach((y, i) => {
      if (y !== 0 && y !== 1) throw new Error(`binary objective needs labels 0 or 1; row ${i + 1} has ${y}`);
    });
  }

  boostFromScore(): number {
    const { labels, weights } = this.d;
    let sumPos = 0;
    let sumW = 0;
    if (weights) {
      for (let i = 0; i < labels.length; i++) {
        if (labels[i] > 0) sumPos += weights[i];
        sumW += weights[i];
      }
    } else {
      sumW = labels.length;
      for (let i = 0; i < labels.length; i++) if (labels[i] > 0) sumPos += 1;
    }
    const p = Math.max(Math.min(sumPos / sumW, 1 - K_EPSILON), K_EPSILON);
    return Math.log(p / (1 - p)) / this.sigmoid;
  }

  gradients(score: Float64Array, grad: Float32Array, hess: Float32Array): void {
    const { labels, weights } = this.d;
    const s = this.sigmoid;
    for (let i = 0; i < labels.length; i++) {
      const y = labels[i] > 0 ? 1 : -1;
      const response = (-y * s) / (1 + Math.exp(y * s * score[i]));
      const abs = Math.abs(response);
      const w = weights ? weights[i] : 1;
      grad[i] = response * w;
      hess[i] = abs * (s - abs) * w;
    }
  }
}

/** A double as a C++ stream prints it by default (6 significant digits), for the objective line. */
function formatShort(v: number): string {
  return String(Number(v.toPrecision(6)));
}
