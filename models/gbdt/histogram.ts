// Gradient/hessian histograms of a leaf over the used features, and the parent-minus-sibling subtraction.

/**
 * Sum each row's gradient and hessian into its bin of every feature. `hist` holds (gradient, hessian) pairs,
 * feature j's bins starting at binOffsets[j]; it is cleared first. Rows are indices[start, start + count).
 * Gradients arrive already gathered in leaf order (LightGBM's "ordered gradients"), so this loop
 * reads them sequentially.
 */
export function buildHistogram(
  hist: Float64Array,
  bins: Uint8Array,
  numUsed: number,
  binOffsets: Int32Array,
  indices: Int32Array,
  start: number,
  count: number,
  orderedGrad: Float32Array,
  orderedHess: Float32Array,
): void {
  hist.fill(0);
  const off = binOffsets;
  if (numUsed === 0) return;
  // Doubling each offset once here keeps the hot loop to one add and one shift per value.
  const off2 = new Int32Array(numUsed);
  for (let j = 0; j < numUsed; j++) off2[j] = off[j] << 1;
  const end = start + count;
  for (let i = start; i < end; i++) {
    const base = indices[i] * numUsed;
    const g = orderedGrad[i - start];
    const h = orderedHess[i - start];
    for (let j = 0; j < numUsed; j++) {
      const k = off2[j] + (bins[base + j] << 1);
      hist[k] += g;
      hist[k + 1] += h;
    }
  }
}

/** larger = parent − smaller, in place over the parent's histogram. */
export function subtractHistogram(parentToLarger: Float64Array, smaller: Float64Array): void {
  for (let k = 0; k < parentToLarger.length; k++) parentToLarger[k] -= smaller[k];
}

/**
 * LightGBM never accumulates a feature's most frequent bin; it derives it as the leaf total minus every other bin
 * (Dataset::FixHistogram). Doing the same keeps near-tied gains, and so the chosen thresholds, identical to LightGBM's.
 * With `onlyBinZero`, only features whose most frequent bin is 0 are fixed: LightGBM does not store that bin at all,
 * so it recomputes it for every leaf rather than inheriting it by subtraction.
 */
export function fixMostFrequentBins(
  hist: Float64Array,
  binOffsets: Int32Array,
  mostFreqBins: Int32Array,
  sumGradient: number,
  sumHessian: number,
  onlyBinZero: boolean,
): void {
  for (let j = 0; j < mostFreqBins.length; j++) {
    const mfb = mostFreqBins[j];
    if (onlyBinZero && mfb !== 0) continue;
    const start = binOffsets[j];
    const numBin = binOffsets[j + 1] - start;
    let g = sumGradient;
    let h = sumHessian;
    for (let b = 0; b < numBin; b++) {
      if (b === mfb) continue;
      const k = (start + b) << 1;
      g -= hist[k];
      h -= hist[k + 1];
    }
    hist[(start + mfb) << 1] = g;
    hist[((start + mfb) << 1) + 1] = h;
  }
}

export type HistogramBuilder = (
  hist: Float64Array,
  bins: Uint8Array,
  indices: Int32Array,
  start: number,
  count: number,
  orderedGrad: Float32Array,
  orderedHess: Float32Array,
) => unknown;

/**
 * buildHistogram specialised to one data set: the feature loop unrolled, each feature's bin offset a constant.
 * This is the trainer's hottest loop; unrolled it runs markedly faster than the generic loop it must equal.
 */
export function compileHistogramBuilder(numUsed: number, binOffsets: Int32Array, numRows: number): HistogramBuilder {
  const lines: string[] = [];
  for (let j = 0; j < numUsed; j++) {
    lines.push(`k = (bins[b + ${j}] + ${binOffsets[j]}) << 1; hist[k] += g; hist[k + 1] += h;`);
  }
  // Rows of a small leaf are far apart, so each is a cache miss the hardware prefetcher cannot foresee. JavaScript has
  // no prefetch instruction; loading one byte of each of the next eight rows together lets those misses overlap.
  const touch = Array.from({ length: 8 }, (_, t) => `bins[indices[i + ${8 + t}] * ${numUsed}]`).join(' + ');
  const row = (prefetch: boolean) => `
      ${prefetch ? `if ((o & 7) === 0 && i + 16 <= end) touched += ${touch};` : ''}
      const b = indices[i] * ${numUsed};
      const g = orderedGrad[o];
      const h = orderedHess[o];
      ${lines.join(' ')}`;
  const body = `
    hist.fill(0);
    const end = start + count;
    let k = 0;
    let touched = 0;
    if (count * 2 < ${numRows}) {
      for (let i = start, o = 0; i < end; i++, o++) {${row(true)}
      }
    } else {
      for (let i = start, o = 0; i < end; i++, o++) {${row(false)}
      }
    }
    return touched;`;
  return new Function(
    'hist',
    'bins',
    'indices',
    'start',
    'count',
    'orderedGrad',
    'orderedHess',
    body,
  ) as HistogramBuilder;
}
