// The daily relevance report from the log: calibration by score decile, AUC, feature drift, the day's rates, backlog.
import { dueBacklog } from '../db/metrics.ts';
import { activeModelWindow, scoredSends, windowCounts } from '../db/monitoring.ts';
import type { Pool } from '../db/pool.ts';
import { DAY_MS } from '../domain/time.ts';
import { featureDrift } from './drift.ts';
import { liftByDecile } from './evaluation.ts';
import { extractExamples, LABEL_HORIZON_MS } from './examples.ts';
import { FEATURE_NAMES } from './features.ts';
import { auc } from './gbdt/metrics.ts';

/** How far back the rates' baseline looks, before the last 24 hours. */
export const BASELINE_DAYS = 7;
/**
 * Drift compares a whole week of sends (ending where the labelled day ends) with the training window: a single day
 * would differ from weeks of training in its day of the week alone, and fire every day on that.
 */
export const DRIFT_DAYS = 7;
/** The backlog read sees alert decisions due this far back, as the metrics' gauge does. */
const BACKLOG_WINDOW_MS = DAY_MS;
const BACKLOG_TIMEOUT_MS = 5_000;

/** Events over sends in the last 24 hours, and in the BASELINE_DAYS before them. */
export interface RateWindow {
  events: number;
  sends: number;
  baselineEvents: number;
  baselineSends: number;
}

export interface CalibrationDecile {
  decile: number;
  count: number;
  meanPredicted: number;
  observedRate: number;
}

/** One run's report, stored in relevance_reports and read by the alert rules (policy/alert-rules.ts). */
export interface RelevanceReport {
  asOf: string;
  /** Sends in [from, to) are judged on their 24-hour open label, which closed by asOf. */
  labelWindow: { from: string; to: string };
  /** Rates are over [from, to), the last 24 hours. */
  rateWindow: { from: string; to: string };
  modelVersion: number | null;
  /** Scored sends of the label window, their AUC (null without both outcomes) and open rate. */
  calibration: { sends: number; auc: number | null; openRate: number | null; deciles: CalibrationDecile[] };
  /** PSI per feature, the DRIFT_DAYS of sends to the label window's end against the model's training window. */
  featureDrift: { sends: number; referenceSends: number; features: { feature: string; psi: number }[] } | null;
  /** Opens per send in the last 24 hours (opens that happened, of any send). */
  openRate: { events: number; sends: number };
  unsubscribes: RateWindow;
  bounces: RateWindow;
  deliveries: { failed: number; settled: number };
  backlogOldestAgeSeconds: number | null;
}

export interface ReportOptions {
  /** Feature drift replays the features of both windows (seconds on a large log); false leaves it out. */
  drift?: boolean;
  log?: (line: string) => void;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The report as of `asOfMs`, read from the log in a handful of queries (and two feature extractions for drift). */
export async function relevanceReport(
  pool: Pool,
  asOfMs: number,
  options: ReportOptions = {},
): Promise<RelevanceReport> {
  const labelTo = asOfMs - LABEL_HORIZON_MS;
  const labelFrom = labelTo - DAY_MS;
  const rateFrom = asOfMs - DAY_MS;
  const baselineFrom = rateFrom - BASELINE_DAYS * DAY_MS;

  const sends = await scoredSends(pool, new Date(labelFrom), new Date(labelTo), LABEL_HORIZON_MS);
  const n = sends.labels.length;
  let positives = 0;
  for (const y of sends.labels) positives += y;
  const deciles = n > 0 ? liftByDecile(sends.scores, sends.labels).map(({ lift: _, ...d }) => d) : [];

  const [now, before] = await Promise.all([
    windowCounts(pool, new Date(rateFrom), new Date(asOfMs)),
    windowCounts(pool, new Date(baselineFrom), new Date(rateFrom)),
  ]);

  let backlogOldestAgeSeconds: number | null = null;
  try {
    const b = await dueBacklog(pool, new Date(asOfMs - BACKLOG_WINDOW_MS), new Date(asOfMs), BACKLOG_TIMEOUT_MS);
    backlogOldestAgeSeconds = b.oldestSendAt ? Math.max(0, (asOfMs - b.oldestSendAt.getTime()) / 1000) : 0;
  } catch (err) {
    options.log?.(`monitor: the backlog could not be read: ${(err as Error).message}`);
  }

  const model = await activeModelWindow(pool);
  let drift: RelevanceReport['featureDrift'] = null;
  if (model && (options.drift ?? true)) {
    const current = await extractExamples(pool, {
      fromMs: labelTo - DRIFT_DAYS * DAY_MS,
      toMs: labelTo,
      log: options.log,
    });
    const reference = await extractExamples(pool, {
      fromMs: model.trainFrom.getTime(),
      toMs: model.trainTo.getTime(),
      log: options.log,
    });
    drift =
      current.numRows > 0 && reference.numRows > 0
        ? {
            sends: current.numRows,
            referenceSends: reference.numRows,
            features: featureDrift(reference.rows, current.rows, FEATURE_NAMES),
          }
        : { sends: current.numRows, referenceSends: reference.numRows, features: [] };
  }

  return {
    asOf: iso(asOfMs),
    labelWindow: { from: iso(labelFrom), to: iso(labelTo) },
    rateWindow: { from: iso(rateFrom), to: iso(asOfMs) },
    modelVersion: model?.version ?? null,
    calibration: {
      sends: n,
      auc: positives > 0 && positives < n ? auc(sends.scores, sends.labels) : null,
      openRate: n > 0 ? positives / n : null,
      deciles,
    },
    featureDrift: drift,
    openRate: { events: now.opens, sends: now.sent },
    unsubscribes: {
      events: now.unsubscribes,
      sends: now.sent,
      baselineEvents: before.unsubscribes,
      baselineSends: before.sent,
    },
    bounces: {
      events: now.bounces,
      sends: now.emailSettled,
      baselineEvents: before.bounces,
      baselineSends: before.emailSettled,
    },
    deliveries: { failed: now.failed, settled: now.sent + now.failed },
    backlogOldestAgeSeconds,
  };
}
