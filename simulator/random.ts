// A small seeded PRNG (mulberry32) with the draws the simulator needs, and seed mixing giving each identity its stream.

/** Finalizer from MurmurHash3: spreads every input bit over the whole 32-bit word. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over the UTF-16 code units of a string, then mixed; stable across runs and platforms. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/**
 * One 32-bit seed from several parts, order-sensitive. Numbers must be integers in the safe range;
 * strings are hashed first. Used to give each (world, purpose, entity) its own independent stream,
 * so a draw never depends on how many draws happened before it elsewhere.
 */
export function mixSeed(...parts: Array<number | string>): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    if (typeof part === 'string') {
      h = fmix32(h ^ hashString(part));
    } else {
      // Split into two 32-bit halves so large integers (epoch milliseconds) keep all their bits.
      const low = (part % 0x100000000) >>> 0;
      const high = Math.floor(part / 0x100000000) >>> 0;
      h = fmix32(Math.imul(h ^ low, 0x27d4eb2d) + 0x165667b1);
      h = fmix32(Math.imul(h ^ high, 0x27d4eb2d) + 0x165667b1);
    }
  }
  return h;
}

export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). mulberry32: 32 bits of state, period 2^32, plenty for a simulated world. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  bernoulli(p: number): boolean {
    return this.next() < p;
  }

  /** Standard normal by Box-Muller; the second value is discarded to keep the stream position simple. */
  normal(mean = 0, sd = 1): number {
    const u = 1 - this.next();
    const v = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** exp(N(mu, sigma)): median e^mu. */
  lognormal(mu: number, sigma: number): number {
    return Math.exp(this.normal(mu, sigma));
  }

  exponential(rate: number): number {
    return -Math.log(1 - this.next()) / rate;
  }

  /** Knuth's multiplication method for small means, a rounded normal approximation above 30. */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 30) return Math.max(0, Math.round(this.normal(mean, Math.sqrt(mean))));
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }

  /** Index drawn with probability proportional to its weight, by binary search over cumulative weights. */
  weighted(cumulative: ArrayLike<number>): number {
    const total = cumulative[cumulative.length - 1];
    const target = this.next() * total;
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (cumulative[mid] > target) high = mid;
      else low = mid + 1;
    }
    return low;
  }

  /** Fisher-Yates, in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}

/** Running sums of the weights, the form `Rng.weighted` takes; build it once per distribution. */
export function cumulativeWeights(weights: ArrayLike<number>): Float64Array {
  const out = new Float64Array(weights.length);
  let sum = 0;
  for (let i = 0; i < weights.length; i++) {
    sum += weights[i];
    out[i] = sum;
  }
  return out;
}

/** Zipf weights over ranks 1..n: weight of rank r is r^-exponent. */
export function zipfWeights(n: number, exponent: number): Float64Array {
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) out[r] = (r + 1) ** -exponent;
  return out;
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export function logit(p: number): number {
  return Math.log(p / (1 - p));
}
