// Per-feature bin boundaries from a value sample, as LightGBM's BinMapper (quantile bins, zero's own bin, NaN bin).
import { formatG17 } from './number-format.ts';
import { MISSING_NAN, MISSING_NONE, MISSING_ZERO } from './tree.ts';

/** Values closer to zero than this are zero, as in LightGBM. */
export const ZERO_THRESHOLD = Math.fround(1e-35);

export interface BinOptions {
  maxBin: number;
  minDataInBin: number;
  /** A feature whose every split leaves fewer rows than this on one side is useless (feature_pre_filter). */
  minSplitData: number;
  preFilter: boolean;
  useMissing: boolean;
  zeroAsMissing: boolean;
}

export interface NumericalBins {
  kind: 'numerical';
  numBin: number;
  missingType: number;
  /** Upper bound of each bin (value <= bound); the last real bin's is +Infinity, a NaN bin's is NaN. */
  upperBounds: Float64Array;
  defaultBin: number;
  mostFreqBin: number;
  minValue: number;
  maxValue: number;
  isTrivial: boolean;
}

export interface CategoricalBins {
  kind: 'categorical';
  numBin: number;
  missingType: number;
  /** Bin → category; bin 0 holds NaN, negative and rare categories (-1). */
  binToCategory: Int32Array;
  categoryToBin: Map<number, number>;
  defaultBin: number;
  mostFreqBin: number;
  isTrivial: boolean;
}

export type BinMapper = NumericalBins | CategoricalBins;

const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);

/** The next double above a, like std::nextafter(a, +inf). */
export function nextUp(a: number): number {
  if (Number.isNaN(a) || a === Infinity) return a;
  if (a === 0) return Number.MIN_VALUE;
  scratch[0] = a;
  // Little-endian words: [low, high]. Positive values step their bit pattern up, negative ones down.
  if (a > 0) {
    if (scratchWords[0] === 0xffffffff) {
      scratchWords[0] = 0;
      scratchWords[1]++;
    } else {
      scratchWords[0]++;
    }
  } else if (scratchWords[0] === 0) {
    scratchWords[0] = 0xffffffff;
    scratchWords[1]--;
  } else {
    scratchWords[0]--;
  }
  return scratch[0];
}

function sameOrdered(a: number, b: number): boolean {
  return b <= nextUp(a);
}

/** LightGBM's GreedyFindBin: upper bounds for sorted distinct values with counts. */
export function greedyFindBin(
  values: ArrayLike<number>,
  counts: ArrayLike<number>,
  from: number,
  to: number,
  maxBin: number,
  totalCnt: number,
  minDataInBin: number,
): number[] {
  const n = to - from;
  const bounds: number[] = [];
  if (n <= maxBin) {
    let cur = 0;
    for (let i = from; i < to - 1; i++) {
      cur += counts[i];
      if (cur >= minDataInBin) {
        const val = nextUp((values[i] + values[i + 1]) / 2);
        if (bounds.length === 0 || !sameOrdered(bounds[bounds.length - 1], val)) {
          bounds.push(val);
          cur = 0;
        }
      }
    }
    bounds.push(Infinity);
    return bounds;
  }
  if (minDataInBin > 0) maxBin = Math.max(1, Math.min(maxBin, Math.trunc(totalCnt / minDataInBin)));
  let meanBinSize = totalCnt / maxBin;
  let restBinCnt = maxBin;
  let restSampleCnt = totalCnt;
  const isBig = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (counts[from + i] >= meanBinSize) {
      isBig[i] = 1;
      restBinCnt--;
      restSampleCnt -= counts[from + i];
    }
  }
  meanBinSize = restSampleCnt / restBinCnt;
  const upper = new Float64Array(maxBin).fill(Infinity);
  const lower = new Float64Array(maxBin).fill(Infinity);
  let binCnt = 0;
  lower[0] = values[from];
  let cur = 0;
  // 0.5f in LightGBM: a float multiply, kept here for identical bin edges.
  const half = Math.fround(0.5);
  for (let i = 0; i < n - 1; i++) {
    if (!isBig[i]) restSampleCnt -= counts[from + i];
    cur += counts[from + i];
    if (isBig[i] || cur >= meanBinSize || (isBig[i + 1] && cur >= Math.max(1, meanBinSize * half))) {
      upper[binCnt] = values[from + i];
      binCnt++;
      lower[binCnt] = values[from + i + 1];
      if (binCnt >= maxBin - 1) break;
      cur = 0;
      if (!isBig[i]) {
        restBinCnt--;
        meanBinSize = restSampleCnt / restBinCnt;
      }
    }
  }
  binCnt++;
  for (let i = 0; i < binCnt - 1; i++) {
    const val = nextUp((upper[i] + lower[i + 1]) / 2);
    if (bounds.length === 0 || !sameOrdered(bounds[bounds.length - 1], val)) bounds.push(val);
  }
  bounds.push(Infinity);
  return bounds;
}

/** LightGBM's FindBinWithZeroAsOneBin: negative values, a bin for zero, positive values. */
function findBinWithZeroAsOneBin(
  values: number[],
  counts: number[],
  maxBin: number,
  totalSampleCnt: number,
  minDataInBin: number,
): number[] {
  const n = values.length;
  let leftCntData = 0;
  let cntZero = 0;
  let rightCntData = 0;
  for (let i = 0; i < n; i++) {
    if (values[i] <= -ZERO_THRESHOLD) leftCntData += counts[i];
    else if (values[i] > ZERO_THRESHOLD) rightCntData += counts[i];
    else cntZero += counts[i];
  }
  let leftCnt = values.findIndex((v) => v > -ZERO_THRESHOLD);
  if (leftCnt < 0) leftCnt = n;
  let bounds: number[] = [];
  if (leftCnt > 0 && maxBin > 1) {
    const leftMaxBin = Math.max(1, Math.trunc((leftCntData / (totalSampleCnt - cntZero)) * (maxBin - 1)));
    bounds = greedyFindBin(values, counts, 0, leftCnt, leftMaxBin, leftCntData, minDataInBin);
    if (bounds.length > 0) bounds[bounds.length - 1] = -ZERO_THRESHOLD;
  }
  let rightStart = -1;
  for (let i = leftCnt; i < n; i++) {
    if (values[i] > ZERO_THRESHOLD) {
      rightStart = i;
      break;
    }
  }
  const rightMaxBin = maxBin - 1 - bounds.length;
  if (rightStart >= 0 && rightMaxBin > 0) {
    const right = greedyFindBin(values, counts, rightStart, n, rightMaxBin, rightCntData, minDataInBin);
    bounds.push(ZERO_THRESHOLD, ...right);
  } else {
    bounds.push(Infinity);
  }
  return bounds;
}

/**
 * Bins for one feature. `sample` holds the sampled rows' values that are non-zero or NaN (LightGBM samples
 * sparsely); the remaining `totalSampleCnt - sample.length` sampled rows are zeros. The sample is sorted in place.
 */
export function findBins(
  sample: Float64Array,
  totalSampleCnt: number,
  categorical: boolean,
  opts: BinOptions,
): BinMapper {
  let nonNa = 0;
  for (let i = 0; i < sample.length; i++) if (!Number.isNaN(sample[i])) sample[nonNa++] = sample[i];
  let naCnt = 0;
  let missingType: number;
  if (!opts.useMissing) missingType = MISSING_NONE;
  else if (opts.zeroAsMissing) missingType = MISSING_ZERO;
  else if (nonNa === sample.length) missingType = MISSING_NONE;
  else {
    missingType = MISSING_NAN;
    naCnt = sample.length - nonNa;
  }
  const vals = sample.subarray(0, nonNa).sort();
  const zeroCnt = totalSampleCnt - nonNa - naCnt;
  const distinct: number[] = [];
  const counts: number[] = [];
  if (nonNa === 0 || (vals[0] > 0 && zeroCnt > 0)) {
    distinct.push(0);
    counts.push(zeroCnt);
  }
  if (nonNa > 0) {
    distinct.push(vals[0]);
    counts.push(1);
  }
  for (let i = 1; i < nonNa; i++) {
    if (!sameOrdered(vals[i - 1], vals[i])) {
      if (vals[i - 1] < 0 && vals[i] > 0) {
        distinct.push(0);
        counts.push(zeroCnt);
      }
      distinct.push(vals[i]);
      counts.push(1);
    } else {
      distinct[distinct.length - 1] = vals[i];
      counts[counts.length - 1]++;
    }
  }
  if (nonNa > 0 && vals[nonNa - 1] < 0 && zeroCnt > 0) {
    distinct.push(0);
    counts.push(zeroCnt);
  }
  if (categorical) return categoricalBins(distinct, counts, naCnt, totalSampleCnt, opts);

  let bounds: number[];
  if (missingType === MISSING_NAN) {
    bounds = findBinWithZeroAsOneBin(distinct, counts, opts.maxBin - 1, totalSampleCnt - naCnt, opts.minDataInBin);
    bounds.push(NaN);
  } else {
    bounds = findBinWithZeroAsOneBin(distinct, counts, opts.maxBin, totalSampleCnt, opts.minDataInBin);
    if (missingType === MISSING_ZERO && bounds.length === 2) missingType = MISSING_NONE;
  }
  const numBin = bounds.length;
  const cntInBin = new Array<number>(numBin).fill(0);
  for (let i = 0, b = 0; i < distinct.length; i++) {
    while (distinct[i] > bounds[b] && b < numBin - 1) b++;
    cntInBin[b] += counts[i];
  }
  if (missingType === MISSING_NAN) cntInBin[numBin - 1] = naCnt;
  const mapper: NumericalBins = {
    kind: 'numerical',
    numBin,
    missingType,
    upperBounds: Float64Array.from(bounds),
    defaultBin: 0,
    mostFreqBin: 0,
    minValue: distinct[0],
    maxValue: distinct[distinct.length - 1],
    isTrivial: numBin <= 1,
  };
  finishMapper(mapper, cntInBin, totalSampleCnt, opts);
  return mapper;
}

function categoricalBins(
  distinct: number[],
  counts: number[],
  naCnt: number,
  totalSampleCnt: number,
  opts: BinOptions,
): CategoricalBins {
  const cats: number[] = [];
  const catCounts: number[] = [];
  for (let i = 0; i < distinct.length; i++) {
    const v = Math.trunc(distinct[i]);
    if (v < 0) naCnt += counts[i];
    else if (cats.length > 0 && cats[cats.length - 1] === v) catCounts[catCounts.length - 1] += counts[i];
    else {
      cats.push(v);
      catCounts.push(counts[i]);
    }
  }
  const binToCategory: number[] = [-1];
  const categoryToBin = new Map<number, number>([[-1, 0]]);
  const cntInBin = [0];
  let missingType = MISSING_NAN;
  const rest = totalSampleCnt - naCnt;
  if (rest > 0) {
    // Most frequent first; a stable sort keeps smaller categories first among equal counts, as LightGBM's does.
    const order = cats.map((_, i) => i).sort((a, b) => catCounts[b] - catCounts[a]);
    // (total - na) * 0.99f is a float product in LightGBM.
    const cutCnt = Math.trunc(Math.fround(Math.fround(rest) * Math.fround(0.99)) + 0.5);
    const distinctCnt = cats.length + (naCnt > 0 ? 1 : 0);
    const maxBin = Math.min(distinctCnt, opts.maxBin);
    let used = 0;
    let k = 0;
    while (k < order.length && (used < cutCnt || binToCategory.length < maxBin)) {
      const i = order[k];
      if (catCounts[i] < opts.minDataInBin && k > 1) break;
      categoryToBin.set(cats[i], binToCategory.length);
      binToCategory.push(cats[i]);
      used += catCounts[i];
      cntInBin.push(catCounts[i]);
      k++;
    }
    if (k === order.length && naCnt === 0) missingType = MISSING_NONE;
    cntInBin[0] = totalSampleCnt - used;
  }
  const mapper: CategoricalBins = {
    kind: 'categorical',
    numBin: binToCategory.length,
    missingType,
    binToCategory: Int32Array.from(binToCategory),
    categoryToBin,
    defaultBin: 0,
    mostFreqBin: 0,
    isTrivial: binToCategory.length <= 1,
  };
  finishMapper(mapper, cntInBin, totalSampleCnt, opts);
  return mapper;
}

function needFilter(cntInBin: number[], total: number, filterCnt: number, categorical: boolean): boolean {
  if (!categorical) {
    let left = 0;
    for (let i = 0; i < cntInBin.length - 1; i++) {
      left += cntInBin[i];
      if (left >= filterCnt && total - left >= filterCnt) return false;
    }
    return true;
  }
  if (cntInBin.length <= 2) {
    for (let i = 0; i < cntInBin.length - 1; i++) {
      if (cntInBin[i] >= filterCnt && total - cntInBin[i] >= filterCnt) return false;
    }
    return true;
  }
  return false;
}

function finishMapper(m: BinMapper, cntInBin: number[], total: number, opts: BinOptions): void {
  if (!m.isTrivial && opts.preFilter && needFilter(cntInBin, total, opts.minSplitData, m.kind === 'categorical'))
    m.isTrivial = true;
  if (m.isTrivial) return;
  m.defaultBin = valueToBin(m, 0);
  let most = 0;
  for (let i = 1; i < cntInBin.length; i++) if (cntInBin[i] > cntInBin[most]) most = i;
  m.mostFreqBin = most !== m.defaultBin && cntInBin[most] / total < 0.7 ? m.defaultBin : most;
}

/** The bin a raw value falls in. */
export function valueToBin(m: BinMapper, value: number): number {
  if (m.kind === 'categorical') {
    if (Number.isNaN(value)) return 0;
    const v = Math.trunc(value);
    if (v < 0) return 0;
    return m.categoryToBin.get(v) ?? 0;
  }
  if (Number.isNaN(value)) {
    if (m.missingType === MISSING_NAN) return m.numBin - 1;
    value = 0;
  }
  const b = m.upperBounds;
  let l = 0;
  let r = m.numBin - 1;
  if (m.missingType === MISSING_NAN) r--;
  while (l < r) {
    const mid = (r + l - 1) >> 1;
    if (value <= b[mid]) r = mid;
    else l = mid + 1;
  }
  return l;
}

/** The feature_infos entry LightGBM writes for this feature. */
export function featureInfo(m: BinMapper | undefined): string {
  if (!m || m.isTrivial) return 'none';
  if (m.kind === 'numerical') return `[${formatG17(m.minValue)}:${formatG17(m.maxValue)}]`;
  return [...m.binToCategory].join(':');
}
