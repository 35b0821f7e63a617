// The training objective's narrow interface: gradients(score, grad, hess), the starting score and the model-file name.

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
