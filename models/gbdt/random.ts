// LightGBM's small linear-congruential generator, so that a seed picks the same samples LightGBM's sampling code would.

export class LcgRandom {
  private x: number;

  constructor(seed: number) {
    this.x = seed >>> 0;
  }

  private step(): number {
    this.x = (Math.imul(214013, this.x) + 2531011) >>> 0;
    return this.x;
  }

  /** Integer in [lower, upper) from the generator's 15-bit output. */
  nextShort(lower: number, upper: number): number {
    return (((this.step() >>> 16) & 0x7fff) % (upper - lower)) + lower;
  }

  /** Integer in [lower, upper) from the generator's 31-bit output. */
  nextInt(lower: number, upper: number): number {
    return ((this.step() & 0x7fffffff) % (upper - lower)) + lower;
  }

  /** Float in [0, 1), with 15 bits of resolution, rounded to single precision as LightGBM does. */
  nextFloat(): number {
    return Math.fround(((this.step() >>> 16) & 0x7fff) / 32768);
  }

  /** K distinct sorted integers from [0, N), chosen as LightGBM's Random::Sample chooses them. */
  sample(n: number, k: number): Int32Array {
    if (k > n || k <= 0) return new Int32Array(0);
    if (k === n) return Int32Array.from({ length: n }, (_, i) => i);
    if (k > 1 && k > n / Math.log2(k)) {
      const out = new Int32Array(k);
      let taken = 0;
      for (let i = 0; i < n; i++) {
        const prob = (k - taken) / (n - i);
        if (this.nextFloat() < prob) out[taken++] = i;
      }
      return out.subarray(0, taken);
    }
    const chosen = new Set<number>();
    for (let r = n - k; r < n; r++) {
      const v = this.nextInt(0, r + 1);
      if (chosen.has(v)) chosen.add(r);
      else chosen.add(v);
    }
    return Int32Array.from([...chosen].sort((a, b) => a - b));
  }
}
