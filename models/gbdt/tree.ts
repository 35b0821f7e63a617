// The prediction-time tree and model: LightGBM's parallel arrays by node, shared by every reader and writer.

/** decision_type bit flags, as in LightGBM's tree.h. */
export const CATEGORICAL_MASK = 1;
export const DEFAULT_LEFT_MASK = 2;
/** Missing type lives in bits 2-3: 0 none, 1 zero, 2 NaN. */
export const MISSING_NONE = 0;
export const MISSING_ZERO = 1;
export const MISSING_NAN = 2;

export function missingType(decisionType: number): number {
  return (decisionType >> 2) & 3;
}

/**
 * One tree. Internal nodes are 0..numLeaves-2; a child index < 0 is a leaf, stored as ~leafIndex.
 * For a categorical split, threshold[node] is the index into catBoundaries of its bitset.
 */
export interface Tree {
  numLeaves: number;
  numCat: number;
  splitFeature: Int32Array;
  splitGain: Float64Array;
  threshold: Float64Array;
  decisionType: Uint8Array;
  leftChild: Int32Array;
  rightChild: Int32Array;
  leafValue: Float64Array;
  leafWeight: Float64Array;
  leafCount: Int32Array;
  internalValue: Float64Array;
  internalWeight: Float64Array;
  internalCount: Int32Array;
  /** numCat + 1 offsets into catThreshold. */
  catBoundaries: Int32Array;
  /** 32-bit words of category bitsets. */
  catThreshold: Uint32Array;
  shrinkage: number;
}

/** A whole boosted model as LightGBM's v4 text format describes it. */
export interface Model {
  numClass: number;
  numTreePerIteration: number;
  labelIndex: number;
  maxFeatureIdx: number;
  /** The objective line verbatim, e.g. "binary sigmoid:1" or "multiclass num_class:3". */
  objective: string;
  featureNames: string[];
  /** Per feature, e.g. "[0:1]", "none", or "1:3:5" for categorical values. */
  featureInfos: string[];
  trees: Tree[];
  /** The lines between "parameters:" and "end of parameters", verbatim, without the markers. */
  parameters: string[];
  /** Optional header and trailer fields; absent means LightGBM's default and is not written. */
  /** The "version=" value; the writer uses "v4" when absent. */
  version?: string;
  /** Random-forest models average their trees instead of summing them. */
  averageOutput?: boolean;
  /** Per feature -1, 0 or 1, when the model was trained with monotone constraints. */
  monotoneConstraints?: number[];
  /** The value after "pandas_categorical:" that LightGBM's Python package appends, e.g. "null". */
  pandasCategorical?: string;
}
