// Seeded synthetic data for the tree-engine benchmarks: 30 features like ours, ~7% positives, TSV in a cache dir.
import { closeSync, existsSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { readToolPaths } from '../app/config.ts';

export const NOTIFICATION_FEATURES = [
  'hour_of_day',
  'day_of_week',
  'channel_id',
  'platform_id',
  'tier_id',
  'creator_category_id',
  'locale_id',
  'sends_7d',
  'opens_7d',
  'clicks_7d',
  'sends_30d',
  'opens_30d',
  'clicks_30d',
  'unsubscribes_90d',
  'open_rate_30d',
  'click_rate_30d',
  'creator_open_rate',
  'creator_click_rate',
  'hours_since_last_open',
  'hours_since_last_send',
  'membership_age_days',
  'pledge_amount',
  'posts_7d',
  'comments_30d',
  'session_minutes_7d',
  'devices',
  'local_hour_affinity',
  'quiet_hours',
  'event_priority',
  'digest_size',
] as const;

export const NUM_FEATURES = NOTIFICATION_FEATURES.length;

/** mulberry32: small, fast and seedable; the same seed gives the same data on every machine. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Draw {
  constructor(readonly u: () => number) {}
  normal(): number {
    return Math.sqrt(-2 * Math.log(1 - this.u())) * Math.cos(2 * Math.PI * this.u());
  }
  lognormal(mu: number, sigma: number): number {
    return Math.exp(mu + sigma * this.normal());
  }
  poisson(mean: number): number {
    if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
    const limit = Math.exp(-mean);
    let k = 0;
    for (let p = this.u(); p > limit; p *= this.u()) k += 1;
    return k;
  }
  int(n: number): number {
    return Math.floor(this.u() * n);
  }
  /** NaN with probability p, else x: the ~5% missing values of a few columns. */
  missing(x: number, p: number): number {
    return this.u() < p ? NaN : x;
  }
}

export interface NotificationRows {
  /** numRows × NUM_FEATURES, row-major. */
  rows: Float64Array;
  labels: Float64Array;
  numRows: number;
}

/** Generates rows; the label comes from a hidden logistic score of a few features, tuned for ~7% positives. */
export function generateNotificationRows(numRows: number, seed: number): NotificationRows {
  const d = new Draw(generator(seed));
  const rows = new Float64Array(numRows * NUM_FEATURES);
  const labels = new Float64Array(numRows);
  const f = new Float64Array(NUM_FEATURES);
  for (let r = 0; r < numRows; r += 1) {
    const engagement = d.lognormal(0, 1);
    f[0] = d.int(24);
    f[1] = d.int(7);
    f[2] = d.int(4);
    f[3] = d.int(3);
    f[4] = d.int(5);
    f[5] = d.int(21);
    f[6] = d.int(12);
    f[7] = d.poisson(3 + engagement * 2);
    f[8] = d.poisson(f[7] * Math.min(0.9, 0.15 * engagement));
    f[9] = d.poisson(f[8] * 0.3);
    f[10] = f[7] + d.poisson(9 + engagement * 6);
    f[11] = f[8] + d.poisson((f[10] - f[7]) * Math.min(0.9, 0.15 * engagement));
    f[12] = f[9] + d.poisson(f[11] * 0.25);
    f[13] = d.poisson(0.05);
    f[14] = f[10] > 0 ? f[11] / f[10] : NaN;
    f[15] = f[11] > 0 ? f[12] / f[11] : 0;
    f[16] = d.missing(Math.min(1, d.lognormal(-1.8, 0.5)), 0.05);
    f[17] = d.missing(Math.min(1, d.lognormal(-3, 0.6)), 0.05);
    f[18] = d.missing(d.lognormal(3, 1.5), 0.05);
    f[19] = d.lognormal(2, 1.2);
    f[20] = Math.floor(d.lognormal(5, 1.1));
    f[21] = Math.round(d.lognormal(1.8, 0.8) * 100) / 100;
    f[22] = d.poisson(2);
    f[23] = d.poisson(engagement * 1.5);
    f[24] = d.missing(d.lognormal(2.5, 1.3) * engagement, 0.05);
    f[25] = 1 + d.poisson(0.4);
    f[26] = Math.cos(((f[0] - 19) / 24) * 2 * Math.PI) * 0.5 + 0.5 + d.normal() * 0.1;
    f[27] = f[0] < 7 || f[0] >= 23 ? 1 : 0;
    f[28] = d.int(3);
    f[29] = d.poisson(1.2);
    const openRate = Number.isNaN(f[14]) ? 0.1 : f[14];
    const recency = Number.isNaN(f[18]) ? 3 : Math.log1p(f[18]);
    const score =
      -4.75 +
      2.2 * openRate +
      3 * f[15] +
      0.9 * f[26] -
      0.9 * f[27] +
      0.35 * f[28] -
      0.25 * recency +
      0.4 * Math.log1p(f[9]) -
      1.5 * f[13] +
      (f[2] === 1 ? 0.5 : 0) +
      0.3 * d.normal();
    labels[r] = d.u() < 1 / (1 + Math.exp(-score)) ? 1 : 0;
    rows.set(f, r * NUM_FEATURES);
  }
  return { rows, labels, numRows };
}

/** Where the benchmark data lives: ${FANFARE_CACHE:-$HOME/.cache/fanfare}/notification-data. */
export function notificationDataDir(): string {
  return join(readToolPaths().cacheDir, 'notification-data');
}

/** Writes rows as LightGBM reads TSV: label first, NaN as "nan", no header. */
export function writeTsv(path: string, data: NotificationRows): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    const CHUNK = 10_000;
    for (let start = 0; start < data.numRows; start += CHUNK) {
      const lines: string[] = [];
      for (let r = start; r < Math.min(data.numRows, start + CHUNK); r += 1) {
        const cells = [String(data.labels[r])];
        for (let j = 0; j < NUM_FEATURES; j += 1) {
          const v = data.rows[r * NUM_FEATURES + j];
          cells.push(Number.isNaN(v) ? 'nan' : String(v));
        }
        lines.push(cells.join('\t'));
      }
      writeSync(fd, `${lines.join('\n')}\n`);
    }
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export const TRAIN_SEED = 20240601;
export const TEST_SEED = 20240602;

/** Makes train.tsv (1,000,000 rows) and test.tsv (200,000 rows) unless they exist; returns their paths. */
export function ensureNotificationData(trainRows = 1_000_000, testRows = 200_000): { train: string; test: string } {
  const dir = notificationDataDir();
  mkdirSync(dir, { recursive: true });
  const train = join(dir, `train-${trainRows}.tsv`);
  const test = join(dir, `test-${testRows}.tsv`);
  if (!existsSync(train)) writeTsv(train, generateNotificationRows(trainRows, TRAIN_SEED));
  if (!existsSync(test)) writeTsv(test, generateNotificationRows(testRows, TEST_SEED));
  return { train, test };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const paths = ensureNotificationData();
  process.stdout.write(`${paths.train}\n${paths.test}\n`);
}
