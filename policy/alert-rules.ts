// The alert rules: their thresholds as a versioned document, its validator, and the pure check of a monitor's figures.
import type { FieldError, Validated } from '../domain/field-error.ts';

export const ALERT_RULES_SCHEMA = 1;

/** Every rule, by the name its alerts carry in the alerts table, the API, the console and the email. */
export const ALERT_RULE_NAMES = [
  'calibration',
  'featureDrift',
  'unsubscribeSpike',
  'bounceSpike',
  'deliveryFailure',
  'backlogAge',
] as const;
export type AlertRuleName = (typeof ALERT_RULE_NAMES)[number];

/** A rate that may rise above a level, or jump against its own recent past. */
export interface SpikeRule {
  /** Fires when the last 24 hours' rate is above this, … */
  maxRate: number;
  /** … or above this many times the 7 days before's rate. */
  maxRatio: number;
  /** Judged only over at least this many sends (and a ratio only when the 7 days before had as many). */
  minSends: number;
  /** … and only when at least this many events happened: two unsubscribes are never a spike. */
  minEvents: number;
}

export interface AlertRules {
  schema: typeof ALERT_RULES_SCHEMA;
  /** The largest gap between mean predicted and observed open rate in any score decile. */
  calibration: { maxGap: number; minSends: number };
  /** The largest population stability index of any feature against the active model's training window. */
  featureDrift: { maxPsi: number; minSends: number };
  /** Unsubscribes per message sent. */
  unsubscribeSpike: SpikeRule;
  /** Bounces per email sent. */
  bounceSpike: SpikeRule;
  /** Deliveries failed per delivery settled (sent or failed). */
  deliveryFailure: { maxRate: number; minAttempts: number };
  /** How long the oldest due alert decision has waited for its delivery. */
  backlogAge: { maxSeconds: number };
}

/** The rules in force until someone stores a version (docs/OPERATIONS.md says why each value). */
export const DEFAULT_ALERT_RULES: AlertRules = {
  schema: ALERT_RULES_SCHEMA,
  calibration: { maxGap: 0.1, minSends: 500 },
  featureDrift: { maxPsi: 0.25, minSends: 500 },
  unsubscribeSpike: { maxRate: 0.005, maxRatio: 3, minSends: 200, minEvents: 5 },
  bounceSpike: { maxRate: 0.02, maxRatio: 3, minSends: 200, minEvents: 5 },
  deliveryFailure: { maxRate: 0.05, minAttempts: 100 },
  backlogAge: { maxSeconds: 300 },
};

type Obj = Record<string, unknown>;

function object(v: unknown, path: string, known: readonly string[], errors: FieldError[]): Obj | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    errors.push({ field: path || '(document)', rule: 'must be a JSON object' });
    return undefined;
  }
  for (const key of Object.keys(v))
    if (!known.includes(key)) errors.push({ field: path ? `${path}.${key}` : key, rule: 'is not a known field' });
  return v as Obj;
}

function number(v: unknown, path: string, min: number, max: number, errors: FieldError[]): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)
    errors.push({ field: path, rule: `must be a number from ${min} to ${max}` });
}

function integer(v: unknown, path: string, min: number, max: number, errors: FieldError[]): void {
  if (!Number.isInteger(v) || (v as number) < min || (v as number) > max)
    errors.push({ field: path, rule: `must be an integer from ${min} to ${max}` });
}

function spike(v: unknown, path: string, errors: FieldError[]): void {
  const o = object(v, path, ['maxRate', 'maxRatio', 'minSends', 'minEvents'], errors);
  if (!o) return;
  number(o.maxRate, `${path}.maxRate`, 0, 1, errors);
  number(o.maxRatio, `${path}.maxRatio`, 1, 1000, errors);
  integer(o.minSends, `${path}.minSends`, 1, 1e9, errors);
  integer(o.minEvents, `${path}.minEvents`, 1, 1e9, errors);
}

/** Validates a parsed JSON document into AlertRules, collecting every error with its field and rule. */
export function validateAlertRules(doc: unknown): Validated<AlertRules> {
  const errors: FieldError[] = [];
  const o = object(doc, '', ['schema', ...ALERT_RULE_NAMES], errors);
  if (!o) return { ok: false, errors };
  if (o.schema !== ALERT_RULES_SCHEMA) errors.push({ field: 'schema', rule: `must be ${ALERT_RULES_SCHEMA}` });
  const calibration = object(o.calibration, 'calibration', ['maxGap', 'minSends'], errors);
  if (calibration) {
    number(calibration.maxGap, 'calibration.maxGap', 0, 1, errors);
    integer(calibration.minSends, 'calibration.minSends', 10, 1e9, errors);
  }
  const drift = object(o.featureDrift, 'featureDrift', ['maxPsi', 'minSends'], errors);
  if (drift) {
    number(drift.maxPsi, 'featureDrift.maxPsi', 0, 100, errors);
    integer(drift.minSends, 'featureDrift.minSends', 10, 1e9, errors);
  }
  spike(o.unsubscribeSpike, 'unsubscribeSpike', errors);
  spike(o.bounceSpike, 'bounceSpike', errors);
  const failure = object(o.deliveryFailure, 'deliveryFailure', ['maxRate', 'minAttempts'], errors);
  if (failure) {
    number(failure.maxRate, 'deliveryFailure.maxRate', 0, 1, errors);
    integer(failure.minAttempts, 'deliveryFailure.minAttempts', 1, 1e9, errors);
  }
  const backlog = object(o.backlogAge, 'backlogAge', ['maxSeconds'], errors);
  if (backlog) integer(backlog.maxSeconds, 'backlogAge.maxSeconds', 1, 7 * 86_400, errors);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: doc as AlertRules };
}

/** Events over sends in the last 24 hours, and in the 7 days before them. */
export interface RateWindow {
  events: number;
  sends: number;
  baselineEvents: number;
  baselineSends: number;
}

/** The figures one monitor run found, as the rules read them; null where there was nothing to measure. */
export interface MonitorFigures {
  /** Mean predicted against observed open rate per score decile of the scored sends whose labels are complete. */
  calibration: {
    sends: number;
    deciles: { decile: number; count: number; meanPredicted: number; observedRate: number }[];
  };
  /** PSI per feature against the active model's training window; null without an active model. */
  featureDrift: { sends: number; features: { feature: string; psi: number }[] } | null;
  unsubscribes: RateWindow;
  bounces: RateWindow;
  deliveries: { failed: number; settled: number };
  /** Seconds the oldest due alert decision has waited; null when the backlog could not be read. */
  backlogOldestAgeSeconds: number | null;
}

/** One rule's verdict: `unknown` when there was too little to judge, which leaves an open alert as it is. */
export interface AlertFinding {
  rule: AlertRuleName;
  status: 'firing' | 'ok' | 'unknown';
  value: number;
  threshold: number;
  /** One line for the console banner and the email's subject. */
  message: string;
  detail: Record<string, unknown>;
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

function checkSpike(rule: AlertRuleName, what: string, r: SpikeRule, w: RateWindow): AlertFinding {
  const rate = w.sends > 0 ? w.events / w.sends : 0;
  const baseline = w.baselineSends >= r.minSends ? w.baselineEvents / w.baselineSends : null;
  const detail = { ...w, rate, baselineRate: baseline };
  if (w.sends < r.minSends)
    return {
      rule,
      status: 'unknown',
      value: rate,
      threshold: r.maxRate,
      message: `${what}: ${w.sends} sends in 24 h, fewer than the ${r.minSends} the rule needs`,
      detail,
    };
  const overLevel = rate > r.maxRate;
  // A baseline of zero events makes any rate an infinite ratio: the level alone judges then.
  const overRatio = baseline !== null && baseline > 0 && rate > r.maxRatio * baseline;
  const firing = w.events >= r.minEvents && (overLevel || overRatio);
  const against = baseline === null ? '' : `, ${pct(baseline)} over the 7 days before`;
  const limit = overLevel || !overRatio ? `the ${pct(r.maxRate)} limit` : `${r.maxRatio}x the 7 days before`;
  return {
    rule,
    status: firing ? 'firing' : 'ok',
    value: rate,
    threshold: overLevel || !overRatio || baseline === null ? r.maxRate : r.maxRatio * baseline,
    message: `${what} ${pct(rate)} in 24 h (${w.events} of ${w.sends})${against}${firing ? `: above ${limit}` : ''}`,
    detail,
  };
}

/** Judges every rule against one run's figures; pure, so a test can drive each rule across its threshold. */
export function evaluateAlertRules(rules: AlertRules, f: MonitorFigures): AlertFinding[] {
  const findings: AlertFinding[] = [];

  const c = rules.calibration;
  // A decile needs enough sends for its observed rate to mean something: a tenth of the minimum.
  const judged = f.calibration.deciles.filter((d) => d.count >= c.minSends / 10);
  const worst = judged.reduce<(typeof judged)[number] | null>(
    (w, d) => (!w || Math.abs(d.meanPredicted - d.observedRate) > Math.abs(w.meanPredicted - w.observedRate) ? d : w),
    null,
  );
  if (f.calibration.sends < c.minSends || !worst)
    findings.push({
      rule: 'calibration',
      status: 'unknown',
      value: 0,
      threshold: c.maxGap,
      message: `calibration: ${f.calibration.sends} scored sends with complete labels, fewer than ${c.minSends}`,
      detail: { sends: f.calibration.sends },
    });
  else {
    const gap = Math.abs(worst.meanPredicted - worst.observedRate);
    findings.push({
      rule: 'calibration',
      status: gap > c.maxGap ? 'firing' : 'ok',
      value: gap,
      threshold: c.maxGap,
      message:
        `calibration: score decile ${worst.decile} predicted ${pct(worst.meanPredicted)} opens, observed ` +
        `${pct(worst.observedRate)} (gap ${gap.toFixed(3)}${gap > c.maxGap ? ` > ${c.maxGap}` : ''})`,
      detail: { sends: f.calibration.sends, worstDecile: worst },
    });
  }

  const d = rules.featureDrift;
  if (!f.featureDrift || f.featureDrift.sends < d.minSends || f.featureDrift.features.length === 0)
    findings.push({
      rule: 'featureDrift',
      status: 'unknown',
      value: 0,
      threshold: d.maxPsi,
      message: f.featureDrift
        ? `feature drift: ${f.featureDrift.sends} sends, fewer than ${d.minSends}`
        : 'feature drift: no active model to compare with',
      detail: {},
    });
  else {
    const top = f.featureDrift.features.reduce((a, b) => (b.psi > a.psi ? b : a));
    const drifted = f.featureDrift.features.filter((x) => x.psi > d.maxPsi).map((x) => x.feature);
    findings.push({
      rule: 'featureDrift',
      status: drifted.length > 0 ? 'firing' : 'ok',
      value: top.psi,
      threshold: d.maxPsi,
      message:
        `feature drift: ${top.feature} PSI ${top.psi.toFixed(3)}` +
        (drifted.length > 0 ? ` > ${d.maxPsi} (${drifted.length} features drifted)` : ''),
      detail: { drifted },
    });
  }

  findings.push(checkSpike('unsubscribeSpike', 'unsubscribe rate', rules.unsubscribeSpike, f.unsubscribes));
  findings.push(checkSpike('bounceSpike', 'bounce rate', rules.bounceSpike, f.bounces));

  const fl = rules.deliveryFailure;
  const failRate = f.deliveries.settled > 0 ? f.deliveries.failed / f.deliveries.settled : 0;
  findings.push({
    rule: 'deliveryFailure',
    status: f.deliveries.settled < fl.minAttempts ? 'unknown' : failRate > fl.maxRate ? 'firing' : 'ok',
    value: failRate,
    threshold: fl.maxRate,
    message:
      `delivery failures ${pct(failRate)} in 24 h (${f.deliveries.failed} of ${f.deliveries.settled})` +
      (f.deliveries.settled >= fl.minAttempts && failRate > fl.maxRate ? `: above ${pct(fl.maxRate)}` : ''),
    detail: { ...f.deliveries },
  });

  const b = rules.backlogAge;
  const age = f.backlogOldestAgeSeconds;
  findings.push({
    rule: 'backlogAge',
    status: age === null ? 'unknown' : age > b.maxSeconds ? 'firing' : 'ok',
    value: age ?? 0,
    threshold: b.maxSeconds,
    message:
      age === null
        ? 'backlog: could not be read'
        : `backlog: the oldest due alert has waited ${Math.round(age)} s` +
          (age > b.maxSeconds ? ` (more than ${b.maxSeconds} s)` : ''),
    detail: {},
  });
  return findings;
}
