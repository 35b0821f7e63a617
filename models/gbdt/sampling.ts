// Row bagging and per-tree feature sampling, drawn from LightGBM's generator the way LightGBM draws them.
import { LcgRandom } from './random.ts';

/** LightGBM draws bagging in blocks of 1024 rows, each block with its own generator seeded bagging_seed + block. */
const BAGGING_BLOCK = 1024;

export class Bagger {
  private readonly rands: LcgRandom[];
  private readonly bag: Int32Array;
  private readonly outOfBag: Int32Array;
  private inBag = 0;

  constructor(
    private readonly numRows: number,
    private readonly fraction: number,
    private readonly freq: number,
    seed: number,
  ) {
    this.rands = Array.from({ length: Math.ceil(numRows / BAGGING_BLOCK) }, (_, i) => new LcgRandom(seed + i));
    this.bag = new Int32Array(numRows);
    this.outOfBag = new Int32Array(numRows);
  }

  get enabled(): boolean {
    return this.freq > 0 && this.fraction < 1;
  }

  /** Re-draw the bag when the iteration calls for it; returns the in-bag rows, or null when bagging is off. */
  next(iteration: number): { bag: Int32Array; outOfBag: Int32Array } | null {
    if (!this.enabled) return null;
    if (iteration % this.freq === 0) {
      let nIn = 0;
      let nOut = 0;
      for (let i = 0; i < this.numRows; i++) {
        if (this.rands[(i / BAGGING_BLOCK) | 0].nextFloat() < this.fraction) this.bag[nIn++] = i;
        else this.outOfBag[nOut++] = i;
      }
      this.inBag = nIn;
    }
    return { bag: this.bag.subarray(0, this.inBag), outOfBag: this.outOfBag.subarray(0, this.numRows - this.inBag) };
  }
}

/** Chooses, per tree, which inner features may be split on (feature_fraction). */
export class FeatureSampler {
  private readonly rand: LcgRandom;
  private readonly used: Uint8Array;
  private readonly count: number;

  constructor(
    private readonly numFeatures: number,
    private readonly fraction: number,
    seed: number,
  ) {
    this.rand = new LcgRandom(seed);
    this.used = new Uint8Array(numFeatures).fill(1);
    this.count = Math.max(Math.trunc(numFeatures * fraction + 0.5), Math.min(1, numFeatures));
    // LightGBM also draws once when the learner is set up, before the first tree; keep its stream in step.
    if (fraction < 1) this.next();
  }

  next(): Uint8Array {
    if (this.fraction >= 1) return this.used;
    this.used.fill(0);
    for (const j of this.rand.sample(this.numFeatures, this.count)) this.used[j] = 1;
    return this.used;
  }
}
