// Labelled examples from the decision, delivery and engagement log: a row per sent notification, label = opened in 24h.
import { fanIdPage } from '../db/fans.ts';
import type { Pool } from '../db/pool.ts';
import { DAY_MS } from '../domain/time.ts';
import { loadSnapshots } from './engagement-snapshots.ts';
import { loadFanHistories } from './feature-history.ts';
import { type FeatureQuery, fanFeatureRows, LOOKBACK_MS, NUM_FEATURES } from './features.ts';

export const LABEL_HORIZON_MS = DAY_MS;

/** Examples as columns; row i of `rows` is NUM_FEATURES wide. */
export interface ExampleSet {
  numRows: number;
  rows: Float64Array;
  labels: Float64Array;
  decisionIds: Float64Array;
  fanIds: Float64Array;
  creatorIds: Float64Array;
  sentAtMs: Float64Array;
}

export interface ExtractOptions {
  /** Notifications sent in [fromMs, toMs); toMs must leave the label horizon behind the data's end. */
  fromMs: number;
  toMs: number;
  /** Fans per page: one query per table per page. */
  pageSize?: number;
  log?: (line: string) => void;
}

export interface ExtractStats {
  fans: number;
  pages: number;
  ms: number;
}

/** Grows column buffers as pages of examples arrive. */
class ExampleBuffer {
  numRows = 0;
  private capacity = 0;
  rows = new Float64Array(0);
  labels = new Float64Array(0);
  decisionIds = new Float64Array(0);
  fanIds = new Float64Array(0);
  creatorIds = new Float64Array(0);
  sentAtMs = new Float64Array(0);

  reserve(extra: number): void {
    const need = this.numRows + extra;
    if (need <= this.capacity) return;
    const capacity = Math.max(need, Math.ceil(this.capacity * 1.5), 1024);
    const grow = (a: Float64Array, width = 1) => {
      const b = new Float64Array(capacity * width);
      b.set(a.subarray(0, this.numRows * width));
      return b;
    };
    this.rows = grow(this.rows, NUM_FEATURES);
    this.labels = grow(this.labels);
    this.decisionIds = grow(this.decisionIds);
    this.fanIds = grow(this.fanIds);
    this.creatorIds = grow(this.creatorIds);
    this.sentAtMs = grow(this.sentAtMs);
    this.capacity = capacity;
  }

  finish(): ExampleSet {
    const n = this.numRows;
    return {
      numRows: n,
      rows: this.rows.slice(0, n * NUM_FEATURES),
      labels: this.labels.slice(0, n),
      decisionIds: this.decisionIds.slice(0, n),
      fanIds: this.fanIds.slice(0, n),
      creatorIds: this.creatorIds.slice(0, n),
      sentAtMs: this.sentAtMs.slice(0, n),
    };
  }
}

/**
 * Every notification sent in [fromMs, toMs) as a labelled example whose features are computed as
 * of its decision time by the same `fanFeatureRows` serving uses. Rows come in fan order, then time.
 */
export async function extractExamples(
  pool: Pool,
  options: ExtractOptions,
): Promise<ExampleSet & { stats: ExtractStats }> {
  const started = performance.now();
  const pageSize = options.pageSize ?? 5000;
  const snapshotAt = await loadSnapshots(pool, options.fromMs - LOOKBACK_MS, options.toMs);
  const buffer = new ExampleBuffer();
  let afterId = 0;
  let fans = 0;
  let pages = 0;
  for (;;) {
    const fanIds = await fanIdPage(pool, afterId, pageSize);
    if (fanIds.length === 0) break;
    afterId = fanIds[fanIds.length - 1];
    fans += fanIds.length;
    pages++;
    const histories = await loadFanHistories(pool, fanIds, {
      sendsFromMs: options.fromMs - LOOKBACK_MS,
      sendsToMs: options.toMs,
      opensFromMs: options.fromMs - LOOKBACK_MS,
      opensToMs: options.toMs + LABEL_HORIZON_MS,
    });
    for (const history of histories.values()) {
      const examples = history.sends.filter((s) => s.sentAtMs >= options.fromMs);
      if (examples.length === 0) continue;
      const openedAt = new Map(history.opens.map((o) => [o.decisionId, o.occurredAtMs]));
      const queries: FeatureQuery[] = examples.map((s) => ({
        asOfMs: Math.min(s.decidedAtMs, s.sentAtMs),
        sendAtMs: s.sentAtMs,
        creatorId: s.creatorId,
        kind: s.kind,
        channel: s.channel,
        eventCreatedAtMs: s.eventCreatedAtMs,
      }));
      buffer.reserve(examples.length);
      const base = buffer.numRows;
      fanFeatureRows(history, queries, snapshotAt, buffer.rows, base * NUM_FEATURES);
      examples.forEach((s, i) => {
        const open = openedAt.get(s.decisionId);
        buffer.labels[base + i] = open !== undefined && open < s.sentAtMs + LABEL_HORIZON_MS ? 1 : 0;
        buffer.decisionIds[base + i] = s.decisionId;
        buffer.fanIds[base + i] = history.fan.fanId;
        buffer.creatorIds[base + i] = s.creatorId;
        buffer.sentAtMs[base + i] = s.sentAtMs;
      });
      buffer.numRows += examples.length;
    }
    options.log?.(`features: ${fans} fans, ${buffer.numRows} examples`);
  }
  return { ...buffer.finish(), stats: { fans, pages, ms: performance.now() - started } };
}

/** The examples whose send time is in [fromMs, toMs), as a new set. */
export function sliceByTime(set: ExampleSet, fromMs: number, toMs: number): ExampleSet {
  const keep: number[] = [];
  for (let i = 0; i < set.numRows; i++) if (set.sentAtMs[i] >= fromMs && set.sentAtMs[i] < toMs) keep.push(i);
  const pick = (a: Float64Array) => Float64Array.from(keep, (i) => a[i]);
  const rows = new Float64Array(keep.length * NUM_FEATURES);
  keep.forEach((i, j) => {
    rows.set(set.rows.subarray(i * NUM_FEATURES, (i + 1) * NUM_FEATURES), j * NUM_FEATURES);
  });
  return {
    numRows: keep.length,
    rows,
    labels: pick(set.labels),
    decisionIds: pick(set.decisionIds),
    fanIds: pick(set.fanIds),
    creatorIds: pick(set.creatorIds),
    sentAtMs: pick(set.sentAtMs),
  };
}
