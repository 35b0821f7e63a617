// The replay: the real decide() over simulated days against the ground truth, beside the two obvious policies.
import { localHour } from '../domain/clock.ts';
import type { Candidate, Decision, Send } from '../domain/decision.ts';
import { DEFAULT_DIGEST_HOUR } from '../domain/fan.ts';
import type { HoldoutMetrics } from '../domain/model-registry.ts';
import { type Channel, DIGEST_CADENCES } from '../domain/vocabulary.ts';
import type { CapPolicy } from '../policy/cap-policy.ts';
import { checkDecisions, type DecidedEntry, type Violation } from '../policy/check.ts';
import { decide } from '../policy/decide.ts';
import { type DigestItem, digestDue, selectDigest } from '../policy/digest.ts';
import { historyReachMs, sendTimesToScore } from '../policy/page.ts';
import { fanCandidateStats } from '../policy/value-aware.ts';
import { inAudience, type SimulatedEvent, scheduleEvents } from '../simulator/events.ts';
import { hashString } from '../simulator/random.ts';
import { isIrrelevant, openProbability, respond } from '../simulator/response.ts';
import { chosenDigestHour, type World } from '../simulator/world.ts';
import { REPLAY_POLICIES, type ReplayMode } from '../wire/replay.ts';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const VALUE_LOOKBACK_MS = 7 * DAY;
const DIGEST_LOOKBACK_MS = 8 * DAY;

/** Candidate send times of one event to score in one batch, fan by fan (a fan's rows are contiguous). */
export interface ScoreBatch {
  size: number;
  fans: Int32Array;
  channels: Channel[];
  sendAtMs: Float64Array;
  /** Notifications the fan received in the 24 h before the decision (the oracle's fatigue input). */
  sentLast24h: Int32Array;
}

/** One policy's run of a scorer: its scores see only what that run has sent and what fans did with it. */
export interface RunScorer {
  /** Calibrated P(open) for every candidate of the batch, in batch order, as known at the decision time. */
  scoreEvent(event: { creatorIndex: number; kind: Candidate['kind']; atMs: number }, batch: ScoreBatch): Float64Array;
  /** A notification delivered by this run, with the open the ground truth drew (null for none). */
  recordSend(
    fan: number,
    creatorIndex: number,
    channel: Channel,
    sentAtMs: number,
    openedAtMs: number | null,
    clickedAtMs: number | null,
  ): void;
}

/** Where a run's scores come from: named in the report, so a table says what its scores came from. */
export interface ReplayScorer {
  name: string;
  startRun(): RunScorer;
}

/**
 * The simulator's own P(open): a perfect model, the upper bound of what scores can do. Named "oracle" wherever it
 * is used, so no table passes it off as the trained model.
 */
export function oracleScorer(world: World): ReplayScorer {
  const run: RunScorer = {
    scoreEvent(event, b) {
      const out = new Float64Array(b.size);
      for (let i = 0; i < b.size; i++) {
        const fanIndex = b.fans[i];
        const hour = localHour(world.zones[world.fans.zone[fanIndex]], b.sendAtMs[i]);
        out[i] = openProbability(world, {
          fanIndex,
          creatorIndex: event.creatorIndex,
          kind: event.kind,
          channel: b.channels[i],
          localHour: hour,
          sentLast24h: b.sentLast24h[i],
        });
      }
      return out;
    },
    recordSend: () => undefined,
  };
  return { name: 'oracle (simulator ground truth)', startRun: () => run };
}

export interface PolicyOutcome {
  policy: ReplayMode;
  /** The policy document's name for the full policy, else the baseline's. */
  name: string;
  alerts: Record<Channel, number>;
  digests: number;
  /** Alerts actually sent plus digests, for the window's events, also those sent after the window ends. */
  sends: number;
  /** Alert opens plus digest opens. */
  opens: number;
  alertOpens: number;
  digestOpens: number;
  clicks: number;
  /** Each fan leaves a channel at most once: a second unsubscribe drawn while one is pending is not counted. */
  unsubscribes: number;
  decisions: number;
  /** What checkDecisions found across every decision (empty for send-everything-now, which has no policy to check). */
  violations: Violation[];
  /** Where the run's scores came from. */
  scorer: string;
  /** Every decision made, in order, when asked for (`keepEntries`). */
  entries?: ReplayEntry[];
}

/** A decision of the replay, as checkDecisions walks it, with its score. */
export type ReplayEntry = DecidedEntry & { decision: Decision };

export interface ReplayReport {
  fans: number;
  days: number;
  events: number;
  fromMs: number;
  scorer: string;
  /** The three policies compared (send everything now, caps only, the full policy), then any reference rows. */
  outcomes: PolicyOutcome[];
  /** The scores' model against the oracle on held-out days after its training window, when a model was trained. */
  evaluation?: HeldOutEvaluation;
}

/** A model's metrics beside the oracle's (the simulator's true P(open)) on the same rows of held-out days. */
export interface HeldOutEvaluation {
  fromMs: number;
  days: number;
  model: HoldoutMetrics;
  oracle: HoldoutMetrics;
}

/** The held-out metrics as a small Markdown table. */
export function formatEvaluation(e: HeldOutEvaluation): string[] {
  const f = (x: number) => x.toFixed(4);
  return [
    `model vs oracle on ${e.days} held-out days from ${new Date(e.fromMs).toISOString().slice(0, 10)} ` +
      `(after the training window; ${e.model.rows} baseline sends, open rate ${f(e.model.baseRate)}):`,
    '',
    '| scores | AUC | logloss | ECE |',
    '| --- | --: | --: | --: |',
    `| model | ${f(e.model.auc)} | ${f(e.model.logloss)} | ${f(e.model.ece)} |`,
    `| oracle | ${f(e.oracle.auc)} | ${f(e.oracle.logloss)} | ${f(e.oracle.ece)} |`,
    `| gap | ${f(e.oracle.auc - e.model.auc)} | ${f(e.model.logloss - e.oracle.logloss)} | |`,
  ];
}

interface Scheduled {
  fan: number;
  channel: Channel;
  event: number;
  membership: number;
  at: number;
}

/** A binary min-heap of scheduled sends by time, then fan. */
class SendQueue {
  private items: Scheduled[] = [];
  get size(): number {
    return this.items.length;
  }
  peek(): Scheduled | undefined {
    return this.items[0];
  }
  private less(a: Scheduled, b: Scheduled): boolean {
    return a.at < b.at || (a.at === b.at && (a.fan < b.fan || (a.fan === b.fan && a.event < b.event)));
  }
  push(s: Scheduled): void {
    const h = this.items;
    h.push(s);
    for (let i = h.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }
  pop(): Scheduled | undefined {
    const h = this.items;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

interface FanState {
  recent: number[];
  irrelevant: number[];
  unsubscribedAt: Record<Channel, number>;
  alerts: Send[];
  values: Record<Channel, { at: Date; value: number }[]>;
  waiting: (DigestItem & { creatorIndex: number; kind: Candidate['kind']; decidedAt: number })[];
  alerted: Set<number>;
}

function countSince(times: number[], from: number): number {
  let drop = 0;
  while (drop < times.length && times[drop] <= from) drop++;
  if (drop > 0) times.splice(0, drop);
  return times.length;
}

/**
 * The times in (at - window, at): sends at the same moment as this one (the other channel of the same alert) do not
 * count, as in simulator/baseline.ts, so send-everything-now plays exactly as the baseline history does.
 */
function countBefore(times: number[], at: number, window: number): number {
  let n = countSince(times, at - window);
  while (n > 0 && times[n - 1] >= at) n--;
  return n;
}

/** The "caps only, first come first served" baseline of `policy`: its caps and gaps, now or never, nothing else. */
export function capsOnlyPolicy(policy: CapPolicy): CapPolicy {
  const kind = (weight: number) => ({ priority: 'urgent' as const, weight, alertThreshold: { email: 0, push: 0 } });
  return {
    ...policy,
    name: 'caps_only_fcfs',
    quietHours: null,
    kinds: { post: kind(1), live: kind(1), announcement: kind(1) },
    digest: { ...policy.digest, minScore: 0 },
    valueAware: false,
  };
}

/**
 * Plays one policy over the events; the world's responses are drawn per (event, fan, channel), so policies face the
 * same fans.
 */
export function runPolicy(
  world: World,
  events: readonly SimulatedEvent[],
  mode: ReplayMode,
  policy: CapPolicy,
  scorer: ReplayScorer,
  endMs: number,
  options: { keepEntries?: boolean; progress?: { fromMs: number; onDay: () => void } } = {},
): PolicyOutcome {
  const run = scorer.startRun();
  const effective = mode === 'caps_only_fcfs' ? capsOnlyPolicy(policy) : policy;
  const out: PolicyOutcome = {
    policy: mode,
    name: mode === 'policy' ? policy.name : mode,
    alerts: { email: 0, push: 0 },
    digests: 0,
    sends: 0,
    opens: 0,
    alertOpens: 0,
    digestOpens: 0,
    clicks: 0,
    unsubscribes: 0,
    decisions: 0,
    violations: [],
    scorer: mode === 'send_everything_now' ? 'none' : scorer.name,
  };
  const fans: FanState[] = Array.from({ length: world.fans.count }, () => ({
    recent: [],
    irrelevant: [],
    unsubscribedAt: { email: Infinity, push: Infinity },
    alerts: [],
    values: { email: [], push: [] },
    waiting: [],
    alerted: new Set(),
  }));
  const withDigest = new Set<number>();
  const entries: ReplayEntry[] = [];
  const queue = new SendQueue();
  const reach = historyReachMs(effective);
  const eventKeys = events.map((e) => hashString(`${e.creatorIndex}/${e.idempotencyKey}`));

  const deliver = (s: Scheduled) => {
    const f = fans[s.fan];
    if (f.unsubscribedAt[s.channel] <= s.at) return;
    const e = events[s.event];
    const r = respond(world, {
      eventKey: eventKeys[s.event],
      fanIndex: s.fan,
      creatorIndex: e.creatorIndex,
      kind: e.kind,
      channel: s.channel,
      sentAtMs: s.at,
      sentLast24h: countBefore(f.recent, s.at, DAY),
      irrelevantLast7d: countBefore(f.irrelevant, s.at, 7 * DAY),
    });
    f.recent.push(s.at);
    if (isIrrelevant(world, s.membership)) f.irrelevant.push(s.at);
    run.recordSend(s.fan, e.creatorIndex, s.channel, s.at, r.openedAtMs, r.clickedAtMs);
    out.alerts[s.channel]++;
    out.sends++;
    if (r.opened) {
      out.opens++;
      out.alertOpens++;
    }
    if (r.clicked) out.clicks++;
    // As in simulator/baseline.ts: a second unsubscribe drawn while the first is pending changes nothing.
    if (r.unsubscribed && f.unsubscribedAt[s.channel] === Infinity) {
      out.unsubscribes++;
      f.unsubscribedAt[s.channel] = r.unsubscribedAtMs!;
    }
  };

  // Whether a digest is due depends only on (zone, cadence, digest hour) at a given hour: asked once per hour each.
  const cadences = DIGEST_CADENCES.length;
  const due = new Int8Array(world.zones.length * cadences * 24);
  const sendDigests = (hourMs: number) => {
    const now = new Date(hourMs);
    due.fill(-1);
    for (const fan of withDigest) {
      const f = fans[fan];
      const z = world.fans.zone[fan];
      const c = world.fans.digestCadence[fan];
      // A fan who never chose an hour gets digests at the production default, as db/digests.ts sends them.
      const hour = chosenDigestHour(world, fan) ?? DEFAULT_DIGEST_HOUR;
      const slot = (z * cadences + c) * 24 + hour;
      if (due[slot] < 0)
        due[slot] = digestDue(world.zones[z], DIGEST_CADENCES[c], hour, now, effective.digest.weeklyOn) ? 1 : 0;
      if (due[slot] === 0) continue;
      // Expiry only matters when a digest is made: what would have expired earlier has expired by now too.
      f.waiting = f.waiting.filter(
        (w) => w.decidedAt >= hourMs - DIGEST_LOOKBACK_MS && (!w.deadline || w.deadline.getTime() > hourMs),
      );
      if (f.waiting.length === 0) {
        withDigest.delete(fan);
        continue;
      }
      const chosen = selectDigest(f.waiting, f.alerted, effective.digest, now) as FanState['waiting'];
      const carried = new Set(chosen.map((c) => c.eventId));
      f.waiting = f.waiting.filter((w) => !carried.has(w.eventId));
      if (chosen.length === 0 || f.unsubscribedAt.email <= hourMs) continue;
      const top = chosen[0];
      const r = respond(world, {
        eventKey: hashString(`digest/${fan}/${hourMs}`),
        fanIndex: fan,
        creatorIndex: top.creatorIndex,
        kind: top.kind,
        channel: 'email',
        sentAtMs: hourMs,
        sentLast24h: countSince(f.recent, hourMs - DAY),
        irrelevantLast7d: countSince(f.irrelevant, hourMs - 7 * DAY),
      });
      f.recent.push(hourMs);
      out.digests++;
      out.sends++;
      if (r.opened) {
        out.opens++;
        out.digestOpens++;
      }
      if (r.clicked) out.clicks++;
      if (r.unsubscribed && f.unsubscribedAt.email === Infinity) {
        out.unsubscribes++;
        f.unsubscribedAt.email = r.unsubscribedAtMs!;
      }
    }
  };

  const batch: ScoreBatch = {
    size: 0,
    fans: new Int32Array(1024),
    channels: [],
    sendAtMs: new Float64Array(1024),
    sentLast24h: new Int32Array(1024),
  };
  const addToBatch = (fan: number, channel: Channel, at: number, sentLast24h: number) => {
    if (batch.size === batch.fans.length) {
      const grow = <T extends Int32Array | Float64Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      batch.fans = grow(batch.fans);
      batch.sendAtMs = grow(batch.sendAtMs);
      batch.sentLast24h = grow(batch.sentLast24h);
    }
    batch.fans[batch.size] = fan;
    batch.channels[batch.size] = channel;
    batch.sendAtMs[batch.size] = at;
    batch.sentLast24h[batch.size++] = sentLast24h;
  };
  /** One candidate per (audience fan, channel): the rows of its send times in the batch are [first, first + count). */
  const pending: { candidate: Candidate; membership: number; first: number; count: number }[] = [];
  // One map reused for every candidate: decide() reads it and keeps nothing of it.
  const byTime = new Map<number, number>();

  const decideFor = (ei: number) => {
    const e = events[ei];
    const now = new Date(e.atMs);
    const deadline = new Date(e.deadlineMs);
    const { memberships: ms, byCreator } = world;
    batch.size = 0;
    pending.length = 0;
    for (let k = byCreator.start[e.creatorIndex]; k < byCreator.start[e.creatorIndex + 1]; k++) {
      const m = byCreator.membership[k];
      if (ms.muted[m] || ms.startedAtMs[m] > e.atMs || !inAudience(world, e, m)) continue;
      const fan = ms.fan[m];
      const f = fans[fan];
      const channels: Channel[] = [];
      if (f.unsubscribedAt.email > e.atMs) channels.push('email');
      if (world.fans.hasPush[fan] && f.unsubscribedAt.push > e.atMs) channels.push('push');
      if (mode === 'send_everything_now') {
        for (const channel of channels) queue.push({ fan, channel, event: ei, membership: m, at: e.atMs });
        out.decisions += channels.length;
        continue;
      }
      const sentLast24h = countSince(f.recent, e.atMs - DAY);
      for (const channel of channels) {
        const candidate: Candidate = {
          fanId: fan,
          creatorId: e.creatorIndex,
          eventId: ei,
          kind: e.kind,
          channel,
          membership: { kind: ms.paid[m] ? 'paid' : 'free', tier: ms.tier[m] },
          timeZone: world.zones[world.fans.zone[fan]],
          tenureStart: new Date(ms.startedAtMs[m]),
          quietStart: null,
          quietEnd: null,
          digestCadence: mode === 'caps_only_fcfs' ? 'off' : DIGEST_CADENCES[world.fans.digestCadence[fan]],
          eventAt: now,
          deadline,
        };
        const first = batch.size;
        for (const t of sendTimesToScore(effective, candidate, now)) addToBatch(fan, channel, t, sentLast24h);
        pending.push({ candidate, membership: m, first, count: batch.size - first });
      }
    }
    if (pending.length === 0) return;
    // Every candidate time of the event scored in one call, before any of them is decided: a decision changes
    // reservations, never the sends and opens the features read.
    const scores = run.scoreEvent(e, batch);
    for (const { candidate, membership: m, first, count } of pending) {
      const fan = candidate.fanId;
      const f = fans[fan];
      const channel = candidate.channel;
      if (f.alerts.length > 0 && f.alerts[0].sendAt.getTime() <= e.atMs - reach)
        f.alerts = f.alerts.filter((a) => a.sendAt.getTime() > e.atMs - reach);
      byTime.clear();
      for (let i = first; i < first + count; i++) byTime.set(batch.sendAtMs[i], scores[i]);
      const values = f.values[channel];
      const decision = decide(
        candidate,
        f.alerts,
        effective,
        { byTime, fanStats: fanCandidateStats(values, now, VALUE_LOOKBACK_MS) },
        now,
      );
      out.decisions++;
      entries.push({ candidate, decision, decidedAt: now });
      if (decision.score !== null) {
        values.push({ at: now, value: decision.score * effective.kinds[e.kind].weight });
        if (values.length > 400) values.splice(0, values.length - 400);
      }
      if (decision.action === 'alert' && decision.sendAt) {
        if (effective.kinds[e.kind].priority !== 'transactional')
          f.alerts.push({ channel, creatorId: e.creatorIndex, sendAt: decision.sendAt });
        f.alerted.add(ei);
        queue.push({ fan, channel, event: ei, membership: m, at: decision.sendAt.getTime() });
      } else if (decision.action === 'digest' && decision.score !== null) {
        f.waiting.push({
          eventId: ei,
          score: decision.score,
          deadline: candidate.deadline,
          creatorIndex: e.creatorIndex,
          kind: e.kind,
          decidedAt: e.atMs,
        });
        withDigest.add(fan);
      }
    }
  };

  let nextHour = events.length ? Math.floor(events[0].atMs / HOUR) * HOUR + HOUR : endMs;
  let ei = 0;
  // A day is played once the next thing to happen is at or after its end.
  let nextDayMs = options.progress ? options.progress.fromMs + DAY : Infinity;
  // No event is decided at or after endMs, but what the window's events left behind still goes out: sends delayed
  // past the end, and digests waiting for their hour (every one has expired 8 days on). The baselines send each event
  // at once, so this is how their counts already work.
  const tailEndMs = endMs + DIGEST_LOOKBACK_MS + HOUR;
  for (;;) {
    const nextEvent = ei < events.length && events[ei].atMs < endMs ? events[ei].atMs : Infinity;
    const nextSend = queue.peek()?.at ?? Infinity;
    const hoursLeft = nextHour < endMs || (mode === 'policy' && withDigest.size > 0);
    const t = Math.min(nextEvent, nextSend, hoursLeft ? nextHour : Infinity);
    for (; nextDayMs <= Math.min(t, endMs); nextDayMs += DAY) options.progress?.onDay();
    if (t >= tailEndMs) break;
    if (nextSend === t) deliver(queue.pop()!);
    else if (nextHour === t) {
      if (mode === 'policy') sendDigests(nextHour);
      nextHour += HOUR;
    } else decideFor(ei++);
  }
  if (mode !== 'send_everything_now') out.violations = checkDecisions(entries, new Map(), effective);
  if (options.keepEntries) out.entries = entries;
  return out;
}

export interface ReplayOptions {
  /** Start of the replayed days (default: the world's start). */
  fromMs?: number;
  /** Also plays the full policy with these scores (e.g. the oracle's), as a reference row after the three. */
  reference?: ReplayScorer;
  /** Told as each run ends, with its wall time. */
  onOutcome?: (o: PolicyOutcome, ms: number) => void;
  /** Told as a run finishes each day: days played over all runs so far, of runs × days, and the run's name. */
  onDay?: (played: number, of: number, run: string) => void;
}

/**
 * The three policies over the same world and days; `policy` is the full policy under test, and its caps
 * are the baseline's.
 */
export function replay(
  world: World,
  policy: CapPolicy,
  days: number,
  scorer: ReplayScorer = oracleScorer(world),
  options: ReplayOptions = {},
): ReplayReport {
  const fromMs = options.fromMs ?? world.startMs;
  const toMs = fromMs + days * DAY;
  const events = scheduleEvents(world, { fromMs, toMs });
  const of = (REPLAY_POLICIES.length + (options.reference ? 1 : 0)) * days;
  let played = 0;
  const timed = (mode: ReplayMode, s: ReplayScorer, name?: string) => {
    const started = performance.now();
    const run = name ?? (mode === 'policy' ? policy.name : mode);
    const onDay = options.onDay;
    const progress = onDay && { fromMs, onDay: () => onDay(++played, of, run) };
    const o = runPolicy(world, events, mode, policy, s, toMs, { progress });
    if (name) o.name = name;
    options.onOutcome?.(o, performance.now() - started);
    return o;
  };
  const outcomes = REPLAY_POLICIES.map((mode) => timed(mode, scorer));
  if (options.reference)
    outcomes.push(
      timed('policy', options.reference, `${policy.name}, ${options.reference.name.split(' ')[0]} scores (reference)`),
    );
  return { fans: world.fans.count, days, events: events.length, fromMs, scorer: scorer.name, outcomes };
}

const pct = (a: number, b: number) => (b === 0 ? 'n/a' : `${(((a - b) / b) * 100).toFixed(1)}%`);

/** The report as a Markdown table, with the done-when comparisons under it. */
export function formatReplay(r: ReplayReport): string {
  const perFanDay = (n: number) => (n / (r.fans * r.days)).toFixed(3);
  const rate = (n: number, of: number) => (of ? n / of : 0).toFixed(3);
  const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  const lines = [
    `${r.fans} fans, ${r.days} days from ${new Date(r.fromMs).toISOString().slice(0, 10)}, ${r.events} events; ` +
      `scores: ${r.scorer}`,
    '',
    row([
      'policy',
      'email/fan/day',
      'push/fan/day',
      'digests/fan/day',
      'sends/fan/day',
      'sends',
      'alert opens',
      'digest opens',
      'opens',
      'opens/send',
      'digest opens/digest',
      'clicks',
      'unsubscribes',
      'violations',
    ]),
    `| --- ${'| --: '.repeat(13)}|`,
    ...r.outcomes.map((o) =>
      row([
        o.name,
        perFanDay(o.alerts.email),
        perFanDay(o.alerts.push),
        perFanDay(o.digests),
        perFanDay(o.sends),
        o.sends,
        o.alertOpens,
        o.digestOpens,
        o.opens,
        rate(o.opens, o.sends),
        o.digests ? rate(o.digestOpens, o.digests) : 'n/a',
        o.clicks,
        o.unsubscribes,
        o.policy === 'send_everything_now' ? 'n/a' : o.violations.length,
      ]),
    ),
  ];
  const [now, fcfs, full] = r.outcomes;
  lines.push(
    '',
    `policy vs send everything now: sends ${pct(full.sends, now.sends)}, opens ${pct(full.opens, now.opens)} ` +
      `(alert opens ${pct(full.alertOpens, now.alertOpens)}), clicks ${pct(full.clicks, now.clicks)}, ` +
      `unsubscribes ${pct(full.unsubscribes, now.unsubscribes)}`,
    `policy vs caps only (first come, first served): opens ${pct(full.opens, fcfs.opens)} ` +
      `(alert opens ${pct(full.alertOpens, fcfs.alertOpens)}), clicks ${pct(full.clicks, fcfs.clicks)}, ` +
      `sends ${pct(full.sends, fcfs.sends)}, unsubscribes ${pct(full.unsubscribes, fcfs.unsubscribes)}`,
  );
  if (r.evaluation) lines.push('', ...formatEvaluation(r.evaluation));
  return lines.join('\n');
}

/** Mean and sample standard deviation (0 for one value). */
function meanSd(values: readonly number[]): { mean: number; sd: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const ss = values.reduce((a, b) => a + (b - mean) ** 2, 0);
  return { mean, sd: values.length > 1 ? Math.sqrt(ss / (values.length - 1)) : 0 };
}

/**
 * Several worlds' reports (one per seed, same policy and days) as one table of each figure's mean ± standard deviation
 * across them, then the comparisons and the held-out model figures the same way.
 */
export function formatReplaySpread(reports: readonly ReplayReport[]): string {
  const spread = (values: number[], digits: number) => {
    const { mean, sd } = meanSd(values);
    return `${mean.toFixed(digits)} ± ${sd.toFixed(digits)}`;
  };
  const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  const columns: [string, number, (o: PolicyOutcome, r: ReplayReport) => number][] = [
    ['sends/fan/day', 3, (o, r) => o.sends / (r.fans * r.days)],
    ['digests/fan/day', 3, (o, r) => o.digests / (r.fans * r.days)],
    ['alert opens', 0, (o) => o.alertOpens],
    ['digest opens', 0, (o) => o.digestOpens],
    ['opens', 0, (o) => o.opens],
    ['opens/send', 3, (o) => (o.sends ? o.opens / o.sends : 0)],
    ['clicks', 0, (o) => o.clicks],
    ['unsubscribes', 0, (o) => o.unsubscribes],
  ];
  const first = reports[0];
  const lines = [
    `${reports.length} worlds (seeds), ${first.fans} fans, ${first.days} days each; mean ± SD across them`,
    '',
    row(['policy', ...columns.map(([name]) => name), 'violations']),
    `| --- ${'| --: '.repeat(columns.length + 1)}|`,
    ...first.outcomes.map((o, i) =>
      row([
        o.name,
        ...columns.map(([, digits, f]) =>
          spread(
            reports.map((r) => f(r.outcomes[i], r)),
            digits,
          ),
        ),
        o.policy === 'send_everything_now' ? 'n/a' : reports.reduce((n, r) => n + r.outcomes[i].violations.length, 0),
      ]),
    ),
    '',
  ];
  const change = (f: (o: PolicyOutcome) => number, base: number) =>
    spread(
      reports.map((r) => {
        const b = f(r.outcomes[base]);
        return b === 0 ? 0 : ((f(r.outcomes[2]) - b) / b) * 100;
      }),
      1,
    );
  lines.push(
    `policy vs send everything now (%): sends ${change((o) => o.sends, 0)}, opens ${change((o) => o.opens, 0)}, ` +
      `alert opens ${change((o) => o.alertOpens, 0)}, unsubscribes ${change((o) => o.unsubscribes, 0)}`,
    `policy vs caps only (%): opens ${change((o) => o.opens, 1)}, alert opens ${change((o) => o.alertOpens, 1)}, ` +
      `clicks ${change((o) => o.clicks, 1)}, sends ${change((o) => o.sends, 1)}`,
  );
  const evaluations = reports.flatMap((r) => (r.evaluation ? [r.evaluation] : []));
  if (evaluations.length === reports.length) {
    const e = (f: (x: HeldOutEvaluation) => number) => spread(evaluations.map(f), 4);
    lines.push(
      `model on held-out days: AUC ${e((x) => x.model.auc)} (oracle ${e((x) => x.oracle.auc)}, ` +
        `gap ${e((x) => x.oracle.auc - x.model.auc)}), logloss ${e((x) => x.model.logloss)} ` +
        `(oracle ${e((x) => x.oracle.logloss)}), ECE ${e((x) => x.model.ece)}`,
    );
  }
  return lines.join('\n');
}
