// The replay's relevance model: an in-memory send/open log for fanFeatureRows, a model trained on it, batch scoring.

import type { DailyEngagement } from '../db/daily-engagement.ts';
import type { HoldoutMetrics } from '../domain/model-registry.ts';
import type { Channel, EventKind } from '../domain/vocabulary.ts';
import { snapshotsFromDaily } from '../models/engagement-snapshots.ts';
import { evaluateProbabilities } from '../models/evaluation.ts';
import { LABEL_HORIZON_MS } from '../models/examples.ts';
import {
  type FanHistory,
  FEATURE_NAMES,
  type FeatureName,
  type FeatureQuery,
  fanFeatureRows,
  LOOKBACK_MS,
  NUM_FEATURES,
  type PastClick,
  type PastOpen,
  type PastSend,
  type SnapshotAt,
} from '../models/features.ts';
import { trainModel } from '../models/gbdt/boosting.ts';
import type { DataFile } from '../models/gbdt/data-file.ts';
import { modelToText } from '../models/gbdt/model-text-write.ts';
import { parseArgs, resolveParams } from '../models/gbdt/params.ts';
import { loadRelevanceModel, type RelevanceModel } from '../models/relevance-model.ts';
import { DEFAULT_PARAMS } from '../models/relevance-training.ts';
import { simulateBaseline } from '../simulator/baseline.ts';
import { scheduleEvents } from '../simulator/events.ts';
import { openProbability } from '../simulator/response.ts';
import { chosenDigestHour, type World } from '../simulator/world.ts';
import type { HeldOutEvaluation, ReplayScorer, RunScorer } from './replay.ts';

const DAY = 86_400_000;

/**
 * What a policy's run has sent and what fans did, in the shape `models/feature-history.ts` loads from PostgreSQL:
 * per fan a FanHistory whose sends and opens stay sorted by time, plus daily sends and opens per creator and channel
 * for the engagement snapshots. Opens are recorded when their send is delivered (the ground truth already knows
 * when); `fanFeatureRows` only lets a row see those strictly before its decision time, as in production.
 */
export class FeatureLog {
  private readonly histories: FanHistory[];
  private readonly daily: Map<number, DailyEngagement>;
  private nextDecisionId: number;
  private snapshot: { day: number; at: SnapshotAt } | null = null;

  private constructor(histories: FanHistory[], daily: Map<number, DailyEngagement>, nextDecisionId: number) {
    this.histories = histories;
    this.daily = daily;
    this.nextDecisionId = nextDecisionId;
  }

  /**
   * An empty log for the world's fans, with their zones, tenure, digest hour and memberships
   * (creator id = creator index).
   */
  static empty(world: World): FeatureLog {
    const { fans, memberships: ms } = world;
    const histories: FanHistory[] = Array.from({ length: fans.count }, (_, i) => ({
      fan: {
        fanId: i,
        timeZone: world.zones[fans.zone[i]],
        createdAtMs: fans.tenureStartMs[i],
        digestHour: chosenDigestHour(world, i),
      },
      memberships: new Map(),
      sends: [],
      opens: [],
      clicks: [],
    }));
    for (let m = 0; m < ms.fan.length; m++) {
      (histories[ms.fan[m]].memberships as Map<number, unknown>).set(ms.creator[m], {
        creatorId: ms.creator[m],
        paid: ms.paid[m] === 1,
        tier: ms.tier[m],
        startedAtMs: ms.startedAtMs[m],
      });
    }
    return new FeatureLog(histories, new Map(), 1);
  }

  /** An independent copy: each policy's run continues the same prior history its own way. */
  fork(): FeatureLog {
    const histories = this.histories.map((h) => ({
      ...h,
      sends: [...h.sends],
      opens: [...h.opens],
      clicks: [...h.clicks],
    }));
    return new FeatureLog(histories, new Map([...this.daily].map(([k, d]) => [k, { ...d }])), this.nextDecisionId);
  }

  history(fan: number): FanHistory {
    return this.histories[fan];
  }

  /**
   * Records a delivered notification and, when the ground truth drew them, its open and click. Sends must come in
   * time order.
   */
  recordSend(
    fan: number,
    creatorId: number,
    channel: Channel,
    sentAtMs: number,
    openedAtMs: number | null,
    clickedAtMs: number | null = null,
  ): PastSend {
    const h = this.histories[fan];
    const sends = h.sends as PastSend[];
    const send: PastSend = { decisionId: this.nextDecisionId++, creatorId, channel, sentAtMs };
    sends.push(send);
    this.count(creatorId, channel, sentAtMs, 'sends');
    if (openedAtMs !== null) {
      const opens = h.opens as PastOpen[];
      let i = opens.length;
      while (i > 0 && opens[i - 1].occurredAtMs > openedAtMs) i--;
      opens.splice(i, 0, { decisionId: send.decisionId, creatorId, channel, occurredAtMs: openedAtMs });
      this.count(creatorId, channel, openedAtMs, 'opens');
    }
    if (clickedAtMs !== null) {
      const clicks = h.clicks as PastClick[];
      let i = clicks.length;
      while (i > 0 && clicks[i - 1].occurredAtMs > clickedAtMs) i--;
      clicks.splice(i, 0, { decisionId: send.decisionId, occurredAtMs: clickedAtMs });
    }
    // Past the lookback nothing is read; dropping it keeps each fan's replay short.
    if (sends.length > 64 && sends[0].sentAtMs < sentAtMs - LOOKBACK_MS - DAY) {
      const keepFrom = sentAtMs - LOOKBACK_MS - DAY;
      h.sends = sends.filter((s) => s.sentAtMs >= keepFrom);
      h.opens = h.opens.filter((o) => o.occurredAtMs >= keepFrom);
      h.clicks = h.clicks.filter((c) => c.occurredAtMs >= keepFrom);
    }
    return send;
  }

  private count(creatorId: number, channel: Channel, atMs: number, field: 'sends' | 'opens'): void {
    const day = Math.floor(atMs / DAY);
    const key = (day * 1_048_576 + creatorId) * 2 + (channel === 'email' ? 0 : 1);
    let row = this.daily.get(key);
    if (!row) {
      row = { creatorId, channel, day, sends: 0, opens: 0 };
      this.daily.set(key, row);
    }
    row[field]++;
  }

  /** Population and creator engagement as of the start of asOf's UTC day, from the days before it only. */
  snapshotAt(asOfMs: number): SnapshotAt {
    const day = Math.floor(asOfMs / DAY);
    if (this.snapshot?.day !== day)
      this.snapshot = { day, at: snapshotsFromDaily([...this.daily.values()].filter((d) => d.day < day)) };
    return this.snapshot.at;
  }

  /** Snapshots for any day up to the one after the last record: each day's still sums only the days before it. */
  frozenSnapshots(): SnapshotAt {
    return snapshotsFromDaily([...this.daily.values()]);
  }

  /** Feature rows for one fan's queries into out[offset ...], by the one definition in models/features.ts. */
  rows(fan: number, queries: readonly FeatureQuery[], out: Float64Array, offset: number): void {
    fanFeatureRows(this.histories[fan], queries, this.snapshotAt(queries[0].asOfMs), out, offset);
  }
}

/**
 * The baseline ("send now on every channel") played over [fromMs, toMs) into a log: the history a replay starts from.
 */
export function baselineHistory(
  world: World,
  fromMs: number,
  toMs: number,
  onSend?: (fan: number, send: PastSend, kind: EventKind, eventAtMs: number, openedAtMs: number | null) => void,
): FeatureLog {
  const log = FeatureLog.empty(world);
  const events = scheduleEvents(world, { fromMs, toMs });
  simulateBaseline(world, events, (s) => {
    const e = events[s.eventIndex];
    const r = s.response;
    const send = log.recordSend(s.fanIndex, e.creatorIndex, s.channel, s.sentAtMs, r.openedAtMs, r.clickedAtMs);
    onSend?.(s.fanIndex, send, e.kind, e.atMs, s.response.openedAtMs);
  });
  return log;
}

/** A baseline send with its label: opened within LABEL_HORIZON_MS of the send. */
export interface LabelledSend {
  fan: number;
  send: PastSend;
  kind: EventKind;
  eventAtMs: number;
  opened: boolean;
}

/** Feature rows of the sends, as of each one's decision time, fan by fan (one replay of each fan's history). */
function sendFeatureRows(log: FeatureLog, sends: readonly LabelledSend[]): Float64Array {
  const byFan = new Map<number, number[]>();
  sends.forEach((l, i) => {
    const list = byFan.get(l.fan);
    if (list) list.push(i);
    else byFan.set(l.fan, [i]);
  });
  const rows = new Float64Array(sends.length * NUM_FEATURES);
  let scratch = new Float64Array(0);
  const snapshots = log.frozenSnapshots();
  for (const [fan, idx] of byFan) {
    const queries: FeatureQuery[] = idx.map((i) => {
      const l = sends[i];
      return {
        asOfMs: l.send.sentAtMs,
        sendAtMs: l.send.sentAtMs,
        creatorId: l.send.creatorId,
        kind: l.kind,
        channel: l.send.channel,
        eventCreatedAtMs: l.eventAtMs,
      };
    });
    if (scratch.length < queries.length * NUM_FEATURES) scratch = new Float64Array(queries.length * NUM_FEATURES);
    fanFeatureRows(log.history(fan), queries, snapshots, scratch, 0);
    idx.forEach((i, j) => {
      rows.set(scratch.subarray(j * NUM_FEATURES, (j + 1) * NUM_FEATURES), i * NUM_FEATURES);
    });
  }
  return rows;
}

/** The simulator's true P(open) of each send, at the local hour and 24 h volume its feature row records. */
export function oracleOfRows(world: World, sends: readonly LabelledSend[], rows: Float64Array): Float64Array {
  const col = (name: (typeof FEATURE_NAMES)[number]) => FEATURE_NAMES.indexOf(name);
  return Float64Array.from(sends, (l, j) =>
    openProbability(world, {
      fanIndex: l.fan,
      creatorIndex: l.send.creatorId,
      kind: l.kind,
      channel: l.send.channel,
      localHour: rows[j * NUM_FEATURES + col('local_hour')],
      sentLast24h: rows[j * NUM_FEATURES + col('fan_sent_24h')],
    }),
  );
}

/** The baseline's sends of held-out days, with their feature rows, labels and the oracle's probabilities. */
export interface HeldOutRows {
  sends: readonly LabelledSend[];
  rows: Float64Array;
  labels: Float64Array;
  oracle: Float64Array;
}

/**
 * The baseline played on from `fromMs` (the history's start, so fatigue and features carry over) to `heldOutToMs`,
 * and every send of [trainedToMs, heldOutToMs) labelled as training labels are (opened within 24 h), with its
 * feature row as of its decision and the oracle's probability. At most `maxRows` rows (every k-th send).
 */
export function heldOutRows(
  world: World,
  window: { fromMs: number; toMs: number },
  heldOutToMs: number,
  maxRows = 400_000,
): HeldOutRows | null {
  const sends: LabelledSend[] = [];
  const log = baselineHistory(world, window.fromMs, heldOutToMs, (fan, send, kind, eventAtMs, openedAtMs) => {
    if (send.sentAtMs >= window.toMs)
      sends.push({
        fan,
        send,
        kind,
        eventAtMs,
        opened: openedAtMs !== null && openedAtMs < send.sentAtMs + LABEL_HORIZON_MS,
      });
  });
  if (sends.length === 0) return null;
  const stride = Math.max(1, Math.ceil(sends.length / maxRows));
  const kept = sends.filter((_, i) => i % stride === 0);
  const rows = sendFeatureRows(log, kept);
  const labels = Float64Array.from(kept, (l) => (l.opened ? 1 : 0));
  return { sends: kept, rows, labels, oracle: oracleOfRows(world, kept, rows) };
}

/**
 * The model against the oracle on days after its training window (`heldOutRows`): no row of these days was seen
 * by training or early stopping.
 */
export function evaluateHeldOut(
  world: World,
  model: RelevanceModel,
  window: { fromMs: number; toMs: number },
  heldOutToMs: number,
  maxRows = 400_000,
): HeldOutEvaluation | null {
  const held = heldOutRows(world, window, heldOutToMs, maxRows);
  if (!held) return null;
  return {
    fromMs: window.toMs,
    days: Math.round((heldOutToMs - window.toMs) / DAY),
    model: evaluateProbabilities(model.predict(held.rows), held.labels),
    oracle: evaluateProbabilities(held.oracle, held.labels),
  };
}

/** Sets column `name` of each row i to value(sends[i], row i). */
export function replaceColumn(
  rows: Float64Array,
  sends: readonly LabelledSend[],
  replace: { name: FeatureName; value: (send: LabelledSend, row: Float64Array) => number },
): void {
  const f = FEATURE_NAMES.indexOf(replace.name);
  sends.forEach((l, i) => {
    rows[i * NUM_FEATURES + f] = replace.value(l, rows.subarray(i * NUM_FEATURES, (i + 1) * NUM_FEATURES));
  });
}

export interface TrainedReplayModel {
  model: RelevanceModel;
  text: string;
  /** The baseline history the model learnt from; the replay's features continue from it. */
  log: FeatureLog;
  window: { fromMs: number; toMs: number };
  rows: { train: number; validation: number };
  bestIteration: number;
  trees: number;
  /**
   * On the validation day: the model's metrics and the oracle's (the simulator's true P(open)) on the same rows;
   * null without rows.
   */
  validation: { model: HoldoutMetrics; oracle: HoldoutMetrics } | null;
  trainMs: number;
}

export interface TrainReplayOptions {
  /** Keeps at most this many training rows (every k-th send of the window), to bound time and memory. */
  maxTrainRows?: number;
  params?: string[];
  log?: (line: string) => void;
  /** Told as each boosting iteration ends (of at most `total`), for a progress bar. */
  onIteration?: (iteration: number, total: number) => void;
  /** Features blanked (missing) in every training and validation row, for ablations: the model cannot use them. */
  dropFeatures?: readonly FeatureName[];
  /**
   * Diagnostics only: a column replaced in every training and validation row by a value computed from the send and
   * its row (for example what the simulator knows and no log holds), to measure what knowing it would be worth.
   */
  replaceFeature?: { name: FeatureName; value: (send: LabelledSend, row: Float64Array) => number };
}

/**
 * Plays the baseline ("send now on every channel") over [fromMs, toMs), records it, and trains our GBDT on it as
 * retrainModel does: one example per send, features as of its decision time, label = opened within 24 h, the last
 * day whose labels are complete by toMs held out for early stopping, nothing after toMs seen.
 */
export function trainReplayModel(
  world: World,
  fromMs: number,
  toMs: number,
  options: TrainReplayOptions = {},
): TrainedReplayModel {
  const labelled: LabelledSend[] = [];
  const labelsCompleteMs = toMs - LABEL_HORIZON_MS;
  const log = baselineHistory(world, fromMs, toMs, (fan, send, kind, eventAtMs, openedAtMs) => {
    if (send.sentAtMs < labelsCompleteMs)
      labelled.push({
        fan,
        send,
        kind,
        eventAtMs,
        opened: openedAtMs !== null && openedAtMs < send.sentAtMs + LABEL_HORIZON_MS,
      });
  });
  const validationFromMs = labelsCompleteMs - DAY;
  const max = options.maxTrainRows ?? Infinity;
  const trainCount = labelled.filter((l) => l.send.sentAtMs < validationFromMs).length;
  const stride = Math.max(1, Math.ceil(trainCount / max));
  const picked = labelled.filter((l, i) => l.send.sentAtMs >= validationFromMs || i % stride === 0);

  const rows = sendFeatureRows(log, picked);
  if (options.replaceFeature) replaceColumn(rows, picked, options.replaceFeature);
  for (const name of options.dropFeatures ?? []) {
    const f = FEATURE_NAMES.indexOf(name);
    for (let o = f; o < rows.length; o += NUM_FEATURES) rows[o] = NaN;
  }
  const split = (keep: (l: (typeof picked)[number]) => boolean): DataFile & { idx: number[] } => {
    const idx = picked.flatMap((l, i) => (keep(l) ? [i] : []));
    const r = new Float64Array(idx.length * NUM_FEATURES);
    idx.forEach((i, j) => {
      r.set(rows.subarray(i * NUM_FEATURES, (i + 1) * NUM_FEATURES), j * NUM_FEATURES);
    });
    return {
      format: 'tsv',
      rows: r,
      numRows: idx.length,
      numFeatures: NUM_FEATURES,
      labels: Float64Array.from(idx, (i) => (picked[i].opened ? 1 : 0)),
      hasLabel: true,
      featureNames: [...FEATURE_NAMES],
      ignoredFeatures: [],
      idx,
    };
  };
  const train = split((l) => l.send.sentAtMs < validationFromMs);
  const validation = split((l) => l.send.sentAtMs >= validationFromMs);
  if (train.numRows === 0) {
    throw new RangeError(
      `trainDays: the history window ${new Date(fromMs).toISOString()}..${new Date(toMs).toISOString()} ` +
        'gave no training rows; it needs sends before its last two days',
    );
  }
  const paramArgs = [...DEFAULT_PARAMS, ...(options.params ?? [])];
  const params = resolveParams(parseArgs([...paramArgs].reverse()));
  const t0 = performance.now();
  // A world too small to send anything on the validation day trains without early stopping.
  const valids = validation.numRows > 0 ? [validation] : [];
  const result = trainModel(train, valids, params, { onIteration: options.onIteration });
  const trainMs = performance.now() - t0;
  const text = modelToText(result.model);
  const model = loadRelevanceModel(0, text);
  if ('incompatible' in model) throw new Error(`trained model is unusable: ${model.incompatible}`);
  options.log?.(
    `trained ${result.model.trees.length} trees on ${train.numRows} rows in ${(trainMs / 1000).toFixed(1)} s`,
  );

  const oracle = oracleOfRows(
    world,
    validation.idx.map((i) => picked[i]),
    validation.rows,
  );
  return {
    model,
    text,
    log,
    window: { fromMs, toMs },
    rows: { train: train.numRows, validation: validation.numRows },
    bestIteration: result.bestIteration,
    trees: result.model.trees.length,
    validation:
      validation.numRows > 0
        ? {
            model: evaluateProbabilities(model.predict(validation.rows), validation.labels),
            oracle: evaluateProbabilities(oracle, validation.labels),
          }
        : null,
    trainMs,
  };
}

/**
 * Scores with a trained model. Each run forks `prior` (the history before the replay) and records its own sends and
 * opens, so a decision's features are those production would compute at that moment from that run's log.
 */
export function modelScorer(model: RelevanceModel, name: string, prior: FeatureLog): ReplayScorer {
  return {
    name,
    startRun(): RunScorer {
      const log = prior.fork();
      let rows = new Float64Array(4096 * NUM_FEATURES);
      const queries: FeatureQuery[] = [];
      const pool: FeatureQuery[] = [];
      return {
        scoreEvent(event, b) {
          if (rows.length < b.size * NUM_FEATURES) rows = new Float64Array(b.size * 2 * NUM_FEATURES);
          for (let i = 0; i < b.size; ) {
            const fan = b.fans[i];
            // Query objects are reused: fanFeatureRows reads them and keeps none.
            let n = 0;
            for (let j = i; j < b.size && b.fans[j] === fan; j++, n++) {
              let q = pool[n];
              if (q === undefined) {
                q = { asOfMs: 0, sendAtMs: 0, creatorId: 0, kind: 'post', channel: 'email', eventCreatedAtMs: 0 };
                pool[n] = q;
              }
              q.asOfMs = event.atMs;
              q.sendAtMs = b.sendAtMs[j];
              q.creatorId = event.creatorIndex;
              q.kind = event.kind;
              q.channel = b.channels[j];
              q.eventCreatedAtMs = event.atMs;
            }
            queries.length = n;
            for (let k = 0; k < n; k++) queries[k] = pool[k];
            log.rows(fan, queries, rows, i * NUM_FEATURES);
            i += n;
          }
          return model.predict(rows.subarray(0, b.size * NUM_FEATURES));
        },
        recordSend: (fan, creatorIndex, channel, sentAtMs, openedAtMs, clickedAtMs) =>
          void log.recordSend(fan, creatorIndex, channel, sentAtMs, openedAtMs, clickedAtMs),
      };
    },
  };
}
