// Training objectives behind one narrow interface: gradients(score, grad, hess), plus the starting score and the model-file name.
import type { GbdtParams } from './params.ts';
import { LambdarankObjective } from './lambdarank.ts';
import { K_EPSILON } from './split.ts';

export interface Objective {
  /** The model file's `objective=` value, e.g. "binary sigmoid:1". */
  readonly modelLine: string;
  /** Score to start from when boost_from_average is on (0 when the objective has none). */
  boostFromScore(): number;
  /** First and second derivatives of the loss at each row's raw score, as 32-bit floats like LightGBM's. */
  gradients(score: Float64Array, grad: Float32Array, hess: Float32Array): void;
}

/** What an objective needs from the training data. Weights are single precision, as LightGBM stores them. */
export interface TrainingLabels {
  labels: Float32Array;
  weights?: Float32Array;
  groups?: Int32Array;
}

export class BinaryObjective implements Objective {
  readonly modelLine: string;

  constructor(private readonly d: TrainingLabels, private readonly sigmoid: number) {
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

/** A double as a C++ stream prints it by default (6 significant digits), for the objective line. */
function formatShort(v: number): string {
  return String(Number(v.toPrecision(6)));
}

export function createObjective(params: GbdtParams, d: TrainingLabels): Objective {
  switch (params.objective) {
    case 'binary':
      return new BinaryObjective(d, params.sigmoid);
    case 'regression':
      return new RegressionObjective(d);
    case 'lambdarank':
      return new LambdarankObjective(d, params);
  }
}
