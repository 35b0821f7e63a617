// The cap policy replayed on logged history: decide() under two policies over real fans' logged candidates, with
// expected opens and unsubscribes, and 95% intervals from a bootstrap over fans.
import type { Candidate, Send } from '../domain/decision.ts';
import { CHANNELS, type Channel } from '../domain/vocabulary.ts';
import type { CapPolicy } from './cap-policy.ts';
import { decide } from './decide.ts';
import type { Scores } from './inputs.ts';
import { counted, historyReachMs, sendTimesToScore } from './page.ts';
import { fanCandidateStats } from './value-aware.ts';

/** One logged candidate: the candidate as it was decided, its logged score, and what was observed of it. */
export interface LoggedCandidate {
  candidate: Candidate;
  decidedAt: Date;
  /** The logged score (calibrated P(open)); null when it was decided without a model. */
  score: number | null;
  /** An alert was decided and its delivery sent. */
  sent: boolean;
  /** That alert was opened. */
  opened: boolean;
  /** The fan unsubscribed through that alert. */
  unsubscribed: boolean;
}

export interface HistoryReplayInput {
  /** The sample's logged candidates, any order. */
  logged: LoggedCandidate[];
  /** The fans sampled (some may have no candidate); figures are per sampled fan. */
  fans: number;
  days: number;
  current: CapPolicy;
  proposed: CapPolicy;
  /** Bootstrap resamples over fans. */
  resamples: number;
  seed: number;
}

/** What is estimated per fan: alerts per channel, digests and opens per day; unsubscribes per 1,000 fans per day. */
export const HISTORY_METRICS = ['emailAlerts', 'pushAlerts', 'digests', 'opens', 'unsubscribes'] as const;
export type HistoryMetric = (typeof HISTORY_METRICS)[number];

/** A point estimate with its 95% bootstrap interval. */
export interface Estimate {
  value: number;
  low: number;
  high: number;
}

export type HistoryFigures = Record<HistoryMetric, Estimate>;

export interface HistoryReplayResult {
  fans: number;
  days: number;
  candidates: number;
  /** Candidates logged without a score: replayed with their channel's observed open rate as the score. */
  unscored: number;
  /** The observed open rate of sent alerts per channel, the unscored candidates' score. */
  fallbackScore: Record<Channel, number>;
  resamples: number;
  current: { name: string; figures: HistoryFigures };
  proposed: { name: string; figures: HistoryFigures };
  /** Proposed minus current, fan by fan, so the interval of the difference is narrower than the two apart. */
  difference: HistoryFigures;
}

/** As the live decisions use it (activities/policy-decisions.ts): a fan's candidates of the past week. */
const VALUE_LOOKBACK_MS = 7 * 86_400_000;

type Totals = Record<HistoryMetric, number>;
const zero = (): Totals => ({ emailAlerts: 0, pushAlerts: 0, digests: 0, opens: 0, unsubscribes: 0 });

/** Rates observed on the sample's sent alerts, per channel. */
function observedRates(logged: readonly LoggedCandidate[]): { open: Record<Channel, number>; unsub: number } {
  const sent = { email: 0, push: 0 };
  const opened = { email: 0, push: 0 };
  let unsubscribed = 0;
  for (const l of logged) {
    if (!l.sent) continue;
    sent[l.candidate.channel]++;
    if (l.opened) opened[l.candidate.channel]++;
    if (l.unsubscribed) unsubscribed++;
  }
  const total = sent.email + sent.push;
  return {
    open: { email: sent.email ? opened.email / sent.email : 0, push: sent.push ? opened.push / sent.push : 0 },
    unsub: total ? unsubscribed / total : 0,
  };
}

/**
 * One fan's logged candidates replayed under a policy, in the order they were decided: each alert joins the fan's
 * history, so caps and gaps see the alerts the policy itself would have sent, not the logged ones. A replayed alert
 * counts the observed open and unsubscribe when the logged candidate was sent too; otherwise its score and the
 * sample's unsubscribe rate per sent alert.
 */
export function replayFan(
  logged: readonly LoggedCandidate[],
  policy: CapPolicy,
  fallback: Record<Channel, number>,
  unsubRate: number,
): Totals {
  const totals = zero();
  const history: Send[] = [];
  const ordered = [...logged].sort(
    (a, b) =>
      a.decidedAt.getTime() - b.decidedAt.getTime() ||
      a.candidate.eventId - b.candidate.eventId ||
      a.candidate.channel.localeCompare(b.candidate.channel),
  );
  const past: Record<Channel, { at: Date; value: number }[]> = { email: [], push: [] };
  // A rule sees no further back than its longest window or gap; older alerts only slow every check down.
  const reach = historyReachMs(policy);
  for (const l of ordered) {
    const c = l.candidate;
    const at = l.decidedAt.getTime();
    const score = l.score ?? fallback[c.channel];
    const byTime = new Map(sendTimesToScore(policy, c, l.decidedAt).map((t) => [t, score]));
    const own = past[c.channel];
    while (own.length && own[0].at.getTime() < at - VALUE_LOOKBACK_MS) own.shift();
    while (history.length && history[0].sendAt.getTime() < at - reach) history.shift();
    const scores: Scores = {
      byTime,
      fanStats: own.length ? fanCandidateStats(own, l.decidedAt, VALUE_LOOKBACK_MS) : null,
    };
    const d = decide(c, history, policy, scores, l.decidedAt);
    own.push({ at: l.decidedAt, value: score * policy.kinds[c.kind].weight });
    if (d.action === 'digest') totals.digests++;
    if (d.action !== 'alert' || !d.sendAt) continue;
    if (counted(policy, c.kind)) history.push({ channel: c.channel, creatorId: c.creatorId, sendAt: d.sendAt });
    totals[c.channel === 'email' ? 'emailAlerts' : 'pushAlerts']++;
    totals.opens += l.sent ? Number(l.opened) : (d.score ?? score);
    totals.unsubscribes += l.sent ? Number(l.unsubscribed) : unsubRate;
  }
  return totals;
}

/** A small seeded generator (mulberry32), so the same request gives the same intervals. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The q-quantile of sorted values, interpolated linearly. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

/** Per fan per day, unsubscribes per 1,000 fans per day. */
function scaled(metric: HistoryMetric, sum: number, fans: number, days: number): number {
  const perFanPerDay = fans && days ? sum / fans / days : 0;
  return metric === 'unsubscribes' ? 1000 * perFanPerDay : perFanPerDay;
}

/**
 * Each metric's mean over all fans, with the 2.5th and 97.5th percentiles of the means over `resamples` samples
 * of the fans drawn with replacement. `perFan[i]` is fan i's totals.
 */
export function bootstrap(perFan: readonly Totals[], days: number, resamples: number, seed: number): HistoryFigures {
  const n = perFan.length;
  const next = random(seed);
  const draws: Record<HistoryMetric, number[]> = {
    emailAlerts: [],
    pushAlerts: [],
    digests: [],
    opens: [],
    unsubscribes: [],
  };
  for (let r = 0; r < resamples; r++) {
    const sum = zero();
    for (let i = 0; i < n; i++) {
      const t = perFan[Math.floor(next() * n)];
      for (const m of HISTORY_METRICS) sum[m] += t[m];
    }
    for (const m of HISTORY_METRICS) draws[m].push(scaled(m, sum[m], n, days));
  }
  const out = {} as HistoryFigures;
  for (const m of HISTORY_METRICS) {
    const total = perFan.reduce((s, t) => s + t[m], 0);
    const sorted = draws[m].sort((a, b) => a - b);
    out[m] = { value: scaled(m, total, n, days), low: quantile(sorted, 0.025), high: quantile(sorted, 0.975) };
  }
  return out;
}

/** Both policies over every sampled fan's logged candidates, each fan's totals bootstrapped (the same draws each). */
export function historyReplay(input: HistoryReplayInput): HistoryReplayResult {
  const rates = observedRates(input.logged);
  const byFan = new Map<number, LoggedCandidate[]>();
  for (const l of input.logged) {
    const list = byFan.get(l.candidate.fanId) ?? [];
    list.push(l);
    byFan.set(l.candidate.fanId, list);
  }
  const current: Totals[] = [];
  const proposed: Totals[] = [];
  const difference: Totals[] = [];
  for (const list of byFan.values()) {
    const a = replayFan(list, input.current, rates.open, rates.unsub);
    const b = replayFan(list, input.proposed, rates.open, rates.unsub);
    current.push(a);
    proposed.push(b);
    difference.push(Object.fromEntries(HISTORY_METRICS.map((m) => [m, b[m] - a[m]])) as Totals);
  }
  // Sampled fans without a candidate in the period count as fans with nothing sent under either policy.
  for (let i = byFan.size; i < input.fans; i++) {
    current.push(zero());
    proposed.push(zero());
    difference.push(zero());
  }
  const figures = (perFan: Totals[]) => bootstrap(perFan, input.days, input.resamples, input.seed);
  return {
    fans: current.length,
    days: input.days,
    candidates: input.logged.length,
    unscored: input.logged.filter((l) => l.score === null).length,
    fallbackScore: Object.fromEntries(CHANNELS.map((c) => [c, rates.open[c]])) as Record<Channel, number>,
    resamples: input.resamples,
    current: { name: input.current.name, figures: figures(current) },
    proposed: { name: input.proposed.name, figures: figures(proposed) },
    difference: figures(difference),
  };
}
