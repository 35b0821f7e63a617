// The objective a model's parameters name: binary, regression or lambdarank.
import { BinaryObjective } from './binary-objective.ts';
import { LambdarankObjective } from './lambdarank.ts';
import type { Objective, TrainingLabels } from './objective.ts';
import type { GbdtParams } from './params.ts';
import { RegressionObjective } from './regression-objective.ts';

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
