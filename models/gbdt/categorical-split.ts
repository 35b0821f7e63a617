// Best categorical split of a feature's histogram: one-vs-rest for few categories, else LightGBM's many-vs-many split.
import { type FeatureMeta, K_EPSILON, leafGain, leafOutput, type SplitConfig, type SplitInfo } from './split.ts';

function roundInt(x: number): number {
  return Math.trunc(x + 0.5);
}

/**
 * Bin 0 (NaN, negative and rare categories) never goes left. Returns whether any split beat the no-split gain;
 * `out` is overwritten when one did.
 */
export function findBestCategoricalSplit(
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
  const { lambdaL1: l1, minDataInLeaf, minSumHessianInLeaf } = cfg;
  const minGainShift = leafGain(sumGradient, sumHessian, l1, cfg.lambdaL2) + cfg.minGainToSplit;
  const useOnehot = meta.numBin <= cfg.maxCatToOnehot;
  // As in LightGBM, only many-vs-many splits (and their outputs) add cat_l2.
  const l2 = useOnehot ? cfg.lambdaL2 : cfg.lambdaL2 + cfg.catL2;
  const cntFactor = numData / sumHessian;
  const g = (bin: number) => hist[(offset + bin) << 1];
  const h = (bin: number) => hist[((offset + bin) << 1) + 1];
  let splittable = false;
  let bestGain = -Infinity;
  let bestLeftG = 0;
  let bestLeftH = 0;
  let bestLeftCount = 0;
  let bestThreshold = -1;
  let bestDir = 1;
  let sorted: number[] = [];
  if (useOnehot) {
    for (let t = 1; t < meta.numBin; t++) {
      const grad = g(t);
      const hess = h(t);
      const cnt = roundInt(hess * cntFactor);
      if (cnt < minDataInLeaf || hess < minSumHessianInLeaf) continue;
      const otherCount = numData - cnt;
      if (otherCount < minDataInLeaf) continue;
      const otherH = sumHessian - hess - K_EPSILON;
      if (otherH < minSumHessianInLeaf) continue;
      const gain = leafGain(sumGradient - grad, otherH, l1, l2) + leafGain(grad, hess + K_EPSILON, l1, l2);
      if (gain <= minGainShift) continue;
      splittable = true;
      if (gain > bestGain) {
        bestThreshold = t;
        bestLeftG = grad;
        bestLeftH = hess + K_EPSILON;
        bestLeftCount = cnt;
        bestGain = gain;
      }
    }
  } else {
    for (let t = 1; t < meta.numBin; t++) if (roundInt(h(t) * cntFactor) >= cfg.catSmooth) sorted.push(t);
    const ctr = (t: number) => g(t) / (h(t) + cfg.catSmooth);
    sorted = sorted
      .map((t) => [t, ctr(t)] as const)
      .sort((a, b) => a[1] - b[1])
      .map((p) => p[0]);
    const used = sorted.length;
    const maxNumCat = Math.min(cfg.maxCatThreshold, (used + 1) >> 1);
    for (const dir of [1, -1]) {
      let pos = dir === 1 ? 0 : used - 1;
      let cntGroup = 0;
      let lg = 0;
      let lh = K_EPSILON;
      let lc = 0;
      for (let i = 0; i < used && i < maxNumCat; i++) {
        const t = sorted[pos];
        pos += dir;
        const hess = h(t);
        const cnt = roundInt(hess * cntFactor);
        lg += g(t);
        lh += hess;
        lc += cnt;
        cntGroup += cnt;
        if (lc < minDataInLeaf || lh < minSumHessianInLeaf) continue;
        const rc = numData - lc;
        if (rc < minDataInLeaf || rc < cfg.minDataPerGroup) break;
        const rh = sumHessian - lh;
        if (rh < minSumHessianInLeaf) break;
        if (cntGroup < cfg.minDataPerGroup) continue;
        cntGroup = 0;
        const gain = leafGain(lg, lh, l1, l2) + leafGain(sumGradient - lg, rh, l1, l2);
        if (gain <= minGainShift) continue;
        splittable = true;
        if (gain > bestGain) {
          bestLeftCount = lc;
          bestLeftG = lg;
          bestLeftH = lh;
          bestThreshold = i;
          bestGain = gain;
          bestDir = dir;
        }
      }
    }
  }
  if (!splittable) return false;
  out.leftOutput = leafOutput(bestLeftG, bestLeftH, l1, l2);
  out.leftCount = bestLeftCount;
  out.leftSumGradient = bestLeftG;
  out.leftSumHessian = bestLeftH - K_EPSILON;
  out.rightOutput = leafOutput(sumGradient - bestLeftG, sumHessian - bestLeftH, l1, l2);
  out.rightCount = numData - bestLeftCount;
  out.rightSumGradient = sumGradient - bestLeftG;
  out.rightSumHessian = sumHessian - bestLeftH - K_EPSILON;
  out.gain = bestGain - minGainShift;
  out.defaultLeft = false;
  if (useOnehot) {
    out.catBins = [bestThreshold];
  } else {
    const n = bestThreshold + 1;
    out.catBins = bestDir === 1 ? sorted.slice(0, n) : sorted.slice(sorted.length - n).reverse();
  }
  out.threshold = 0;
  return true;
}
