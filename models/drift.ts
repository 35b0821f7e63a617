// Feature drift: the population stability index of each feature between a reference sample and a current one (pure).

/** Added to every bin's share, so an empty bin on one side gives a large but finite term instead of infinity. */
const EMPTY_SHARE = 1e-4;

/**
 * Bin upper bounds at the reference's quantiles (deciles by default), repeated values merged: a feature with three
 * values gets three bins, however many quantiles fall on each.
 */
export function quantileEdges(reference: ArrayLike<number>, bins = 10): number[] {
  const finite = Float64Array.from(Array.prototype.filter.call(reference, Number.isFinite) as number[]).sort();
  const edges: number[] = [];
  if (finite.length === 0) return edges;
  for (let k = 1; k < bins; k++) {
    const edge = finite[Math.min(finite.length - 1, Math.floor((k * finite.length) / bins))];
    if (edges.length === 0 || edge > edges[edges.length - 1]) edges.push(edge);
  }
  return edges;
}

/** Counts per bin: `x < edges[0]`, …, `x >= edges[last]`, and a last bin for missing (non-finite) values. */
export function binCounts(values: ArrayLike<number>, edges: readonly number[]): Float64Array {
  const counts = new Float64Array(edges.length + 2);
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (!Number.isFinite(x)) {
      counts[edges.length + 1]++;
      continue;
    }
    let b = 0;
    while (b < edges.length && x >= edges[b]) b++;
    counts[b]++;
  }
  return counts;
}

/** PSI = Σ (current share − reference share) · ln(current share / reference share), over the same bins. */
export function psiOfCounts(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  if (reference.length !== current.length)
    throw new RangeError(`current: ${current.length} bins, but the reference has ${reference.length}`);
  let refTotal = 0;
  let curTotal = 0;
  for (let b = 0; b < reference.length; b++) {
    refTotal += reference[b];
    curTotal += current[b];
  }
  if (refTotal === 0 || curTotal === 0) throw new RangeError('reference, current: each needs at least one value');
  let psi = 0;
  for (let b = 0; b < reference.length; b++) {
    if (reference[b] === 0 && current[b] === 0) continue;
    const r = reference[b] / refTotal + EMPTY_SHARE;
    const c = current[b] / curTotal + EMPTY_SHARE;
    psi += (c - r) * Math.log(c / r);
  }
  return psi;
}

/** The PSI of one feature: bins from the reference's quantiles, both samples counted into them. */
export function populationStabilityIndex(reference: ArrayLike<number>, current: ArrayLike<number>, bins = 10): number {
  const edges = quantileEdges(reference, bins);
  return psiOfCounts(binCounts(reference, edges), binCounts(current, edges));
}

/** Column `j` of row-major rows `width` wide. */
function column(rows: Float64Array, width: number, j: number): Float64Array {
  const n = rows.length / width;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = rows[i * width + j];
  return out;
}

/** The PSI of every feature, in `names` order, between two row-major samples of `names.length` columns. */
export function featureDrift(
  reference: Float64Array,
  current: Float64Array,
  names: readonly string[],
): { feature: string; psi: number }[] {
  const width = names.length;
  if (reference.length % width !== 0 || current.length % width !== 0)
    throw new RangeError(`reference, current: must hold whole rows of ${width} features`);
  return names.map((feature, j) => ({
    feature,
    psi: populationStabilityIndex(column(reference, width, j), column(current, width, j)),
  }));
}
