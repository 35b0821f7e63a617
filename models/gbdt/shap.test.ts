// Tests TreeSHAP against LightGBM's predict_contrib output and checks each row's contributions sum to its raw score.
import { describe, expect, it } from 'vitest';
import { parseModel } from './model-text-parse.ts';
import { predictReference } from './predict.ts';
import { shapExplainer } from './shap.ts';
import { GOLDEN_CASES, loadGolden } from './testdata/cases.ts';

describe('TreeSHAP', () => {
  it.each(GOLDEN_CASES.map((c) => c.name))(
    '%s: matches LightGBM predict_contrib to 1e-9 and sums to the raw score',
    (name) => {
      const g = loadGolden(name);
      const model = parseModel(g.modelText, name);
      const explainer = shapExplainer(model);
      const rows = g.rows.subarray(0, g.contrib.length * g.numFeatures);
      const contrib = explainer.explain(rows);
      const raw = predictReference(model, rows, { raw: true });
      const k = model.numTreePerIteration;
      const nf = g.numFeatures;
      expect(explainer.width).toBe(k * (nf + 1));
      for (let r = 0; r < g.contrib.length; r += 1) {
        expect(g.contrib[r].length).toBe(explainer.width);
        for (let j = 0; j < explainer.width; j += 1) {
          expect(Math.abs(contrib[r * explainer.width + j] - g.contrib[r][j])).toBeLessThanOrEqual(1e-9);
        }
        for (let c = 0; c < k; c += 1) {
          let sum = 0;
          for (let j = 0; j <= nf; j += 1) sum += contrib[r * explainer.width + c * (nf + 1) + j];
          expect(Math.abs(sum - raw[r * k + c])).toBeLessThanOrEqual(1e-9);
        }
      }
    },
  );
});
