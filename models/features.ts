// The relevance features, defined once: a pure replay of a fan's history to each decision time, training and serving.
//
// Training asks for a row per past delivery (decision time = when it was decided); serving asks
// for rows at "now" for many channels and send times. Both call `fanFeatureRows` on the same
// `FanHistory` shape, so the two cannot drift apart. A row sees only sends made and opens that
// happened strictly before its decision time, within the last LOOKBACK_DAYS.
import { circularHourDistance, localHourOfDay, zoneOffsetMinutes } from '../domain/clock.ts';
import { DAY_MS, HOUR_MS } from '../domain/time.ts';
import type { Channel, EventKind } from '../domain/vocabulary.ts';
import {
  expectedPeakProximity,
  PEAK_PAIRS,
  peakPosterior,
  peakPosteriorWithSends,
  QUARTERS_PER_DAY,
  quarterOfDay,
} from './reading-peaks.ts';

export const KIND_CODES: Record<EventKind, number> = { post: 0, live: 1, announcement: 2 };
export const CHANNEL_CODES: Record<Channel, number> = { email: 0, push: 1 };

/** Feature columns, in model order. Names travel in the model text, so a model knows what it was trained on. */
export const FEATURE_NAMES = [
  'fan_open_rate_email',
  'fan_open_rate_push',
  'fan_open_rate_channel',
  'fan_engagement_index',
  'fan_hour_rate',
  'fan_hour_lift',
  'fan_hour_of_week_rate',
  'fan_digest_hour_distance',
  'fan_open_hour_share',
  'fan_open_hour_lift',
  'fan_peak_proximity',
  'fan_peak_proximity_sends',
  'fan_sends_window',
  'fan_days_since_open',
  'fan_days_since_send',
  'fan_tenure_days',
  'fan_sent_24h',
  'fan_sent_7d',
  'member_paid',
  'member_tier',
  'member_days',
  'member_sends',
  'member_opens',
  'member_open_rate',
  'member_engagement_index',
  'member_days_since_open',
  'member_opens_7d',
  'member_prior_rate',
  'member_lift',
  'member_bayes_rate',
  'fan_clicks',
  'fan_click_per_open',
  'member_click_per_open',
  'fan_creator_index',
  'creator_engagement_index',
  'creator_sends_window',
  'kind',
  'channel',
  'local_hour',
  'local_day_of_week',
  'hours_since_event',
] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];
export const NUM_FEATURES = FEATURE_NAMES.length;
/** Columns the trainer must treat as categories rather than numbers. */
export const CATEGORICAL_FEATURES: FeatureName[] = ['kind'];
/** Bump when a definition changes: a model trained on other definitions must not be served these rows. */
export const FEATURE_VERSION = 6;

const F = Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, i])) as Record<FeatureName, number>;

/** How far back a row looks: sends and opens older than this are forgotten. */
export const LOOKBACK_DAYS = 28;
export const LOOKBACK_MS = LOOKBACK_DAYS * DAY_MS;
/** Pseudo-counts of the Bayesian smoothing: how many sends' worth of evidence the prior is worth. */
export const PRIOR_SENDS = { fan: 8, member: 4, hour: 3, hourOfWeek: 3, creator: 50 } as const;
/**
 * Weight, in expected opens, of the prior that a membership opens as its fan's rates times its creator's
 * engagement predict (lift 1): about 1/CV² of the membership lifts a 28-day window can tell apart.
 */
export const MEMBER_LIFT_PRIOR_OPENS = 2;
/** Width (hours) of the kernel that lets neighbouring hours share evidence. */
const HOUR_KERNEL_SIGMA = 1.5;
const HOUR_KERNEL = Array.from({ length: 24 }, (_, d) => {
  const distance = circularHourDistance(0, d);
  return Math.exp(-(distance * distance) / (2 * HOUR_KERNEL_SIGMA * HOUR_KERNEL_SIGMA));
});
/** The kernel's mean over the 24 hours: the share of opens near any hour when opens fall at every hour alike. */
const HOUR_KERNEL_MEAN = HOUR_KERNEL.reduce((a, b) => a + b, 0) / 24;
/** Pseudo-count of opens spread evenly over the day in the open-hour share. */
const PRIOR_OPENS_HOUR = 2;
/** Clicks per open before any evidence, and how many opens' worth of evidence that prior is worth. */
const CLICK_PRIOR_RATE = 0.3;
const PRIOR_CLICK_OPENS = 4;
/** Hours either side counted in the hour-of-week estimate. */
const HOW_REACH = 2;

export interface FanRecord {
  fanId: number;
  timeZone: string;
  createdAtMs: number;
  /**
   * The local hour the fan chose for digests (preferences.digest_hour), or null. Fans pick an hour
   * at which they read; preferences keep no history, so this is the current choice.
   */
  digestHour: number | null;
}

export interface MembershipRecord {
  creatorId: number;
  paid: boolean;
  tier: number;
  startedAtMs: number;
}

/** A notification the fan was sent (a delivery with status sent). */
export interface PastSend {
  decisionId: number;
  creatorId: number;
  channel: Channel;
  sentAtMs: number;
}

/** An open of one of the fan's notifications. */
export interface PastOpen {
  decisionId: number;
  creatorId: number;
  channel: Channel;
  occurredAtMs: number;
}

/** A click on one of the fan's notifications (the link in it followed). */
export interface PastClick {
  decisionId: number;
  occurredAtMs: number;
}

/** Everything about one fan the features read; sends, opens and clicks sorted by time. */
export interface FanHistory {
  fan: FanRecord;
  memberships: ReadonlyMap<number, MembershipRecord>;
  sends: readonly PastSend[];
  opens: readonly PastOpen[];
  clicks: readonly PastClick[];
}

/** Population and creator engagement, as known at the start of a UTC day (see creator-stats.ts). */
export interface EngagementSnapshot {
  /** Population open rate by channel over the lookback window. */
  populationRate: Record<Channel, number>;
  /** The creator's opens over the opens its sends would get at population rates (1 = average), and its sends. */
  creator(creatorId: number): { index: number; sends: number };
}

/** Snapshots by day: the features of a decision at time T use the snapshot of T's UTC day. */
export type SnapshotAt = (asOfMs: number) => EngagementSnapshot;

/** One candidate notification to describe: (fan, event, channel, send time), decided at asOfMs. */
export interface FeatureQuery {
  /** The decision time: only sends before it and opens before it are visible. */
  asOfMs: number;
  /** When the notification would go out (>= asOfMs for serving; the send time for training). */
  sendAtMs: number;
  creatorId: number;
  kind: EventKind;
  channel: Channel;
  eventCreatedAtMs: number;
}

/** Local hour 0-23 and day of week 0-6 (Sunday 0) of an instant in a zone. */
export function localHourAndDay(zone: string, atMs: number): { hour: number; day: number } {
  const wall = atMs + zoneOffsetMinutes(zone, atMs) * 60_000;
  const dayNumber = Math.floor(wall / DAY_MS);
  const hour = Math.floor((wall - dayNumber * DAY_MS) / HOUR_MS);
  // 1970-01-01 was a Thursday.
  return { hour, day: (((dayNumber + 4) % 7) + 7) % 7 };
}

function smooth(successes: number, trials: number, prior: number, strength: number): number {
  return (successes + strength * prior) / (trials + strength);
}

/** A send inside the window, with the hour it went out in the fan's zone. */
interface WindowSend {
  send: PastSend;
  hour: number;
  hourOfWeek: number;
  opened: boolean;
  /** Local quarter hour 0-95 at which it was opened, when opened. */
  openQuarter: number;
  clicked: boolean;
}

interface MemberCounts {
  sends: number;
  opens: number;
  clicks: number;
  email: number;
  push: number;
  lastOpenMs: number;
  /** When this creator's notifications were opened, oldest first (opens of sends still in the window or not). */
  openTimes: number[];
}

/** The fan's running state: what is known after replaying the timeline up to some instant. */
class FanState {
  readonly channelSends = [0, 0];
  readonly channelOpens = [0, 0];
  /** Clicks on sends still in the window. */
  clicks = 0;
  readonly hourSends = new Float64Array(24);
  readonly hourOpens = new Float64Array(24);
  readonly howSends = new Float64Array(168);
  readonly howOpens = new Float64Array(168);
  /** Opens by the local quarter hour they happened (not the hour their send went out): when the fan reads. */
  readonly openQuarters = new Float64Array(QUARTERS_PER_DAY);
  /** Bumped whenever openQuarters changes; the posterior is recomputed only then. */
  private openVersion = 0;
  /** Bumped whenever a send enters or leaves the window; with openVersion it keys the send-aware posterior. */
  private sendVersion = 0;
  /** The openVersion, sendVersion and rate the send-aware posterior was last computed for. */
  private sendPosteriorOpens = -1;
  private sendPosteriorSends = -1;
  private sendPosteriorRate = Number.NaN;
  private readonly sendPosteriorWeights = new Float64Array(PEAK_PAIRS.length);
  private posteriorVersion = -1;
  private readonly posteriorWeights = new Float64Array(PEAK_PAIRS.length);
  readonly members = new Map<number, MemberCounts>();
  readonly byDecision = new Map<number, WindowSend>();
  /** Sends inside the window, oldest first; `first` is the oldest not yet expired. */
  private readonly window: WindowSend[] = [];
  private first = 0;
  lastOpenMs = -Infinity;
  lastSendMs = -Infinity;

  constructor(
    private readonly zone: string,
    private readonly digestHour: number | null,
  ) {}

  member(creatorId: number): MemberCounts {
    let m = this.members.get(creatorId);
    if (!m) {
      m = { sends: 0, opens: 0, clicks: 0, email: 0, push: 0, lastOpenMs: -Infinity, openTimes: [] };
      this.members.set(creatorId, m);
    }
    return m;
  }

  addSend(send: PastSend): void {
    const { hour, day } = localHourAndDay(this.zone, send.sentAtMs);
    const w: WindowSend = {
      send,
      hour,
      hourOfWeek: day * 24 + hour,
      opened: false,
      openQuarter: 0,
      clicked: false,
    };
    this.window.push(w);
    this.byDecision.set(send.decisionId, w);
    this.count(w, 1);
    this.lastSendMs = send.sentAtMs;
  }

  addOpen(open: PastOpen): void {
    this.lastOpenMs = open.occurredAtMs;
    const m = this.member(open.creatorId);
    m.lastOpenMs = open.occurredAtMs;
    m.openTimes.push(open.occurredAtMs);
    // Rates count opens of sends still in the window; an open of an older send only updates recency.
    const w = this.byDecision.get(open.decisionId);
    if (!w || w.opened) return;
    w.opened = true;
    w.openQuarter = quarterOfDay(localHourOfDay(this.zone, open.occurredAtMs));
    this.countOpen(w, 1);
  }

  /** A click counts once per send still in the window (a click implies an open, whether or not one was logged). */
  addClick(click: PastClick): void {
    const w = this.byDecision.get(click.decisionId);
    if (!w || w.clicked) return;
    w.clicked = true;
    this.clicks++;
    this.member(w.send.creatorId).clicks++;
  }

  /** Forgets sends made before `fromMs`, with their opens and clicks. */
  expire(fromMs: number): void {
    while (this.first < this.window.length && this.window[this.first].send.sentAtMs < fromMs) {
      const w = this.window[this.first++];
      this.count(w, -1);
      if (w.opened) this.countOpen(w, -1);
      if (w.clicked) {
        this.clicks--;
        this.member(w.send.creatorId).clicks--;
      }
      this.byDecision.delete(w.send.decisionId);
    }
  }

  /** Opens in the local hour 0-23, from the quarter-hour counts. */
  opensInHour(hour: number): number {
    const q = hour * 4;
    return this.openQuarters[q] + this.openQuarters[q + 1] + this.openQuarters[q + 2] + this.openQuarters[q + 3];
  }

  /** The reading-peak posterior for the opens in the window and the digest hour, cached until the opens change. */
  peakPosterior(): Float64Array {
    if (this.posteriorVersion !== this.openVersion) {
      peakPosterior(this.openQuarters, this.digestHour, this.posteriorWeights);
      this.posteriorVersion = this.openVersion;
    }
    return this.posteriorWeights;
  }

  /**
   * The send-aware reading-peak posterior at the fan's rate `rate`, cached while the window and the rate stay the
   * same: serving asks it for every channel and send time of one fan at one decision time.
   */
  sendPosterior(rate: number): Float64Array {
    const same =
      this.sendPosteriorOpens === this.openVersion &&
      this.sendPosteriorSends === this.sendVersion &&
      Object.is(this.sendPosteriorRate, rate);
    if (!same) {
      peakPosteriorWithSends(
        this.openQuarters,
        this.digestHour,
        this.hourSends,
        this.hourOpens,
        rate,
        this.sendPosteriorWeights,
      );
      this.sendPosteriorOpens = this.openVersion;
      this.sendPosteriorSends = this.sendVersion;
      this.sendPosteriorRate = rate;
    }
    return this.sendPosteriorWeights;
  }

  private count(w: WindowSend, sign: number): void {
    this.sendVersion++;
    const c = CHANNEL_CODES[w.send.channel];
    this.channelSends[c] += sign;
    this.hourSends[w.hour] += sign;
    this.howSends[w.hourOfWeek] += sign;
    const m = this.member(w.send.creatorId);
    m.sends += sign;
    if (c === 0) m.email += sign;
    else m.push += sign;
  }

  private countOpen(w: WindowSend, sign: number): void {
    this.channelOpens[CHANNEL_CODES[w.send.channel]] += sign;
    this.hourOpens[w.hour] += sign;
    this.howOpens[w.hourOfWeek] += sign;
    this.openQuarters[w.openQuarter] += sign;
    this.openVersion++;
    this.member(w.send.creatorId).opens += sign;
  }
}

/** Number of sorted times t with from < t < to. */
function countBetween(times: Float64Array, from: number, to: number): number {
  return lowerBound(times, to) - upperBound(times, from);
}

function lowerBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const days = (ms: number) => ms / DAY_MS;

/** Writes one row for `q` from the state as of q.asOfMs. */
function writeRow(
  state: FanState,
  history: FanHistory,
  sendTimes: Float64Array,
  snapshot: EngagementSnapshot,
  q: FeatureQuery,
  out: Float64Array,
  o: number,
): void {
  const pop = snapshot.populationRate;
  const [emailSends, pushSends] = state.channelSends;
  const [emailOpens, pushOpens] = state.channelOpens;
  const rateEmail = smooth(emailOpens, emailSends, pop.email, PRIOR_SENDS.fan);
  const ratePush = smooth(pushOpens, pushSends, pop.push, PRIOR_SENDS.fan);
  const sends = emailSends + pushSends;
  const opens = emailOpens + pushOpens;
  // Opens over what an average fan would open of the same mix of channels: comparable across channel mixes.
  const expected = emailSends * pop.email + pushSends * pop.push;
  const fanIndex = (opens + PRIOR_SENDS.fan) / (expected + PRIOR_SENDS.fan);
  const overall = smooth(opens, sends, sends > 0 ? expected / sends : (pop.email + pop.push) / 2, PRIOR_SENDS.fan);

  const { hour, day } = localHourAndDay(history.fan.timeZone, q.sendAtMs);
  let hs = 0;
  let ho = 0;
  for (let h = 0; h < 24; h++) {
    const k = HOUR_KERNEL[Math.abs(h - hour)];
    hs += k * state.hourSends[h];
    ho += k * state.hourOpens[h];
  }
  const hourRate = smooth(ho, hs, overall, PRIOR_SENDS.hour);
  // Where in the day the fan's opens fall, near the send hour: evidence of their rhythm from every open,
  // including those of notifications sent at other hours and read later.
  let oh = 0;
  for (let h = 0; h < 24; h++) oh += HOUR_KERNEL[Math.abs(h - hour)] * state.opensInHour(h);
  const openHourShare = smooth(oh, opens, HOUR_KERNEL_MEAN, PRIOR_OPENS_HOUR);
  const how = day * 24 + hour;
  let ws = 0;
  let wo = 0;
  for (let d = -HOW_REACH; d <= HOW_REACH; d++) {
    const b = (how + d + 168) % 168;
    const k = HOUR_KERNEL[Math.abs(d)];
    ws += k * state.howSends[b];
    wo += k * state.howOpens[b];
  }

  const member = history.memberships.get(q.creatorId);
  const counts = state.members.get(q.creatorId);
  const mSends = counts?.sends ?? 0;
  const mOpens = counts?.opens ?? 0;
  const mExpected = counts ? counts.email * pop.email + counts.push * pop.push : 0;
  const windowStart = q.asOfMs - LOOKBACK_MS;
  const creator = snapshot.creator(q.creatorId);

  out[o + F.fan_open_rate_email] = rateEmail;
  out[o + F.fan_open_rate_push] = ratePush;
  out[o + F.fan_open_rate_channel] = q.channel === 'email' ? rateEmail : ratePush;
  out[o + F.fan_engagement_index] = fanIndex;
  out[o + F.fan_hour_rate] = hourRate;
  out[o + F.fan_hour_lift] = hourRate / overall;
  out[o + F.fan_hour_of_week_rate] = smooth(wo, ws, hourRate, PRIOR_SENDS.hourOfWeek);
  const digest = history.fan.digestHour;
  out[o + F.fan_digest_hour_distance] = digest === null ? NaN : circularHourDistance(hour, digest);
  out[o + F.fan_open_hour_share] = openHourShare;
  out[o + F.fan_open_hour_lift] = openHourShare / HOUR_KERNEL_MEAN;
  out[o + F.fan_peak_proximity] = expectedPeakProximity(state.peakPosterior(), hour);
  // The same posterior also reading which send hours were opened and which were not.
  out[o + F.fan_peak_proximity_sends] = expectedPeakProximity(state.sendPosterior(overall), hour);
  out[o + F.fan_sends_window] = sends;
  out[o + F.fan_days_since_open] = state.lastOpenMs >= windowStart ? days(q.sendAtMs - state.lastOpenMs) : NaN;
  out[o + F.fan_days_since_send] = state.lastSendMs >= windowStart ? days(q.sendAtMs - state.lastSendMs) : NaN;
  out[o + F.fan_tenure_days] = days(q.sendAtMs - history.fan.createdAtMs);
  // Sends already made that will still be within 24 h / 7 d of the send time: what the fan will have received.
  out[o + F.fan_sent_24h] = countBetween(sendTimes, q.sendAtMs - DAY_MS, q.asOfMs);
  out[o + F.fan_sent_7d] = countBetween(sendTimes, q.sendAtMs - 7 * DAY_MS, q.asOfMs);
  out[o + F.member_paid] = member ? (member.paid ? 1 : 0) : NaN;
  out[o + F.member_tier] = member ? member.tier : NaN;
  out[o + F.member_days] = member ? days(q.sendAtMs - member.startedAtMs) : NaN;
  out[o + F.member_sends] = mSends;
  out[o + F.member_opens] = mOpens;
  out[o + F.member_open_rate] = smooth(mOpens, mSends, overall, PRIOR_SENDS.member);
  out[o + F.member_engagement_index] = (mOpens + PRIOR_SENDS.member * fanIndex) / (mExpected + PRIOR_SENDS.member);
  out[o + F.member_days_since_open] =
    counts && counts.lastOpenMs >= windowStart ? days(q.sendAtMs - counts.lastOpenMs) : NaN;
  let opens7d = 0;
  if (counts)
    for (let k = counts.openTimes.length - 1; k >= 0 && counts.openTimes[k] >= q.asOfMs - 7 * DAY_MS; k--) opens7d++;
  out[o + F.member_opens_7d] = opens7d;
  // The shrinkage prior for this membership: what this fan's own rates predict for this creator's engagement,
  // then the membership's opens over what that prior expected of its sends, smoothed toward 1.
  const creatorIndex = creator.index;
  const prior = Math.min(0.99, (q.channel === 'email' ? rateEmail : ratePush) * creatorIndex);
  const mPriorExpected = counts ? (counts.email * rateEmail + counts.push * ratePush) * creatorIndex : 0;
  const lift = (mOpens + MEMBER_LIFT_PRIOR_OPENS) / (mPriorExpected + MEMBER_LIFT_PRIOR_OPENS);
  out[o + F.member_prior_rate] = prior;
  out[o + F.member_lift] = lift;
  out[o + F.member_bayes_rate] = Math.min(0.99, prior * lift);
  // Clicks per open: how much of what the fan opens they act on, which opens alone do not tell.
  out[o + F.fan_clicks] = state.clicks;
  out[o + F.fan_click_per_open] = smooth(state.clicks, opens, CLICK_PRIOR_RATE, PRIOR_CLICK_OPENS);
  const fanClickRate = smooth(state.clicks, opens, CLICK_PRIOR_RATE, PRIOR_CLICK_OPENS);
  out[o + F.member_click_per_open] = smooth(counts?.clicks ?? 0, mOpens, fanClickRate, PRIOR_CLICK_OPENS);
  out[o + F.fan_creator_index] = fanIndex * creatorIndex;
  out[o + F.creator_engagement_index] = creator.index;
  out[o + F.creator_sends_window] = creator.sends;
  out[o + F.kind] = KIND_CODES[q.kind];
  out[o + F.channel] = CHANNEL_CODES[q.channel];
  out[o + F.local_hour] = hour;
  out[o + F.local_day_of_week] = day;
  out[o + F.hours_since_event] = (q.sendAtMs - q.eventCreatedAtMs) / HOUR_MS;
}

/**
 * Feature rows for `queries` (row i for query i) into out[offset + i·NUM_FEATURES ...], replaying the
 * fan's sends and opens in time order and answering each query from the state at its decision time.
 * Sends and opens must be sorted by time. Pure: the same history and queries give the same rows.
 */
export function fanFeatureRows(
  history: FanHistory,
  queries: readonly FeatureQuery[],
  snapshotAt: SnapshotAt,
  out: Float64Array,
  offset = 0,
): void {
  const order = Array.from(queries.keys()).sort((a, b) => queries[a].asOfMs - queries[b].asOfMs);
  const state = new FanState(history.fan.timeZone, history.fan.digestHour);
  const { sends, opens, clicks } = history;
  const sendTimes = Float64Array.from(sends, (s) => s.sentAtMs);
  let s = 0;
  let p = 0;
  let c = 0;
  for (const i of order) {
    const q = queries[i];
    const windowStart = q.asOfMs - LOOKBACK_MS;
    // Everything strictly before the decision time, in time order; a send precedes an open at the same instant.
    while (s < sends.length || p < opens.length) {
      const sendAt = s < sends.length ? sends[s].sentAtMs : Infinity;
      const openAt = p < opens.length ? opens[p].occurredAtMs : Infinity;
      if (Math.min(sendAt, openAt) >= q.asOfMs) break;
      if (sendAt <= openAt) {
        if (sendAt >= windowStart) state.addSend(sends[s]);
        s++;
      } else {
        state.addOpen(opens[p++]);
      }
    }
    // Clicks follow their opens; a click is seen once it happened before the decision.
    while (c < clicks.length && clicks[c].occurredAtMs < q.asOfMs) state.addClick(clicks[c++]);
    state.expire(windowStart);
    writeRow(state, history, sendTimes, snapshotAt(q.asOfMs), q, out, offset + i * NUM_FEATURES);
  }
}

/** The rows as objects, for tests and for explaining a decision. */
export function namedRow(rows: Float64Array, row: number): Record<FeatureName, number> {
  const out = {} as Record<FeatureName, number>;
  FEATURE_NAMES.forEach((name, f) => {
    out[name] = rows[row * NUM_FEATURES + f];
  });
  return out;
}
