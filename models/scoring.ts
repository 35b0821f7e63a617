// Serving: the active model, loaded once per process and swapped when the registry changes, scoring candidates.

import { activeModelVersion, modelText } from '../db/models.ts';
import type { Pool } from '../db/pool.ts';
import type { Contribution } from '../domain/decision.ts';
import { DAY_MS } from '../domain/time.ts';
import type { Channel, EventKind } from '../domain/vocabulary.ts';
import { loadSnapshots } from './engagement-snapshots.ts';
import { loadFanHistories } from './feature-history.ts';
import {
  type FanHistory,
  type FeatureQuery,
  fanFeatureRows,
  LOOKBACK_MS,
  NUM_FEATURES,
  type SnapshotAt,
} from './features.ts';
import { loadModelExplainer, loadRelevanceModel, type ModelExplainer, type RelevanceModel } from './relevance-model.ts';

/** The event a batch of candidates would announce. */
export interface ScoringEvent {
  creatorId: number;
  kind: EventKind;
  createdAtMs: number;
}

/** One candidate notification: this fan, on this channel, at this send time. */
export interface ScoringCandidate {
  fanId: number;
  channel: Channel;
  sendAtMs: number;
}

export interface ScoredCandidates {
  /** The model that scored, or null when none is active (then scores is null: no made-up numbers). */
  modelVersion: number | null;
  /** Why there are no scores, e.g. "no active model". */
  unscoredReason: string | null;
  /** P(open within 24 h) per candidate, in candidate order. */
  scores: Float64Array | null;
  /** The feature rows, NUM_FEATURES per candidate, for explanations. */
  rows: Float64Array;
  /** Candidate i's feature row (a view into rows), what its decision records to be explained later. */
  featureRow(i: number): Float64Array;
  /** Top-k SHAP contributions of candidate i; empty without a model. */
  explain(i: number, k?: number): Contribution[];
  /** The model's base value (mean log-odds) the contributions start from; null without a model. */
  baseLogOdds: number | null;
}

/** The page of fans' histories a decision at `asOfMs` sees: the lookback window before it. */
function servingHistories(pool: Pool, fanIds: readonly number[], asOfMs: number) {
  return loadFanHistories(pool, fanIds, {
    sendsFromMs: asOfMs - LOOKBACK_MS,
    sendsToMs: asOfMs,
    opensFromMs: asOfMs - LOOKBACK_MS,
    opensToMs: asOfMs,
  });
}

/** Indexes grouped by fan, in first-seen order. */
function indexesByFan(count: number, fanOf: (i: number) => number): Map<number, number[]> {
  const byFan = new Map<number, number[]>();
  for (let i = 0; i < count; i++) {
    const fanId = fanOf(i);
    const list = byFan.get(fanId);
    if (list) list.push(i);
    else byFan.set(fanId, [i]);
  }
  return byFan;
}

/** Whether sorted indexes are a run of consecutive ones. */
function consecutive(indexes: readonly number[]): boolean {
  return indexes[indexes.length - 1] - indexes[0] === indexes.length - 1;
}

/**
 * Writes one fan's feature rows into `out`, at the blocks of `width` numbers that `indexes` name: in place when the
 * blocks are consecutive, else through a scratch block kept for the next fan.
 */
function fanRowsWriter(
  out: Float64Array,
  width: number,
): (history: FanHistory, queries: readonly FeatureQuery[], snapshotAt: SnapshotAt, indexes: readonly number[]) => void {
  let scratch = new Float64Array(0);
  return (history, queries, snapshotAt, indexes) => {
    if (consecutive(indexes)) {
      fanFeatureRows(history, queries, snapshotAt, out, indexes[0] * width);
      return;
    }
    if (scratch.length < indexes.length * width) scratch = new Float64Array(indexes.length * width);
    fanFeatureRows(history, queries, snapshotAt, scratch);
    indexes.forEach((i, j) => {
      out.set(scratch.subarray(j * width, (j + 1) * width), i * width);
    });
  };
}

/**
 * Feature rows for candidates of one event decided at `asOfMs`, built by the same replay as training
 * rows, from one query per table for all the candidates' fans.
 */
export async function candidateFeatureRows(
  pool: Pool,
  event: ScoringEvent,
  candidates: readonly ScoringCandidate[],
  asOfMs: number,
  snapshotAt: SnapshotAt,
): Promise<Float64Array> {
  const out = new Float64Array(candidates.length * NUM_FEATURES);
  const byFan = indexesByFan(candidates.length, (i) => candidates[i].fanId);
  const histories = await servingHistories(pool, [...byFan.keys()], asOfMs);
  const write = fanRowsWriter(out, NUM_FEATURES);
  for (const [fanId, indexes] of byFan) {
    const history = histories.get(fanId);
    if (!history) throw new RangeError(`fanId: no fan with id ${fanId}`);
    const queries: FeatureQuery[] = indexes.map((i) => ({
      asOfMs,
      sendAtMs: candidates[i].sendAtMs,
      creatorId: event.creatorId,
      kind: event.kind,
      channel: candidates[i].channel,
      eventCreatedAtMs: event.createdAtMs,
    }));
    write(history, queries, snapshotAt, indexes);
  }
  return out;
}

/** Every (fan, channel) pair at every one of the send times: row p·T + j is pair p at sendTimesMs[j] (T times). */
export interface CandidateGrid {
  pairs: readonly { fanId: number; channel: Channel }[];
  sendTimesMs: readonly number[];
}

/**
 * candidateFeatureRows for a grid, the shape of a page of decisions: the same rows, without an object per row. The
 * queries of a fan's pairs depend only on their channels, so fans on the same channels share one list.
 */
export async function gridFeatureRows(
  pool: Pool,
  event: ScoringEvent,
  grid: CandidateGrid,
  asOfMs: number,
  snapshotAt: SnapshotAt,
): Promise<Float64Array> {
  const { pairs, sendTimesMs } = grid;
  const perPair = sendTimesMs.length * NUM_FEATURES;
  const out = new Float64Array(pairs.length * perPair);
  const byFan = indexesByFan(pairs.length, (p) => pairs[p].fanId);
  const histories = await servingHistories(pool, [...byFan.keys()], asOfMs);
  const queriesByChannels = new Map<string, FeatureQuery[]>();
  const write = fanRowsWriter(out, perPair);
  for (const [fanId, indexes] of byFan) {
    const history = histories.get(fanId);
    if (!history) throw new RangeError(`fanId: no fan with id ${fanId}`);
    const channels = indexes.map((p) => pairs[p].channel);
    const key = channels.join(',');
    let queries = queriesByChannels.get(key);
    if (!queries) {
      queries = channels.flatMap((channel) =>
        sendTimesMs.map((sendAtMs) => ({
          asOfMs,
          sendAtMs,
          creatorId: event.creatorId,
          kind: event.kind,
          channel,
          eventCreatedAtMs: event.createdAtMs,
        })),
      );
      queriesByChannels.set(key, queries);
    }
    write(history, queries, snapshotAt, indexes);
  }
  return out;
}

export interface RelevanceScorer {
  /**
   * Scores many (fan, channel, send time) candidates of one event in one call, with the active model, or with the
   * stored `modelVersion` an experiment's arm names.
   */
  scoreCandidates(
    event: ScoringEvent,
    candidates: readonly ScoringCandidate[],
    asOfMs: number,
    modelVersion?: number,
  ): Promise<ScoredCandidates>;
  /** scoreCandidates for a grid of (fan, channel) pairs and send times; scores and rows in grid order. */
  scoreGrid(event: ScoringEvent, grid: CandidateGrid, asOfMs: number, modelVersion?: number): Promise<ScoredCandidates>;
  /**
   * The top-k contributions of a recorded decision, from the feature row and model version it stored: exactly what
   * explaining it when it was made gave (the same row, model and TreeSHAP). Null when that model's text is gone.
   */
  explainStored(modelVersion: number, features: ArrayLike<number>, k?: number): Promise<Contribution[] | null>;
}

/** Contributions an explanation shows: enough to say why, few enough to read. */
export const TOP_CONTRIBUTIONS = 5;

export interface ScorerDeps {
  pool: Pool;
  log?: (line: string) => void;
}

/**
 * One per worker process. Before each call it asks the registry for the active version (one
 * indexed row) and loads and compiles the model only when that changed, so a promotion or
 * rollback takes effect on the next batch without a restart.
 */
export function createRelevanceScorer(deps: ScorerDeps): RelevanceScorer {
  const log = deps.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  let loaded: { version: number; model: RelevanceModel | null; reason: string | null } | null = null;
  let noModelLogged = false;
  let snapshots: { day: number; at: Promise<SnapshotAt> } | null = null;
  /** Versions arms name, loaded once each: a stored model's text never changes. */
  const pinned = new Map<number, { model: RelevanceModel | null; reason: string | null }>();

  async function pinnedModel(version: number): Promise<{ model: RelevanceModel | null; reason: string | null }> {
    const hit = pinned.get(version);
    if (hit) return hit;
    const text = await modelText(deps.pool, version);
    const result = text === null ? { incompatible: `model ${version} has no text` } : loadRelevanceModel(version, text);
    const entry =
      'incompatible' in result ? { model: null, reason: result.incompatible } : { model: result, reason: null };
    pinned.set(version, entry);
    return entry;
  }

  async function activeModel(): Promise<{ model: RelevanceModel | null; reason: string | null }> {
    const version = await activeModelVersion(deps.pool);
    if (version === null) {
      loaded = null;
      if (!noModelLogged) {
        noModelLogged = true;
        log(
          'relevance model: no active model yet; ' +
            'decisions use the baseline policy until one is promoted ("fanfare train")',
        );
      }
      return { model: null, reason: 'no active model' };
    }
    noModelLogged = false;
    if (loaded?.version !== version) {
      const text = await modelText(deps.pool, version);
      const result =
        text === null ? { incompatible: `model ${version} has no text` } : loadRelevanceModel(version, text);
      loaded =
        'incompatible' in result
          ? { version, model: null, reason: result.incompatible }
          : { version, model: result, reason: null };
      log(
        loaded.model
          ? `relevance model: serving model ${version}`
          : `relevance model: cannot serve model ${version}: ${loaded.reason}`,
      );
    }
    return { model: loaded.model, reason: loaded.reason };
  }

  /** Explainers of the versions recorded decisions name, loaded once each (null: no text to load). */
  const explainers = new Map<number, Promise<ModelExplainer | null>>();
  function storedExplainer(version: number): Promise<ModelExplainer | null> {
    let hit = explainers.get(version);
    if (!hit) {
      hit = modelText(deps.pool, version).then((text) => (text === null ? null : loadModelExplainer(version, text)));
      explainers.set(version, hit);
      hit.catch(() => explainers.delete(version));
    }
    return hit;
  }

  /** A day's population and creator engagement is read once per process per day. */
  function snapshotAt(asOfMs: number): Promise<SnapshotAt> {
    const day = Math.floor(asOfMs / DAY_MS);
    if (snapshots?.day !== day) {
      const at = loadSnapshots(deps.pool, asOfMs, asOfMs);
      snapshots = { day, at };
      at.catch(() => (snapshots = null));
    }
    return snapshots!.at;
  }

  /** Scores the rows `build` makes with the active model, or the pinned version. */
  async function score(
    modelVersion: number | undefined,
    build: (snapshotAt: SnapshotAt) => Promise<Float64Array>,
    asOfMs: number,
  ): Promise<ScoredCandidates> {
    const { model, reason } = modelVersion === undefined ? await activeModel() : await pinnedModel(modelVersion);
    if (!model)
      return {
        modelVersion: null,
        unscoredReason: reason,
        scores: null,
        rows: new Float64Array(0),
        featureRow: () => new Float64Array(0),
        explain: () => [],
        baseLogOdds: null,
      };
    const rows = await build(await snapshotAt(asOfMs));
    const scores = model.predict(rows);
    return {
      modelVersion: model.version,
      unscoredReason: null,
      scores,
      rows,
      featureRow: (i) => rows.subarray(i * NUM_FEATURES, (i + 1) * NUM_FEATURES),
      explain: (i, k = TOP_CONTRIBUTIONS) => model.topContributions(rows, i, k),
      baseLogOdds: model.baseLogOdds(),
    };
  }

  return {
    scoreCandidates(event, candidates, asOfMs, modelVersion) {
      return score(modelVersion, (at) => candidateFeatureRows(deps.pool, event, candidates, asOfMs, at), asOfMs);
    },

    scoreGrid(event, grid, asOfMs, modelVersion) {
      return score(modelVersion, (at) => gridFeatureRows(deps.pool, event, grid, asOfMs, at), asOfMs);
    },

    async explainStored(modelVersion, features, k = TOP_CONTRIBUTIONS) {
      const explainer = await storedExplainer(modelVersion);
      return explainer ? explainer.topContributions(Float64Array.from(features), 0, k) : null;
    },
  };
}
