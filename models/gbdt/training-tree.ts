// The training-time tree: LightGBM's node arrays plus what only training needs, flattened once into a Tree.
import type { Tree } from './tree.ts';

// LightGBM's decision_type bits (as in tree.ts), local so the scoring loop reads constants, not module bindings.
const CATEGORICAL_MASK = 1;
const DEFAULT_LEFT_MASK = 2;

const ZERO_THRESHOLD = Math.fround(1e-35);

function roundToZero(v: number): number {
  return Math.abs(v) <= ZERO_THRESHOLD ? 0 : v;
}

export class TrainingTree {
  numLeaves = 1;
  readonly leftChild: Int32Array;
  readonly rightChild: Int32Array;
  readonly splitFeatureInner: Int32Array;
  readonly splitFeature: Int32Array;
  readonly splitGain: Float64Array;
  readonly thresholdBin: Int32Array;
  readonly threshold: Float64Array;
  readonly decisionType: Uint8Array;
  readonly leafValue: Float64Array;
  readonly leafWeight: Float64Array;
  readonly leafCount: Int32Array;
  readonly leafParent: Int32Array;
  readonly leafDepth: Int32Array;
  readonly internalValue: Float64Array;
  readonly internalWeight: Float64Array;
  readonly internalCount: Int32Array;
  /** Per categorical node: the bins that go left (training) and the category bitset (prediction). */
  readonly catBinsInner: Uint8Array[] = [];
  readonly catBoundaries: number[] = [0];
  readonly catThreshold: number[] = [];
  shrinkage = 1;

  constructor(maxLeaves: number) {
    const n = Math.max(1, maxLeaves - 1);
    this.leftChild = new Int32Array(n);
    this.rightChild = new Int32Array(n);
    this.splitFeatureInner = new Int32Array(n);
    this.splitFeature = new Int32Array(n);
    this.splitGain = new Float64Array(n);
    this.thresholdBin = new Int32Array(n);
    this.threshold = new Float64Array(n);
    this.decisionType = new Uint8Array(n);
    this.internalValue = new Float64Array(n);
    this.internalWeight = new Float64Array(n);
    this.internalCount = new Int32Array(n);
    this.leafValue = new Float64Array(maxLeaves);
    this.leafWeight = new Float64Array(maxLeaves);
    this.leafCount = new Int32Array(maxLeaves);
    this.leafParent = new Int32Array(maxLeaves).fill(-1);
    this.leafDepth = new Int32Array(maxLeaves);
  }

  /**
   * Split a leaf as LightGBM's Tree::Split does: the left child keeps the leaf's index, the right child is a new leaf.
   */
  private splitCommon(
    leaf: number,
    innerFeature: number,
    realFeature: number,
    leftValue: number,
    rightValue: number,
    leftCount: number,
    rightCount: number,
    leftWeight: number,
    rightWeight: number,
    gain: number,
  ): number {
    const node = this.numLeaves - 1;
    const parent = this.leafParent[leaf];
    if (parent >= 0) {
      if (this.leftChild[parent] === ~leaf) this.leftChild[parent] = node;
      else this.rightChild[parent] = node;
    }
    this.splitFeatureInner[node] = innerFeature;
    this.splitFeature[node] = realFeature;
    this.splitGain[node] = Math.fround(gain);
    this.leftChild[node] = ~leaf;
    this.rightChild[node] = ~this.numLeaves;
    this.leafParent[leaf] = node;
    this.leafParent[this.numLeaves] = node;
    this.internalWeight[node] = this.leafWeight[leaf];
    this.internalValue[node] = this.leafValue[leaf];
    this.internalCount[node] = leftCount + rightCount;
    this.leafValue[leaf] = Number.isNaN(leftValue) ? 0 : leftValue;
    this.leafWeight[leaf] = leftWeight;
    this.leafCount[leaf] = leftCount;
    this.leafValue[this.numLeaves] = Number.isNaN(rightValue) ? 0 : rightValue;
    this.leafWeight[this.numLeaves] = rightWeight;
    this.leafCount[this.numLeaves] = rightCount;
    this.leafDepth[this.numLeaves] = this.leafDepth[leaf] + 1;
    this.leafDepth[leaf]++;
    return node;
  }

  splitNumerical(
    leaf: number,
    innerFeature: number,
    realFeature: number,
    thresholdBin: number,
    threshold: number,
    leftValue: number,
    rightValue: number,
    leftCount: number,
    rightCount: number,
    leftWeight: number,
    rightWeight: number,
    gain: number,
    missingType: number,
    defaultLeft: boolean,
  ): number {
    const node = this.splitCommon(
      leaf,
      innerFeature,
      realFeature,
      leftValue,
      rightValue,
      leftCount,
      rightCount,
      leftWeight,
      rightWeight,
      gain,
    );
    this.decisionType[node] = (defaultLeft ? DEFAULT_LEFT_MASK : 0) | ((missingType & 3) << 2);
    this.thresholdBin[node] = thresholdBin;
    this.threshold[node] = threshold;
    return this.numLeaves++;
  }

  /** `leftBins` are bins of the feature; `leftCategories` their category values, stored as LightGBM's bitset. */
  splitCategorical(
    leaf: number,
    innerFeature: number,
    realFeature: number,
    leftBins: number[],
    leftCategories: number[],
    leftValue: number,
    rightValue: number,
    leftCount: number,
    rightCount: number,
    leftWeight: number,
    rightWeight: number,
    gain: number,
    missingType: number,
  ): number {
    const node = this.splitCommon(
      leaf,
      innerFeature,
      realFeature,
      leftValue,
      rightValue,
      leftCount,
      rightCount,
      leftWeight,
      rightWeight,
      gain,
    );
    this.decisionType[node] = CATEGORICAL_MASK | ((missingType & 3) << 2);
    const catIndex = this.catBinsInner.length;
    const binSet = new Uint8Array(256);
    for (const b of leftBins) binSet[b] = 1;
    this.catBinsInner.push(binSet);
    this.thresholdBin[node] = catIndex;
    this.threshold[node] = catIndex;
    const bitset = bitsetOf(leftCategories);
    this.catThreshold.push(...bitset);
    this.catBoundaries.push(this.catBoundaries[this.catBoundaries.length - 1] + bitset.length);
    return this.numLeaves++;
  }

  /** Multiply every output by the learning rate (LightGBM's Tree::Shrinkage). */
  applyShrinkage(rate: number): void {
    for (let i = 0; i < this.numLeaves - 1; i++) {
      this.leafValue[i] = roundToZero(this.leafValue[i] * rate);
      this.internalValue[i] = roundToZero(this.internalValue[i] * rate);
    }
    this.leafValue[this.numLeaves - 1] = roundToZero(this.leafValue[this.numLeaves - 1] * rate);
    this.shrinkage *= rate;
  }

  /** Fold the initial score into the first tree (LightGBM's Tree::AddBias). */
  addBias(value: number): void {
    for (let i = 0; i < this.numLeaves - 1; i++) {
      this.leafValue[i] = roundToZero(this.leafValue[i] + value);
      this.internalValue[i] = roundToZero(this.internalValue[i] + value);
    }
    this.leafValue[this.numLeaves - 1] = roundToZero(this.leafValue[this.numLeaves - 1] + value);
    this.shrinkage = 1;
  }

  /** A one-leaf tree holding a constant (LightGBM's AsConstantTree). */
  setConstant(value: number): void {
    this.numLeaves = 1;
    this.leafValue[0] = value;
    this.shrinkage = 1;
  }

  /** The leaf a binned row falls in, from bin thresholds (training and validation scoring). */
  leafOfBinnedRow(bins: Uint8Array, base: number, defaultBins: Int32Array, numBins: Int32Array): number {
    if (this.numLeaves <= 1) return 0;
    let node = 0;
    while (node >= 0) {
      const f = this.splitFeatureInner[node];
      const bin = bins[base + f];
      const dt = this.decisionType[node];
      let left: boolean;
      if (dt & CATEGORICAL_MASK) {
        left = this.catBinsInner[this.thresholdBin[node]][bin] === 1;
      } else {
        const missing = (dt >> 2) & 3;
        if ((missing === 1 && bin === defaultBins[f]) || (missing === 2 && bin === numBins[f] - 1)) {
          left = (dt & DEFAULT_LEFT_MASK) !== 0;
        } else {
          left = bin <= this.thresholdBin[node];
        }
      }
      node = left ? this.leftChild[node] : this.rightChild[node];
    }
    return ~node;
  }

  /** The prediction-time tree, with arrays trimmed to size. */
  flatten(): Tree {
    const n = this.numLeaves;
    const m = Math.max(0, n - 1);
    return {
      numLeaves: n,
      numCat: this.catBinsInner.length,
      splitFeature: this.splitFeature.slice(0, m),
      splitGain: this.splitGain.slice(0, m),
      threshold: this.threshold.slice(0, m),
      decisionType: this.decisionType.slice(0, m),
      leftChild: this.leftChild.slice(0, m),
      rightChild: this.rightChild.slice(0, m),
      leafValue: this.leafValue.slice(0, n),
      leafWeight: this.leafWeight.slice(0, n),
      leafCount: this.leafCount.slice(0, n),
      internalValue: this.internalValue.slice(0, m),
      internalWeight: this.internalWeight.slice(0, m),
      internalCount: this.internalCount.slice(0, m),
      catBoundaries: Int32Array.from(this.catBoundaries),
      catThreshold: Uint32Array.from(this.catThreshold),
      shrinkage: this.shrinkage,
    };
  }
}

/** LightGBM's ConstructBitset: bit v of word v/32 is set for each value v. */
export function bitsetOf(values: number[]): number[] {
  const words = new Array<number>(Math.floor(Math.max(0, ...values) / 32) + 1).fill(0);
  for (const v of values) words[v >> 5] = (words[v >> 5] | (1 << (v & 31))) >>> 0;
  return words;
}
