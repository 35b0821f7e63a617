// The reference predictor: LightGBM's plain tree walk (Tree::Decision), raw or through the objective's transform.
import { type OutputTransform, outputTransform } from './objective-output.ts';
import {
  CATEGORICAL_MASK,
  DEFAULT_LEFT_MASK,
  MISSING_NAN,
  MISSING_ZERO,
  type Model,
  missingType,
  type Tree,
} from './tree.ts';

/** LightGBM's kZeroThreshold: the float 1e-35f widened to double; |x| at most this counts as zero. */
export const ZERO_THRESHOLD = Math.fround(1e-35);

/** C's static_cast<int>(double) as x86 does it: out-of-range values become INT_MIN. */
function toInt32(x: number): number {
  return x >= -2147483648 && x < 2147483648 ? Math.trunc(x) : -2147483648;
}

/** Whether bit `pos` is set in the bitset words[start .. start+n) (Common::FindInBitset). */
export function inBitset(words: Uint32Array, start: number, n: number, pos: number): boolean {
  const word = pos >>> 5;
  if (word >= n) return false;
  return ((words[start + word] >>> (pos & 31)) & 1) === 1;
}

/** The child index to follow from internal `node` for feature value `fval` (Tree::Decision). */
export function decision(tree: Tree, node: number, fval: number): number {
  const type = tree.decisionType[node];
  if (type & CATEGORICAL_MASK) {
    if (Number.isNaN(fval)) return tree.rightChild[node];
    const cat = toInt32(fval);
    if (cat < 0) return tree.rightChild[node];
    const idx = tree.threshold[node];
    const start = tree.catBoundaries[idx];
    return inBitset(tree.catThreshold, start, tree.catBoundaries[idx + 1] - start, cat)
      ? tree.leftChild[node]
      : tree.rightChild[node];
  }
  const missing = missingType(type);
  if (Number.isNaN(fval) && missing !== MISSING_NAN) fval = 0;
  if (
    (missing === MISSING_ZERO && fval >= -ZERO_THRESHOLD && fval <= ZERO_THRESHOLD) ||
    (missing === MISSING_NAN && Number.isNaN(fval))
  ) {
    return type & DEFAULT_LEFT_MASK ? tree.leftChild[node] : tree.rightChild[node];
  }
  return fval <= tree.threshold[node] ? tree.leftChild[node] : tree.rightChild[node];
}

/** The leaf a row reaches; the row's features start at row[offset]. */
export function leafIndex(tree: Tree, row: ArrayLike<number>, offset = 0): number {
  if (tree.numLeaves <= 1) return 0;
  let node = 0;
  while (node >= 0) node = decision(tree, node, row[offset + tree.splitFeature[node]]);
  return ~node;
}

/** How many features each row must have. */
export function numFeatures(model: Model): number {
  return model.maxFeatureIdx + 1;
}

/** Adds the model's raw scores for one row into out[outOffset .. outOffset+numTreePerIteration). */
export function addRawRow(
  model: Model,
  row: ArrayLike<number>,
  offset: number,
  out: Float64Array,
  outOffset: number,
): void {
  const k = model.numTreePerIteration;
  for (let t = 0; t < model.trees.length; t += 1) {
    const tree = model.trees[t];
    out[outOffset + (t % k)] += tree.leafValue[leafIndex(tree, row, offset)];
  }
}

export interface PredictOptions {
  /** Return raw scores (LightGBM's predict_raw_score) instead of transformed outputs. */
  raw?: boolean;
}

/**
 * Raw scores to outputs in place: average_output, then the objective's transform (pass it to avoid
 * re-parsing), per row.
 */
export function finishOutputs(
  model: Model,
  out: Float64Array,
  numRows: number,
  options: PredictOptions,
  transform: OutputTransform = outputTransform(model.objective, model.numTreePerIteration),
): Float64Array {
  const k = model.numTreePerIteration;
  if (model.averageOutput) {
    const iterations = Math.floor(model.trees.length / k);
    for (let i = 0; i < out.length; i += 1) out[i] /= iterations;
  }
  if (!options.raw) {
    for (let r = 0; r < numRows; r += 1) transform(out, r * k);
  }
  return out;
}

/** Checks a row-major batch and returns its row count. */
export function rowCount(model: Model, rows: ArrayLike<number>): number {
  const width = numFeatures(model);
  if (rows.length % width !== 0) {
    throw new Error(`rows: length ${rows.length} is not a multiple of the model's ${width} features`);
  }
  return rows.length / width;
}

/** Predicts a row-major batch (numRows × numFeatures); returns numRows × numTreePerIteration values. */
export function predictReference(model: Model, rows: Float64Array, options: PredictOptions = {}): Float64Array {
  const numRows = rowCount(model, rows);
  const width = numFeatures(model);
  const k = model.numTreePerIteration;
  const out = new Float64Array(numRows * k);
  for (let r = 0; r < numRows; r += 1) addRawRow(model, rows, r * width, out, r * k);
  return finishOutputs(model, out, numRows, options);
}
