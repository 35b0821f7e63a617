// Writes a Model as LightGBM's v4 text model format, byte for byte as LightGBM's SaveModelToString does.
import {
  END_OF_TREES,
  FEATURE_IMPORTANCES,
  MODEL_TYPE_LINE,
  type NumberStyle,
  PANDAS_CATEGORICAL,
  PARAMETERS_END,
  PARAMETERS_START,
  TREE_ARRAYS,
  TREE_SCALARS,
} from './model-text-keys.ts';
import { formatG, formatG17 } from './number-format.ts';
import type { Model, Tree } from './tree.ts';

function formatNumber(x: number, style: NumberStyle): string {
  switch (style) {
    case 'int':
      return String(x);
    case 'g':
      return formatG(x, 6);
    case 'gain':
      return formatG(Math.fround(x), 6);
    case 'g17':
      return formatG17(x);
  }
}

function join(values: ArrayLike<number>, style: NumberStyle): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i += 1) parts[i] = formatNumber(values[i], style);
  return parts.join(' ');
}

/** One tree's lines as LightGBM's Tree::ToString writes them, ending with an empty line. */
export function treeToText(tree: Tree): string {
  const out: string[] = [`${TREE_SCALARS.numLeaves}=${tree.numLeaves}`, `${TREE_SCALARS.numCat}=${tree.numCat}`];
  for (const spec of TREE_ARRAYS) {
    const isCat = spec.length === 'catBoundaries' || spec.length === 'catThreshold';
    if (isCat && tree.numCat === 0) continue;
    const values = tree[spec.field] as ArrayLike<number>;
    // LightGBM writes the first n entries; training-time arrays may be longer than the tree.
    const n = spec.length === 'internal' ? tree.numLeaves - 1 : spec.length === 'leaf' ? tree.numLeaves : values.length;
    out.push(`${spec.key}=${join(Array.prototype.slice.call(values, 0, Math.max(n, 0)), spec.style)}`);
  }
  out.push(`${TREE_SCALARS.isLinear}=0`);
  out.push(`${TREE_SCALARS.shrinkage}=${formatG(tree.shrinkage, 6)}`);
  return `${out.join('\n')}\n\n`;
}

/** saved_feature_importance_type from the parameter lines: 0 counts splits, 1 sums gains. */
function importanceType(parameters: string[]): number {
  for (const line of parameters) {
    const m = /^\[saved_feature_importance_type: (\d+)\]$/.exec(line);
    if (m) return Number(m[1]);
  }
  return 0;
}

/** The feature_importances lines: features with a positive integer importance, most important first (stable). */
export function featureImportanceLines(model: Model): string[] {
  const type = importanceType(model.parameters);
  const totals = new Float64Array(model.maxFeatureIdx + 1);
  for (const tree of model.trees) {
    for (let node = 0; node < tree.numLeaves - 1; node += 1) {
      const gain = Math.fround(tree.splitGain[node]);
      if (gain > 0) totals[tree.splitFeature[node]] += type === 1 ? gain : 1;
    }
  }
  const pairs: { count: number; name: string }[] = [];
  totals.forEach((total, i) => {
    const count = Math.trunc(total);
    if (count > 0) pairs.push({ count, name: model.featureNames[i] });
  });
  pairs.sort((a, b) => b.count - a.count);
  return pairs.map((p) => `${p.name}=${p.count}`);
}

/** The whole model file as LightGBM writes it. */
export function modelToText(model: Model): string {
  const blocks = model.trees.map((tree, i) => `Tree=${i}\n${treeToText(tree)}\n`);
  const head: string[] = [
    MODEL_TYPE_LINE,
    `version=${model.version ?? 'v4'}`,
    `num_class=${model.numClass}`,
    `num_tree_per_iteration=${model.numTreePerIteration}`,
    `label_index=${model.labelIndex}`,
    `max_feature_idx=${model.maxFeatureIdx}`,
  ];
  if (model.objective !== '') head.push(`objective=${model.objective}`);
  if (model.averageOutput) head.push('average_output');
  head.push(`feature_names=${model.featureNames.join(' ')}`);
  if (model.monotoneConstraints) head.push(`monotone_constraints=${model.monotoneConstraints.join(' ')}`);
  head.push(`feature_infos=${model.featureInfos.join(' ')}`);
  // Tree blocks are ASCII, so their string length is their byte count.
  head.push(`tree_sizes=${blocks.map((b) => b.length).join(' ')}`);
  let text = `${head.join('\n')}\n\n${blocks.join('')}${END_OF_TREES}\n`;
  text += `\n${FEATURE_IMPORTANCES}\n`;
  for (const line of featureImportanceLines(model)) text += `${line}\n`;
  if (model.parameters.length > 0) {
    text += `\n${PARAMETERS_START}\n${model.parameters.join('\n')}\n${PARAMETERS_END}\n`;
  }
  if (model.pandasCategorical !== undefined) text += `\n${PANDAS_CATEGORICAL}${model.pandasCategorical}\n`;
  return text;
}
