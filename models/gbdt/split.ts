// Best numerical threshold of a feature's histogram, scanning bins as LightGBM does (both missing directions).
import { MISSING_NAN, MISSING_NONE, MISSING_ZERO } from './tree.ts';

/** LightGBM's kEpsilon is a float constant; its exact value matters for identical gains. */
export const K_EPSILON = Math.fround(1e-15);

/** The constraints every split must satisfy, from the parameters. */
export interface SplitConfig {
  minDataInLeaf: number;
  minSumHessianInLeaf: number;
  lambdaL1: number;
  lambdaL2: number;
  minGainToSplit: number;
  catSmooth: number;
  catL2: number;
  maxCatThreshold: number;
  minDataPerGroup: number;
  maxCatToOnehot: number;
}

/** One candidate split of a leaf; reused across candidates to avoid allocation. */
export class SplitInfo {
  /** Inner feature index, -1 when no split was found. */
  feature = -1;
  /** Bin threshold: rows with bin <= threshold go left (numerical). */
  threshold = 0;
  gain = -Infinity;
  defaultLeft = true;
  leftOutput = 0;
  rightOutput = 0;
  leftCount = 0;
  rightCount = 0;
  leftSumGradient = 0;
  leftSumHessian = 0;
  rightSumGradient = 0;
  rightSumHessian = 0;
  /** For a categorical split, the bins that go left; null for numerical. */
  catBins: number[] | null = null;

  reset(): void {
    this.feature = -1;
    this.gain = -Infinity;
    this.catBins = null;
  }

  copyFrom(o: SplitInfo): void {
    Object.assign(this, o);
  }

  /** LightGBM's SplitInfo ordering: higher gain wins, equal gains go to the smaller feature index. */
  betterThan(o: SplitInfo): boolean {
    if (this.gain !== o.gain) return this.gain > o.gain;
    const a = this.feature < 0 ? 0x7fffffff : this.feature;
    const b = o.feature < 0 ? 0x7fffffff : o.feature;
    return a < b;
  }
}

export function thresholdL1(s: number, l1: number): number {
  const reg = Math.max(0, Math.abs(s) - l1);
  return s > 0 ? reg : s < 0 ? -reg : 0;
}

export function leafOutput(sumGradient: number, sumHessian: number, l1: number, l2: number): number {
  return -thresholdL1(sumGradient, l1) / (sumHessian + l2);
}

export function leafGain(sumGradient: number, sumHessian: number, l1: number, l2: number): number {
  const g = thresholdL1(sumGradient, l1);
  return (g * g) / (sumHessian + l2);
}

/** LightGBM's RoundInt: add one half and truncate. */
function roundInt(x: number): number {
  return Math.trunc(x + 0.5);
}

export interface FeatureMeta {
  numBin: number;
  missingType: number;
  defaultBin: number;
}

/**
 * Find the best threshold of one numerical feature. `hist` holds (gradient, hessian) pairs for this feature's bins
 * starting at `offset`. `sumHessian` is the leaf's, without epsilon. Returns whether any split beat the no-split gain
 * (LightGBM's is_splittable); `out` is updated only when this feature's best beats `out.gain` as LightGBM does.
 */
export function findBestNumericalSplit(
  hist: Float64Array,
  offset: number,
  meta: FeatureMeta,
  sumGradient: number,
  sumHessianRaw: number,
  numData: number,
  cfg: SplitConfig,
  out: SplitInfo,
): boolean {
  const sumHessian = sumHessianRaw + 2 * K_EPSILON;
  const { lambdaL1: l1, lambdaL2: l2 } = cfg;
  const minGainShift = leafGain(sumGradient, sumHessian, l1, l2) + cfg.minGainToSplit;
  out.gain = -Infinity;
  out.defaultLeft = true;
  let splittable = false;
  if (meta.numBin > 2 && meta.missingType !== MISSING_NONE) {
    const zero = meta.missingType === MISSING_ZERO;
    splittable =
      scan(hist, offset, meta, sumGradient, sumHessian, numData, cfg, minGainShift, true, zero, !zero, out) ||
      splittable;
    splittable =
      scan(hist, offset, meta, sumGradient, sumHessian, numData, cfg, minGainShift, false, zero, !zero, out) ||
      splittable;
  } else {
    splittable = scan(hist, offset, meta, sumGradient, sumHessian, numData, cfg, minGainShift, true, false, false, out);
    if (meta.missingType === MISSING_NAN) out.defaultLeft = false;
  }
  return splittable;
}

function scan(
  hist: Float64Array,
  offset: number,
  meta: FeatureMeta,
  sumGradient: number,
  sumHessian: number,
  numData: number,
  cfg: SplitConfig,
  minGainShift: number,
  reverse: boolean,
  skipDefaultBin: boolean,
  naAsMissing: boolean,
  out: SplitInfo,
): boolean {
  const { minDataInLeaf, minSumHessianInLeaf, lambdaL1: l1, lambdaL2: l2 } = cfg;
  const cntFactor = numData / sumHessian;
  const defaultBin = skipDefaultBin ? meta.defaultBin : -1;
  let bestGain = -Infinity;
  let bestLeftG = NaN;
  let bestLeftH = NaN;
  let bestLeftCount = 0;
  let bestThreshold = meta.numBin;
  let splittable = false;
  if (reverse) {
    let rg = 0;
    let rh = K_EPSILON;
    let rc = 0;
    for (let t = meta.numBin - 1 - (naAsMissing ? 1 : 0); t >= 1; t--) {
      if (t === defaultBin) continue;
      const k = (offset + t) << 1;
      const h = hist[k + 1];
      rg += hist[k];
      rh += h;
      rc += roundInt(h * cntFactor);
      if (rc < minDataInLeaf || rh < minSumHessianInLeaf) continue;
      const lc = numData - rc;
      if (lc < minDataInLeaf) break;
      const lh = sumHessian - rh;
      if (lh < minSumHessianInLeaf) break;
      const lg = sumGradient - rg;
      const gain = leafGain(lg, lh, l1, l2) + leafGain(rg, rh, l1, l2);
      if (gain <= minGainShift) continue;
      splittable = true;
      if (gain > bestGain) {
        bestLeftCount = lc;
        bestLeftG = lg;
        bestLeftH = lh;
        bestThreshold = t - 1;
        bestGain = gain;
      }
    }
  } else {
    let lg = 0;
    let lh = K_EPSILON;
    let lc = 0;
    const tEnd = meta.numBin - 2;
    for (let t = 0; t <= tEnd; t++) {
      if (t === defaultBin) continue;
      const k = (offset + t) << 1;
      const h = hist[k + 1];
      lg += hist[k];
      lh += h;
      lc += roundInt(h * cntFactor);
      if (lc < minDataInLeaf || lh < minSumHessianInLeaf) continue;
      const rc = numData - lc;
      if (rc < minDataInLeaf) break;
      const rh = sumHessian - lh;
      if (rh < minSumHessianInLeaf) break;
      const rg = sumGradient - lg;
      const gain = leafGain(lg, lh, l1, l2) + leafGain(rg, rh, l1, l2);
      if (gain <= minGainShift) continue;
      splittable = true;
      if (gain > bestGain) {
        bestLeftCount = lc;
        bestLeftG = lg;
        bestLeftH = lh;
        bestThreshold = t;
        bestGain = gain;
      }
    }
  }
  if (splittable && bestGain > out.gain + minGainShift) {
    out.threshold = bestThreshold;
    out.leftOutput = leafOutput(bestLeftG, bestLeftH, l1, l2);
    out.leftCount = bestLeftCount;
    out.leftSumGradient = bestLeftG;
    out.leftSumHessian = bestLeftH - K_EPSILON;
    out.rightOutput = leafOutput(sumGradient - bestLeftG, sumHessian - bestLeftH, l1, l2);
    out.rightCount = numData - bestLeftCount;
    out.rightSumGradient = sumGradient - bestLeftG;
    out.rightSumHessian = sumHessian - bestLeftH - K_EPSILON;
    out.gain = bestGain - minGainShift;
    out.defaultLeft = reverse;
    out.catBins = null;
  }
  return splittable;
}
