// Turns raw scores into outputs as the model's objective line says (LightGBM's ObjectiveFunction::ConvertOutput).

/** Converts the k raw scores of one row, at values[offset .. offset+k), in place. */
export type OutputTransform = (values: Float64Array, offset: number) => void;

const identity: OutputTransform = () => {};

function option(words: string[], name: string): string | undefined {
  const prefix = `${name}:`;
  return words.find((w) => w.startsWith(prefix))?.slice(prefix.length);
}

/**
 * The transform for an objective line such as "binary sigmoid:1", "multiclass num_class:3" or "regression sqrt".
 * Objectives without a transform (regression, lambdarank, rank_xendcg, quantile, ...) return raw scores unchanged.
 */
export function outputTransform(objectiveLine: string, numTreePerIteration: number): OutputTransform {
  const words = objectiveLine.trim().split(/\s+/);
  const name = words[0] ?? '';
  const k = numTreePerIteration;
  switch (name) {
    case 'binary': {
      const sigmoid = Number(option(words, 'sigmoid') ?? '1');
      return (v, o) => {
        v[o] = 1 / (1 + Math.exp(-sigmoid * v[o]));
      };
    }
    case 'multiclass':
    case 'softmax':
      return (v, o) => {
        let max = v[o];
        for (let i = 1; i < k; i += 1) max = Math.max(max, v[o + i]);
        let sum = 0;
        for (let i = 0; i < k; i += 1) {
          v[o + i] = Math.exp(v[o + i] - max);
          sum += v[o + i];
        }
        for (let i = 0; i < k; i += 1) v[o + i] /= sum;
      };
    case 'multiclassova':
    case 'multiclass_ova':
    case 'ova':
    case 'ovr': {
      const sigmoid = Number(option(words, 'sigmoid') ?? '1');
      return (v, o) => {
        for (let i = 0; i < k; i += 1) v[o + i] = 1 / (1 + Math.exp(-sigmoid * v[o + i]));
      };
    }
    case 'cross_entropy':
    case 'xentropy':
      return (v, o) => {
        v[o] = 1 / (1 + Math.exp(-v[o]));
      };
    case 'cross_entropy_lambda':
    case 'xentlambda':
      return (v, o) => {
        v[o] = Math.log1p(Math.exp(v[o]));
      };
    case 'poisson':
    case 'gamma':
    case 'tweedie':
      return (v, o) => {
        v[o] = Math.exp(v[o]);
      };
    default:
      // The L2 family writes " sqrt" when trained on sqrt-transformed labels.
      if (words.includes('sqrt')) {
        return (v, o) => {
          v[o] = Math.sign(v[o]) * v[o] * v[o];
        };
      }
      return identity;
  }
}
