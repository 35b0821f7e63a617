// The table of LightGBM v4 model-text keys: for each tree line, its Tree field, its length and how LightGBM prints it.
import type { Tree } from './tree.ts';

/**
 * How LightGBM prints a value (tree.cpp, Tree::ToString):
 * - int:  integers ("{}")
 * - g:    "{:g}" on a double, six significant digits
 * - gain: "{:g}" on a float (split_gain_ is a float vector, so the value is rounded to float first)
 * - g17:  "{:.17g}", round-trip precision
 */
export type NumberStyle = 'int' | 'g' | 'gain' | 'g17';

/** Which count an array's length follows. */
export type ArrayLength = 'internal' | 'leaf' | 'catBoundaries' | 'catThreshold';

export type TypedArrayKind = 'i32' | 'u32' | 'u8' | 'f64';

export interface TreeArrayKey {
  key: string;
  field: keyof Tree;
  length: ArrayLength;
  style: NumberStyle;
  kind: TypedArrayKind;
  /** Required for trees with more than one leaf; optional ones default to zeros, as in LightGBM's loader. */
  required: boolean;
}

/** Tree arrays in the order LightGBM writes them. cat_* lines appear only when num_cat > 0. */
export const TREE_ARRAYS: readonly TreeArrayKey[] = [
  { key: 'split_feature', field: 'splitFeature', length: 'internal', style: 'int', kind: 'i32', required: true },
  { key: 'split_gain', field: 'splitGain', length: 'internal', style: 'gain', kind: 'f64', required: false },
  { key: 'threshold', field: 'threshold', length: 'internal', style: 'g17', kind: 'f64', required: true },
  { key: 'decision_type', field: 'decisionType', length: 'internal', style: 'int', kind: 'u8', required: false },
  { key: 'left_child', field: 'leftChild', length: 'internal', style: 'int', kind: 'i32', required: true },
  { key: 'right_child', field: 'rightChild', length: 'internal', style: 'int', kind: 'i32', required: true },
  { key: 'leaf_value', field: 'leafValue', length: 'leaf', style: 'g17', kind: 'f64', required: true },
  { key: 'leaf_weight', field: 'leafWeight', length: 'leaf', style: 'g17', kind: 'f64', required: false },
  { key: 'leaf_count', field: 'leafCount', length: 'leaf', style: 'int', kind: 'i32', required: false },
  { key: 'internal_value', field: 'internalValue', length: 'internal', style: 'g', kind: 'f64', required: false },
  { key: 'internal_weight', field: 'internalWeight', length: 'internal', style: 'g', kind: 'f64', required: false },
  { key: 'internal_count', field: 'internalCount', length: 'internal', style: 'int', kind: 'i32', required: false },
  { key: 'cat_boundaries', field: 'catBoundaries', length: 'catBoundaries', style: 'int', kind: 'i32', required: true },
  { key: 'cat_threshold', field: 'catThreshold', length: 'catThreshold', style: 'int', kind: 'u32', required: true },
];

/** Scalar tree lines; num_leaves and num_cat come first, is_linear and shrinkage after the arrays. */
export const TREE_SCALARS = {
  numLeaves: 'num_leaves',
  numCat: 'num_cat',
  isLinear: 'is_linear',
  shrinkage: 'shrinkage',
} as const;

/** Every key a Tree=N block may hold; anything else is an error naming the line. */
export const TREE_KEYS: ReadonlySet<string> = new Set([
  ...Object.values(TREE_SCALARS),
  ...TREE_ARRAYS.map((k) => k.key),
]);

export type HeaderValue = 'int' | 'string' | 'words' | 'flag' | 'ints';

export interface HeaderKey {
  key: string;
  value: HeaderValue;
  required: boolean;
}

/** Header lines in the order LightGBM writes them (gbdt_model_text.cpp, SaveModelToString). */
export const HEADER_KEYS: readonly HeaderKey[] = [
  { key: 'version', value: 'string', required: false },
  { key: 'num_class', value: 'int', required: true },
  { key: 'num_tree_per_iteration', value: 'int', required: false },
  { key: 'label_index', value: 'int', required: true },
  { key: 'max_feature_idx', value: 'int', required: true },
  { key: 'objective', value: 'string', required: false },
  { key: 'average_output', value: 'flag', required: false },
  { key: 'feature_names', value: 'words', required: true },
  { key: 'monotone_constraints', value: 'ints', required: false },
  { key: 'feature_infos', value: 'words', required: true },
  { key: 'tree_sizes', value: 'ints', required: false },
];

export const MODEL_TYPE_LINE = 'tree';
export const END_OF_TREES = 'end of trees';
export const FEATURE_IMPORTANCES = 'feature_importances:';
export const PARAMETERS_START = 'parameters:';
export const PARAMETERS_END = 'end of parameters';
export const PANDAS_CATEGORICAL = 'pandas_categorical:';
