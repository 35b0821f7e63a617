// A relevance model ready to serve: parsed and compiled once, checked against today's features, SHAP on demand.

import type { Contribution } from '../domain/decision.ts';
import { FEATURE_NAMES, NUM_FEATURES } from './features.ts';
import { compileModel } from './gbdt/compile.ts';
import { parseModel } from './gbdt/model-text-parse.ts';
import { type ShapExplainer, shapExplainer } from './gbdt/shap.ts';
import type { Model } from './gbdt/tree.ts';

export interface RelevanceModel {
  version: number;
  /** P(open within 24 h) for each NUM_FEATURES-wide row. */
  predict(rows: Float64Array): Float64Array;
  /** The k features that moved row `row`'s log-odds most, largest first (TreeSHAP). */
  topContributions(rows: Float64Array, row: number, k: number): Contribution[];
  /** The base value every row's contributions start from: the model's expected log-odds (TreeSHAP's bias term). */
  baseLogOdds(): number;
}

/** A stored model's TreeSHAP, over rows in the model's own feature order. */
export interface ModelExplainer {
  /** The k features that moved row `row`'s log-odds most, largest first, named as the model names them. */
  topContributions(rows: Float64Array, row: number, k: number): Contribution[];
  /** The base value every row's contributions start from: the model's expected log-odds (TreeSHAP's bias term). */
  baseLogOdds(): number;
}

/** TreeSHAP for a parsed model, prepared on first use; the one path decisions are explained by, then or later. */
function modelExplainer(model: Model): ModelExplainer {
  const names = model.featureNames;
  const width = names.length;
  let explainer: ShapExplainer | undefined;
  const phi = new Float64Array(width + 1);
  let base: number | undefined;
  return {
    baseLogOdds() {
      if (base === undefined) {
        explainer ??= shapExplainer(model);
        // The bias term is the same for every row: explain an all-missing one.
        const bias = new Float64Array(width + 1);
        explainer.addRow(new Float64Array(width).fill(Number.NaN), 0, bias, 0);
        base = bias[width];
      }
      return base;
    },
    topContributions(rows, row, k) {
      explainer ??= shapExplainer(model);
      phi.fill(0);
      explainer.addRow(rows, row * width, phi, 0);
      const order = Array.from({ length: width }, (_, f) => f).sort((a, b) => Math.abs(phi[b]) - Math.abs(phi[a]));
      return order.slice(0, k).map((f) => {
        const value = rows[row * width + f];
        return { feature: names[f], value: Number.isNaN(value) ? null : value, contribution: phi[f] };
      });
    },
  };
}

/**
 * A stored model's explainer, whatever features this code computes now: a decision's stored row is in its model's
 * feature order, so it stays explainable after the feature definitions change.
 */
export function loadModelExplainer(version: number, text: string): ModelExplainer {
  return modelExplainer(parseModel(text, `model ${version}`));
}

/** Parses and compiles model text; a model trained on other features is refused, never served. */
export function loadRelevanceModel(version: number, text: string): RelevanceModel | { incompatible: string } {
  const model = parseModel(text, `model ${version}`);
  const names = model.featureNames;
  if (names.length !== NUM_FEATURES || names.some((n, i) => n !== FEATURE_NAMES[i])) {
    return {
      incompatible:
        `model ${version} reads features [${names.join(', ')}], ` +
        `not the ${NUM_FEATURES} features this code computes`,
    };
  }
  const compiled = compileModel(model);
  const explainer = modelExplainer(model);
  return {
    version,
    predict: (rows) => compiled.predict(rows),
    baseLogOdds: () => explainer.baseLogOdds(),
    topContributions: (rows, row, k) => explainer.topContributions(rows, row, k),
  };
}
