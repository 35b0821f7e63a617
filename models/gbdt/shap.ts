// Feature contributions by TreeSHAP, in LightGBM's predict_contrib layout: per class, each feature, then the expected.
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
 * Divisions by small integers are replaced by products with precomputed ratios: the recurrences are
 * chains of dependent operations, so this roughly halves their latency while changing results only by rounding.
 */
class Path {
  readonly feature: Int32Array;
  readonly zero: Float64Array;
  readonly one: Float64Array;
  readonly weight: Float64Array;
  /** For path depth d and position j (row stride m): (d+1)/(j+1), (d-j)/(d+1), (d+1)/(d-j), 1/(d+1). */
  private readonly m: number;
  private readonly up: Float64Array;
  private readonly down: Float64Array;
  private readonly upInv: Float64Array;
  private readonly inv: Float64Array;

  constructor(maxDepth: number) {
    const len = maxDepth + 2;
    const size = (len * (len + 1)) / 2;
    this.feature = new Int32Array(size);
    this.zero = new Float64Array(size);
    this.one = new Float64Array(size);
    this.weight = new Float64Array(size);
    const m = len + 1;
    this.m = m;
    this.up = new Float64Array(m * m);
    this.down = new Float64Array(m * m);
    this.upInv = new Float64Array(m * m);
    this.inv = new Float64Array(m);
    for (let d = 0; d < m; d += 1) {
      this.inv[d] = 1 / (d + 1);
      for (let j = 0; j < d; j += 1) {
        this.up[d * m + j] = (d + 1) / (j + 1);
        this.down[d * m + j] = (d - j) / (d + 1);
        this.upInv[d * m + j] = (d + 1) / (d - j);
      }
    }
  }

  copy(from: number, to: number, length: number): void {
    // A plain loop: paths are short, and copyWithin's per-call cost dominates at these lengths.
    const { feature, zero, one, weight } = this;
    for (let i = 0; i < length; i += 1) {
      feature[to + i] = feature[from + i];
      zero[to + i] = zero[from + i];
      one[to + i] = one[from + i];
      weight[to + i] = weight[from + i];
    }
  }

  /** Adds an element for `feature` and updates the permutation weights of paths with one more feature. */
  extend(base: number, depth: number, zeroFraction: number, oneFraction: number, feature: number): void {
    const w = this.weight;
    this.feature[base + depth] = feature;
    this.zero[base + depth] = zeroFraction;
    this.one[base + depth] = oneFraction;
    w[base + depth] = depth === 0 ? 1 : 0;
    const inv = this.inv[depth];
    for (let i = depth - 1; i >= 0; i -= 1) {
      w[base + i + 1] += oneFraction * w[base + i] * (i + 1) * inv;
      w[base + i] = zeroFraction * w[base + i] * (depth - i) * inv;
    }
  }

  /** Undoes the extension of element `index`, so a feature split on again is counted once. */
  unwind(base: number, depth: number, index: number): void {
    const w = this.weight;
    const row = depth * this.m;
    const oneFraction = this.one[base + index];
    const zeroFraction = this.zero[base + index];
    if (oneFraction !== 0) {
      // One fractions are 0 or 1, so dividing by oneFraction is dropped.
      let nextOne = w[base + depth];
      for (let i = depth - 1; i >= 0; i -= 1) {
        const tmp = w[base + i];
        w[base + i] = nextOne * this.up[row + i];
        nextOne = tmp - w[base + i] * zeroFraction * this.down[row + i];
      }
    } else {
      const inv = 1 / zeroFraction;
      for (let i = depth - 1; i >= 0; i -= 1) w[base + i] = w[base + i] * this.upInv[row + i] * inv;
    }
    for (let i = index; i < depth; i += 1) {
      this.feature[base + i] = this.feature[base + i + 1];
      this.zero[base + i] = this.zero[base + i + 1];
      this.one[base + i] = this.one[base + i + 1];
    }
  }

  /**
   * Adds each path element's share of a leaf's value to phi, as LightGBM's leaf step (UnwoundPathSum per element) does.
   * One fractions are always 0 or 1 here, which allows two shortcuts with the same sums up to rounding:
   * every element with one fraction 0 gets the same share, -value * sum_j w[j] * (depth+1)/(depth-j);
   * elements with one fraction 1 run the unwinding recurrence without dividing by the one fraction.
   */
  addLeaf(base: number, depth: number, value: number, phi: Float64Array, phiOffset: number): void {
    const w = this.weight;
    const row = depth * this.m;
    let coldShare = NaN;
    for (let i = 1; i <= depth; i += 1) {
      let share: number;
      if (this.one[base + i] === 0) {
        if (Number.isNaN(coldShare)) {
          let sum = 0;
          for (let j = depth - 1; j >= 0; j -= 1) sum += w[base + j] * this.upInv[row + j];
          coldShare = -sum * value;
        }
        share = coldShare;
      } else {
        const zeroFraction = this.zero[base + i];
        let nextOne = w[base + depth];
        let total = 0;
        for (let j = depth - 1; j >= 0; j -= 1) {
          const tmp = nextOne * this.up[row + j];
          total += tmp;
          nextOne = w[base + j] - tmp * zeroFraction * this.down[row + j];
        }
        share = total * (1 - zeroFraction) * value;
      }
      phi[phiOffset + this.feature[base + i]] += share;
    }
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
    this.path = new Path(maxDepth(tree));
  }

  private count(node: number): number {
    return node >= 0 ? this.tree.internalCount[node] : this.tree.leafCount[~node];
  }

  /**
   * Adds this tree's contributions for the row into phi[phiOffset + feature], and its expected value at
   * phiOffset + numFeatures.
   */
  explain(row: ArrayLike<number>, offset: number, phi: Float64Array, phiOffset: number, numFeatures: number): void {
    phi[phiOffset + numFeatures] += this.expected;
    if (this.tree.numLeaves <= 1) return;
    this.row = row;
    this.offset = offset;
    this.phi = phi;
    this.phiOffset = phiOffset;
    this.recurse(0, 0, 0, 1, 1, -1);
  }

  private recurse(
    node: number,
    depth: number,
    parentBase: number,
    zeroFraction: number,
    oneFraction: number,
    feature: number,
  ): void {
    const path = this.path;
    const tree = this.tree;
    const base = parentBase + depth;
    if (depth > 0) path.copy(parentBase, base, depth);
    path.extend(base, depth, zeroFraction, oneFraction, feature);

    if (node < 0) {
      path.addLeaf(base, depth, tree.leafValue[~node], this.phi, this.phiOffset);
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
    for (let t = 0; t < explainers.length; t += 1)
      explainers[t].explain(rows, offset, out, outOffset + (t % k) * (nf + 1), nf);
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
