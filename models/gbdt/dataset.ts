// Turn raw rows into the trainer's binned matrix: bin mappers from a row sample, then one byte per value, row-major.
import { type BinMapper, type BinOptions, findBins, valueToBin, ZERO_THRESHOLD } from './binning.ts';
import { LcgRandom } from './random.ts';

export interface BinnedData {
  numRows: number;
  /** Bins of the used features only: numRows × numUsed, row-major (histograms read whole rows). */
  bins: Uint8Array;
  /** The same bins feature-major, numUsed × numRows, when asked for (partitioning reads one feature). */
  columns?: Uint8Array;
  numUsed: number;
  /** Inner (used) feature → raw feature index. */
  realFeature: Int32Array;
  /** Per used feature, where its bins start in a histogram; numUsed + 1 entries. */
  binOffsets: Int32Array;
  totalBins: number;
}

export interface FeatureBins {
  /** Per raw feature; a trivial mapper (or undefined for ignored features) is never split on. */
  mappers: (BinMapper | undefined)[];
  realFeature: Int32Array;
  binOffsets: Int32Array;
}

export interface BinningOptions extends Omit<BinOptions, 'minSplitData'> {
  binConstructSampleCnt: number;
  dataRandomSeed: number;
  minDataInLeaf: number;
  categorical: ReadonlySet<number>;
  ignored: ReadonlySet<number>;
}

/** Choose each feature's bins from (a sample of) the rows, the way LightGBM samples and bins them. */
export function findFeatureBins(
  rows: Float64Array,
  numRows: number,
  numFeatures: number,
  opts: BinningOptions,
): FeatureBins {
  const sampleCnt = Math.min(numRows, opts.binConstructSampleCnt);
  const sampleRows = sampleCnt === numRows ? null : new LcgRandom(opts.dataRandomSeed).sample(numRows, sampleCnt);
  const minSplitData = Math.trunc((opts.minDataInLeaf * sampleCnt) / numRows);
  const mappers: (BinMapper | undefined)[] = [];
  const buf = new Float64Array(sampleCnt);
  for (let f = 0; f < numFeatures; f++) {
    if (opts.ignored.has(f)) {
      mappers.push(undefined);
      continue;
    }
    let n = 0;
    for (let i = 0; i < sampleCnt; i++) {
      const r = sampleRows ? sampleRows[i] : i;
      const v = rows[r * numFeatures + f];
      if (Math.abs(v) > ZERO_THRESHOLD || Number.isNaN(v)) buf[n++] = v;
    }
    mappers.push(findBins(buf.slice(0, n), sampleCnt, opts.categorical.has(f), { ...opts, minSplitData }));
  }
  const used: number[] = [];
  mappers.forEach((m, f) => {
    if (m && !m.isTrivial) used.push(f);
  });
  const binOffsets = new Int32Array(used.length + 1);
  used.forEach((f, i) => {
    const numBin = mappers[f]!.numBin;
    if (numBin > 256)
      throw new Error(`feature ${f} has ${numBin} bins; this trainer stores bins in one byte (max_bin <= 256)`);
    binOffsets[i + 1] = binOffsets[i] + numBin;
  });
  return { mappers, realFeature: Int32Array.from(used), binOffsets };
}

/** Bin every row with the given mappers (training data, or validation data with the training mappers). */
export function binRows(
  rows: Float64Array,
  numRows: number,
  numFeatures: number,
  fb: FeatureBins,
  withColumns = false,
): BinnedData {
  const numUsed = fb.realFeature.length;
  const columns = new Uint8Array(numRows * numUsed);
  for (let j = 0; j < numUsed; j++) {
    const f = fb.realFeature[j];
    const m = fb.mappers[f]!;
    const col = columns.subarray(j * numRows, (j + 1) * numRows);
    if (m.kind === 'numerical') {
      binNumericalColumn(rows, numRows, numFeatures, f, m.upperBounds, m.numBin, m.missingType === 2, col);
    } else {
      for (let r = 0; r < numRows; r++) col[r] = valueToBin(m, rows[r * numFeatures + f]);
    }
  }
  const bins = new Uint8Array(numRows * numUsed);
  for (let j = 0; j < numUsed; j++) {
    const base = j * numRows;
    for (let r = 0, k = j; r < numRows; r++, k += numUsed) bins[k] = columns[base + r];
  }
  const data: BinnedData = {
    numRows,
    bins,
    numUsed,
    realFeature: fb.realFeature,
    binOffsets: fb.binOffsets,
    totalBins: fb.binOffsets[numUsed],
  };
  if (withColumns) data.columns = columns;
  return data;
}

/** valueToBin for a whole column, inlined: a binary search over the bin upper bounds. */
function binNumericalColumn(
  rows: Float64Array,
  numRows: number,
  numFeatures: number,
  f: number,
  bounds: Float64Array,
  numBin: number,
  nanBin: boolean,
  out: Uint8Array,
): void {
  const last = nanBin ? numBin - 2 : numBin - 1;
  for (let r = 0; r < numRows; r++) {
    let v = rows[r * numFeatures + f];
    let bin: number;
    if (Number.isNaN(v) && nanBin) {
      bin = numBin - 1;
    } else {
      if (Number.isNaN(v)) v = 0;
      let l = 0;
      let h = last;
      while (l < h) {
        const mid = (h + l - 1) >> 1;
        if (v <= bounds[mid]) h = mid;
        else l = mid + 1;
      }
      bin = l;
    }
    out[r] = bin;
  }
}
