// Feature contributions by TreeSHAP (Lundberg et al.), in LightGBM's predict_contrib layout: per class, one value per feature then the expected value.
import { decision, numFeatures, rowCount } from './predict.ts';
import type { Model, Tree } from './tree.ts';

/** The average leaf value weighted by training counts: the tree's output when no feature is known. */
export function expectedValue(tree: Tree): number {
  if (tree.numLeaves === 1) return tree.leafValue[0];
  const total = tree.internalCount[0];
  let sum = 0;
  for (let i = 0; i < tree.numLeaves; i += 1) sum += (tree.leafCount[i] / total) * tree.leafValue[i];
  return sum;
}

function maxDepth(tree: Tree, node = 0, depth = 0): number {
  if (tree.numLeaves <= 1) return 0;
  if (node < 0) return depth;
  return Math.max(maxDepth(tree, tree.leftChild[node], depth + 1), maxDepth(tree, tree.rightChild[node], depth + 1));
}

/**
 * The decision path of the recursion: element j of the path that starts at `base` lives at index base + j.
 * Each recursion level copies its parent's path to a fresh stretch, as LightGBM's TreeSHAP does.
 */
class Path {
  readonly feature: Int32Array;
  readonly zero: Float64Array;
  readonly one: Float64Array;
  readonly weight: Float64Array;

  constructor(size: number) {
    this.feature = new Int32Array(size);
    this.zero = new Float64Array(size);
    this.one = new Float64Array(size);
    this.weight = new Float64Array(size);
  }

  copy(from: number, to: number, length: number): void {
    this.feature.copyWithin(to, from, from + length);
    this.zero.copyWithin(to, from, from + length);
    this.one.copyWithin(to, from, from + length);
    this.weight.copyWithin(to, from, from + length);
  }

  /** Adds an element for `feature` and updates the permutation weights of paths with one more feature. */
  extend(base: number, depth: number, zeroFraction: number, oneFraction: number, feature: number): void {
    const w = this.weight;
    this.feature[base + depth] = feature;
    this.zero[base + depth] = zeroFraction;
    this.one[base + depth] = oneFraction;
    w[base + depth] = depth === 0 ? 1 : 0;
    for (let i = depth - 1; i >= 0; i -= 1) {
      w[base + i + 1] += (oneFraction * w[base + i] * (i + 1)) / (depth + 1);
      w[base + i] = (zeroFraction * w[base + i] * (depth - i)) / (depth + 1);
    }
  }

  /** Undoes the extension of element `index`, so a feature split on again is counted once. */
  unwind(base: number, depth: number, index: number): void {
    const w = this.weight;
    const oneFraction = this.one[base + index];
    const zeroFraction = this.zero[base + index];
    let nextOne = w[base + depth];
    for (let i = depth - 1; i >= 0; i -= 1) {
      if (oneFraction !== 0) {
        const tmp = w[base + i];
        w[base + i] = (nextOne * (depth + 1)) / ((i + 1) * oneFraction);
        nextOne = tmp - (w[base + i] * zeroFraction * (depth - i)) / (depth + 1);
      } else {
        w[base + i] = (w[base + i] * (depth + 1)) / (zeroFraction * (depth - i));
      }
    }
    for (let i = index; i < depth; i += 1) {
      this.feature[base + i] = this.feature[base + i + 1];
      this.zero[base + i] = this.zero[base + i + 1];
      this.one[base + i] = this.one[base + i + 1];
    }
  }

  /** The total permutation weight the path would have with element `index` unwound. */
  unwoundSum(base: number, depth: number, index: number): number {
    const w = this.weight;
    const oneFraction = this.one[base + index];
    const zeroFraction = this.zero[base + index];
    let nextOne = w[base + depth];
    let total = 0;
    for (let i = depth - 1; i >= 0; i -= 1) {
      if (oneFraction !== 0) {
        const tmp = (nextOne * (depth + 1)) / ((i + 1) * oneFraction);
        total += tmp;
        nextOne = w[base + i] - tmp * zeroFraction * ((depth - i) / (depth + 1));
      } else {
        total += w[base + i] / zeroFraction / ((depth - i) / (depth + 1));
      }
    }
    return total;
  }
}

/** One tree's TreeSHAP state, allocated once and reused for every row. */
class TreeExplainer {
  readonly expected: number;
  private readonly path: Path;
  private row: ArrayLike<number> = [];
  private offset = 0;
  private phi: Float64Array = new Float64Array(0);
  private phiOffset = 0;

  constructor(private readonly tree: Tree) {
    this.expected = expectedValue(tree);
    const len = maxDepth(tree) + 2;
    this.path = new Path((len * (len + 1)) / 2);
  }

  private count(node: number): number {
    return node >= 0 ? this.tree.internalCount[node] : this.tree.leafCount[~node];
  }

  /** Adds this tree's contributions for the row into phi[phiOffset + feature], and its expected value at phiOffset + numFeatures. */
  explain(row: ArrayLike<number>, offset: number, phi: Float64Array, phiOffset: number, numFeatures: number): void {
    phi[phiOffset + numFeatures] += this.expected;
    if (this.tree.numLeaves <= 1) return;
    this.row = row;
    this.offset = offset;
    this.phi = phi;
    this.phiOffset = phiOffset;
    this.recurse(0, 0, 0, 1, 1, -1);
  }

  private recurse(node: number, depth: number, parentBase: number, zeroFraction: number, oneFraction: number, feature: number): void {
    const path = this.path;
    const tree = this.tree;
    const base = parentBase + depth;
    if (depth > 0) path.copy(parentBase, base, depth);
    path.extend(base, depth, zeroFraction, oneFraction, feature);

    if (node < 0) {
      const value = tree.leafValue[~node];
      for (let i = 1; i <= depth; i += 1) {
        const w = path.unwoundSum(base, depth, i);
        this.phi[this.phiOffset + path.feature[base + i]] += w * (path.one[base + i] - path.zero[base + i]) * value;
      }
      return;
    }

    const split = tree.splitFeature[node];
    const hot = decision(tree, node, this.row[this.offset + split]);
    const cold = hot === tree.leftChild[node] ? tree.rightChild[node] : tree.leftChild[node];
    const w = this.count(node);
    const hotZero = this.count(hot) / w;
    const coldZero = this.count(cold) / w;
    let incomingZero = 1;
    let incomingOne = 1;
    let index = 0;
    while (index <= depth && path.feature[base + index] !== split) index += 1;
    if (index !== depth + 1) {
      incomingZero = path.zero[base + index];
      incomingOne = path.one[base + index];
      path.unwind(base, depth, index);
      depth -= 1;
    }
    this.recurse(hot, depth + 1, base, hotZero * incomingZero, incomingOne, split);
    this.recurse(cold, depth + 1, base, coldZero * incomingZero, 0, split);
  }
}

export interface ShapExplainer {
  /** Values per row: numTreePerIteration × (numFeatures + 1). */
  readonly width: number;
  /** Contributions of one row (rows[offset..]) added into out[outOffset .. outOffset+width). */
  addRow(rows: ArrayLike<number>, offset: number, out: Float64Array, outOffset: number): void;
  /** A row-major batch: numRows × width values, LightGBM's predict_contrib layout. */
  explain(rows: Float64Array): Float64Array;
}

/** Prepares TreeSHAP for a model; reuse the result across rows. */
export function shapExplainer(model: Model): ShapExplainer {
  const k = model.numTreePerIteration;
  const nf = numFeatures(model);
  const explainers = model.trees.map((tree) => new TreeExplainer(tree));
  const width = k * (nf + 1);
  const addRow = (rows: ArrayLike<number>, offset: number, out: Float64Array, outOffset: number): void => {
    for (let t = 0; t < explainers.length; t += 1) explainers[t].explain(rows, offset, out, outOffset + (t % k) * (nf + 1), nf);
  };
  return {
    width,
    addRow,
    explain(rows: Float64Array): Float64Array {
      const numRows = rowCount(model, rows);
      const out = new Float64Array(numRows * width);
      for (let r = 0; r < numRows; r += 1) addRow(rows, r * nf, out, r * width);
      return out;
    },
  };
}
