// Grows one tree leaf-wise, best gain first, as LightGBM's serial tree learner (the larger child by subtraction).
import type { BinMapper } from './binning.ts';
import { findBestCategoricalSplit } from './categorical-split.ts';
import type { BinnedData } from './dataset.ts';
import { compileHistogramBuilder, fixMostFrequentBins, type HistogramBuilder, subtractHistogram } from './histogram.ts';
import { type FeatureMeta, findBestNumericalSplit, type SplitConfig, SplitInfo } from './split.ts';
import { TrainingTree } from './training-tree.ts';

export interface GrowConfig extends SplitConfig {
  numLeaves: number;
  maxDepth: number;
}

/** Per used feature, what split finding needs from its bin mapper. */
interface InnerFeature extends FeatureMeta {
  categorical: boolean;
  mapper: BinMapper;
}

/** Reusable state for growing trees over one binned training set. */
export class TreeGrower {
  private readonly features: InnerFeature[];
  readonly defaultBins: Int32Array;
  readonly numBins: Int32Array;
  private readonly mostFreqBins: Int32Array;
  /** Row indices grouped by leaf: leaf l owns indices[leafBegin[l], leafBegin[l] + leafRows[l]). */
  readonly indices: Int32Array;
  readonly leafBegin: Int32Array;
  readonly leafRows: Int32Array;
  private readonly scratch: Int32Array;
  private readonly orderedGrad: Float32Array;
  private readonly orderedHess: Float32Array;
  private readonly hists: Float64Array[];
  private readonly splittable: Uint8Array[];
  private readonly best: SplitInfo[];
  private readonly leafSumG: Float64Array;
  private readonly leafSumH: Float64Array;
  private readonly candidate = new SplitInfo();
  private readonly columns: Uint8Array;
  private readonly buildHistogram: HistogramBuilder;

  constructor(
    private readonly data: BinnedData,
    mappers: (BinMapper | undefined)[],
    private readonly cfg: GrowConfig,
  ) {
    if (!data.columns) throw new Error('TreeGrower needs the feature-major bins (binRows(..., withColumns = true))');
    this.columns = data.columns;
    this.buildHistogram = compileHistogramBuilder(data.numUsed, data.binOffsets, data.numRows);
    this.features = Array.from(data.realFeature, (f) => {
      const m = mappers[f]!;
      return {
        numBin: m.numBin,
        missingType: m.missingType,
        defaultBin: m.defaultBin,
        categorical: m.kind === 'categorical',
        mapper: m,
      };
    });
    this.defaultBins = Int32Array.from(this.features, (f) => f.defaultBin);
    this.numBins = Int32Array.from(this.features, (f) => f.numBin);
    this.mostFreqBins = Int32Array.from(this.features, (f) => f.mapper.mostFreqBin);
    const L = cfg.numLeaves;
    this.indices = new Int32Array(data.numRows);
    this.scratch = new Int32Array(data.numRows);
    this.orderedGrad = new Float32Array(data.numRows);
    this.orderedHess = new Float32Array(data.numRows);
    this.leafBegin = new Int32Array(L);
    this.leafRows = new Int32Array(L);
    this.hists = Array.from({ length: L }, () => new Float64Array(data.totalBins * 2));
    this.splittable = Array.from({ length: L }, () => new Uint8Array(data.numUsed));
    this.best = Array.from({ length: L }, () => new SplitInfo());
    this.leafSumG = new Float64Array(L);
    this.leafSumH = new Float64Array(L);
  }

  /**
   * Grow a tree on the rows `bag` (all rows when null) with float gradients and hessians indexed by row.
   * `featureUsed[j]` is 0 for inner features left out by feature_fraction.
   */
  grow(grad: Float32Array, hess: Float32Array, bag: Int32Array | null, featureUsed: Uint8Array): TrainingTree {
    const { cfg, data } = this;
    const tree = new TrainingTree(cfg.numLeaves);
    const numRows = bag ? bag.length : data.numRows;
    if (bag) this.indices.set(bag);
    else for (let i = 0; i < numRows; i++) this.indices[i] = i;
    this.leafBegin[0] = 0;
    this.leafRows[0] = numRows;
    let sg = 0;
    let sh = 0;
    for (let i = 0; i < numRows; i++) {
      const r = this.indices[i];
      sg += grad[r];
      sh += hess[r];
    }
    this.leafSumG[0] = sg;
    this.leafSumH[0] = sh;
    for (let i = 0; i < cfg.numLeaves; i++) this.best[i].reset();
    this.splittable[0].fill(1);

    let leftLeaf = 0;
    let rightLeaf = -1;
    for (let s = 0; s < cfg.numLeaves - 1; s++) {
      if (this.beforeFindBestSplit(tree, leftLeaf, rightLeaf))
        this.findBestSplits(leftLeaf, rightLeaf, grad, hess, featureUsed);
      let bestLeaf = 0;
      for (let l = 1; l < tree.numLeaves; l++) if (this.best[l].betterThan(this.best[bestLeaf])) bestLeaf = l;
      const split = this.best[bestLeaf];
      if (!(split.gain > 0)) break;
      rightLeaf = this.split(tree, bestLeaf, split);
      leftLeaf = bestLeaf;
    }
    return tree;
  }

  /** LightGBM's BeforeFindBestSplit: stop at max_depth, or when neither child can hold two minimal leaves. */
  private beforeFindBestSplit(tree: TrainingTree, left: number, right: number): boolean {
    const { cfg } = this;
    if (cfg.maxDepth > 0 && tree.leafDepth[left] >= cfg.maxDepth) {
      this.best[left].gain = -Infinity;
      if (right >= 0) this.best[right].gain = -Infinity;
      return false;
    }
    const nLeft = this.leafRows[left];
    const nRight = right >= 0 ? this.leafRows[right] : 0;
    if (nRight < cfg.minDataInLeaf * 2 && nLeft < cfg.minDataInLeaf * 2) {
      this.best[left].gain = -Infinity;
      if (right >= 0) this.best[right].gain = -Infinity;
      return false;
    }
    return true;
  }

  /** Histograms for the two newest leaves (build the smaller, subtract for the larger), then their best splits. */
  private findBestSplits(
    left: number,
    right: number,
    grad: Float32Array,
    hess: Float32Array,
    featureUsed: Uint8Array,
  ): void {
    const { data } = this;
    // Ties make the right child the smaller one, as in LightGBM.
    let smaller = left;
    let larger = right;
    if (right >= 0 && !(this.leafRows[left] < this.leafRows[right])) {
      smaller = right;
      larger = left;
    }
    // The parent's histogram sits in the left leaf's slot; it becomes the larger child's.
    if (larger >= 0 && larger !== left) {
      const t = this.hists[larger];
      this.hists[larger] = this.hists[left];
      this.hists[left] = t;
    }
    const begin = this.leafBegin[smaller];
    const count = this.leafRows[smaller];
    const og = this.orderedGrad;
    const oh = this.orderedHess;
    const idx = this.indices;
    for (let i = 0; i < count; i++) {
      const r = idx[begin + i];
      og[i] = grad[r];
      oh[i] = hess[r];
    }
    this.buildHistogram(this.hists[smaller], data.bins, idx, begin, count, og, oh);
    fixMostFrequentBins(
      this.hists[smaller],
      data.binOffsets,
      this.mostFreqBins,
      this.leafSumG[smaller],
      this.leafSumH[smaller],
      false,
    );
    if (larger >= 0) {
      subtractHistogram(this.hists[larger], this.hists[smaller]);
      fixMostFrequentBins(
        this.hists[larger],
        data.binOffsets,
        this.mostFreqBins,
        this.leafSumG[larger],
        this.leafSumH[larger],
        true,
      );
    }
    this.findLeafSplit(smaller, featureUsed);
    if (larger >= 0) this.findLeafSplit(larger, featureUsed);
  }

  private findLeafSplit(leaf: number, featureUsed: Uint8Array): void {
    const best = this.best[leaf];
    best.reset();
    const cand = this.candidate;
    const hist = this.hists[leaf];
    const flags = this.splittable[leaf];
    const sumG = this.leafSumG[leaf];
    const sumH = this.leafSumH[leaf];
    const n = this.leafRows[leaf];
    for (let j = 0; j < this.features.length; j++) {
      if (!featureUsed[j] || !flags[j]) continue;
      const meta = this.features[j];
      const off = this.data.binOffsets[j];
      cand.gain = -Infinity;
      const ok = meta.categorical
        ? findBestCategoricalSplit(hist, off, meta, sumG, sumH, n, this.cfg, cand)
        : findBestNumericalSplit(hist, off, meta, sumG, sumH, n, this.cfg, cand);
      flags[j] = ok ? 1 : 0;
      if (!ok) continue;
      cand.feature = j;
      if (cand.betterThan(best)) best.copyFrom(cand);
    }
  }

  /** Apply the split to the partition and the tree; returns the new (right) leaf. */
  private split(tree: TrainingTree, leaf: number, s: SplitInfo): number {
    const meta = this.features[s.feature];
    const realFeature = this.data.realFeature[s.feature];
    const right = tree.numLeaves;
    const [nLeft, nRight] = this.partition(leaf, right, s, meta);
    if (s.catBins) {
      const m = meta.mapper;
      const cats = m.kind === 'categorical' ? s.catBins.map((b) => m.binToCategory[b]) : [];
      tree.splitCategorical(
        leaf,
        s.feature,
        realFeature,
        s.catBins,
        cats,
        s.leftOutput,
        s.rightOutput,
        nLeft,
        nRight,
        s.leftSumHessian,
        s.rightSumHessian,
        s.gain + this.cfg.minGainToSplit,
        meta.missingType,
      );
    } else {
      const m = meta.mapper;
      const threshold = m.kind === 'numerical' ? m.upperBounds[s.threshold] : 0;
      tree.splitNumerical(
        leaf,
        s.feature,
        realFeature,
        s.threshold,
        threshold,
        s.leftOutput,
        s.rightOutput,
        nLeft,
        nRight,
        s.leftSumHessian,
        s.rightSumHessian,
        s.gain + this.cfg.minGainToSplit,
        meta.missingType,
        s.defaultLeft,
      );
    }
    this.leafSumG[leaf] = s.leftSumGradient;
    this.leafSumH[leaf] = s.leftSumHessian;
    this.leafSumG[right] = s.rightSumGradient;
    this.leafSumH[right] = s.rightSumHessian;
    this.splittable[right].set(this.splittable[leaf]);
    this.best[leaf].reset();
    this.best[right].reset();
    return right;
  }

  /** Stable partition of the leaf's rows: left rows stay in the leaf's range, right rows follow them. */
  private partition(leaf: number, right: number, s: SplitInfo, meta: InnerFeature): [number, number] {
    const column = this.columns.subarray(s.feature * this.data.numRows, (s.feature + 1) * this.data.numRows);
    const idx = this.indices;
    const tmp = this.scratch;
    const begin = this.leafBegin[leaf];
    const end = begin + this.leafRows[leaf];
    // One table lookup per row says left or right; written without a branch, since split directions are unpredictable.
    const goesLeft = new Uint8Array(256);
    if (s.catBins) {
      for (const b of s.catBins) goesLeft[b] = 1;
    } else {
      for (let b = 0; b <= s.threshold; b++) goesLeft[b] = 1;
      const missingBin = meta.missingType === 1 ? meta.defaultBin : meta.missingType === 2 ? meta.numBin - 1 : -1;
      if (missingBin >= 0) goesLeft[missingBin] = s.defaultLeft ? 1 : 0;
    }
    let nl = begin;
    let nr = 0;
    for (let i = begin; i < end; i++) {
      const r = idx[i];
      const left = goesLeft[column[r]];
      idx[nl] = r;
      tmp[nr] = r;
      nl += left;
      nr += 1 - left;
    }
    idx.set(tmp.subarray(0, nr), nl);
    const nLeft = nl - begin;
    this.leafRows[leaf] = nLeft;
    this.leafBegin[right] = nl;
    this.leafRows[right] = nr;
    return [nLeft, nr];
  }
}
