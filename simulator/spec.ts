// The world spec: every knob of the simulated world with its default, and validation that names the field and the rule.

import { DAY_MS, HOUR_MS } from '../domain/time.ts';
import {
  AUDIENCE_RULES,
  type AudienceRule,
  CHANNELS,
  type Channel,
  DIGEST_CADENCES,
  type DigestCadence,
  EVENT_KINDS,
  type EventKind,
} from '../domain/vocabulary.ts';

export type PerKind = Record<EventKind, number>;
export type PerChannel<T> = Record<Channel, T>;
export type TimeZoneShare = { zone: string; weight: number; locale: string };

export type WorldSpec = {
  seed: number;
  /** ISO instant the world is generated at: fans' tenure and memberships start before it. */
  start: string;
  creators: {
    count: number;
    /** Popularity of the creator of rank r is r^-s; fans join creators in proportion to it. */
    audienceZipfExponent: number;
    /** Lognormal spread of each creator's popularity around its Zipf rank weight. */
    audienceSigma: number;
    /** Median events per creator per day, by kind. */
    publishRatePerDay: PerKind;
    /** Lognormal spread of each creator's activity multiplier (median 1). */
    publishRateSigma: number;
    /** Relative weight of each creator-local hour 0-23 for posts and announcements. */
    publishHourWeights: number[];
    /** Relative weight of each creator-local hour 0-23 for going live. */
    liveHourWeights: number[];
    /** Share of posts for all members / paid members / members of tier >= 2 (lives and announcements go to all). */
    postAudienceShares: Record<AudienceRule, number>;
    /** Hours from publication to the event's deadline, [min, max] drawn uniformly, by kind. */
    deadlineHours: Record<EventKind, [number, number]>;
  };
  fans: {
    count: number;
    timeZones: TimeZoneShare[];
    /** Population curve: relative weight of each local hour 0-23 as a fan's peak hour. */
    peakHourWeights: number[];
    /** Each fan has two peak hours at least this many hours apart. */
    peakSeparationHours: number;
    /** Width (standard deviation, hours) of the bump a peak hour adds to open rates. */
    peakWidthHours: number;
    /** Share of fans with a web push subscription as well as email. */
    pushShare: number;
    digestCadenceShares: Record<DigestCadence, number>;
    /** How fans with digests on come to have a digest hour (fans with digests off have none). */
    digestHourChoice: DigestHourChoice;
    /** Mean days between a fan's sign-up and the world's start (exponential). */
    tenureMeanDays: number;
    /** Share of memberships muted, weighted towards low affinity. */
    mutedShare: number;
  };
  memberships: {
    /** Memberships per fan: round(lognormal(ln median, sigma)), clamped to [1, max]. */
    perFanMedian: number;
    perFanSigma: number;
    perFanMax: number;
    paidShare: number;
    /** Among paid memberships, the shares of tiers 1, 2 and 3 (free memberships are tier 0). */
    tierShares: [number, number, number];
  };
  affinity: {
    /**
     * Affinity = sigmoid(logitMean + paidShift·paid + fan + creator + membership), in (0, 1), where the three
     * components are independent normals whose variances split logitSigma² by fanShare, creatorShare and the rest.
     */
    logitMean: number;
    logitSigma: number;
    paidShift: number;
    /** Share of the logit variance that is the fan's own (how engaged the fan is with every creator). */
    fanShare: number;
    /** Share of the logit variance that is the creator's own (how engaging the creator is to every fan). */
    creatorShare: number;
  };
  response: {
    /** P(open) for an average fan at an average hour with nothing sent in the last 24 h. */
    baseOpenRate: PerChannel<PerKind>;
    /** Logit added at a fan's peak hour and removed far from both peaks: hourEffect × (2·proximity − 1). */
    hourEffect: number;
    /** Logit added per unit of (affinity - 0.5). */
    affinityEffect: number;
    /** Logit added for a paid membership. */
    paidEffect: number;
    /** Logit removed per notification the fan got in the last 24 h. */
    fatiguePerNotification: number;
    /** P(click | open) at affinity 0.5, by kind. */
    clickGivenOpen: PerKind;
    /** Logit added to P(click | open) per unit of (affinity - 0.5). */
    clickAffinityEffect: number;
    /** Median minutes from send to open for a fan who is around when it arrives, by channel (lognormal). */
    openDelayMedianMinutes: PerChannel<number>;
    /**
     * How far a fan's opens follow their daily rhythm: a notification arriving at local hour h finds the fan away
     * with probability awayWaitsForPeak × (1 − peakProximity(h)), and an away fan who opens it does so at their
     * next peak hour (± peakWidthHours), not minutes later. 0: opens follow the send by the delay alone.
     */
    awayWaitsForPeak: number;
    openDelaySigma: number;
    /** Median seconds from open to click (lognormal). */
    clickDelayMedianSeconds: number;
    /** Per-send unsubscribe probability for a relevant send to a rested fan, by channel. */
    unsubscribeBase: PerChannel<number>;
    /** Log-hazard added per notification in the last 24 h. */
    unsubscribeVolumeEffect: number;
    /** Log-hazard added per irrelevant notification in the last 7 days. */
    unsubscribeIrrelevantEffect: number;
    /** Log-hazard added per unit of (1 - affinity) of this send. */
    unsubscribeLowAffinityEffect: number;
    /** A send is irrelevant when the membership's affinity is below this. */
    irrelevantAffinity: number;
  };
};

/**
 * A preference log's digest hours: some fans pick one of their own peak hours, some never open the setting (no
 * digest hour: production sends at its default), the rest pick a popular hour, give or take.
 */
export type DigestHourChoice = {
  /** Share of fans with digests on whose digest hour is one of their two peak hours. */
  peakShare: number;
  /** Share of fans with digests on who never chose: no digest hour. */
  unsetShare: number;
  /** For the rest: relative weight of each local hour 0-23 as the popular hour they start from. */
  popularHourWeights: number[];
  /** Standard deviation (hours) of the normal noise added to the popular hour, rounded to a whole hour. */
  noiseHours: number;
};

/** Recursive partial: what a spec file may contain. */
export type WorldSpecInput = {
  [K in keyof WorldSpec]?: WorldSpec[K] extends object ? Partial<WorldSpec[K]> : WorldSpec[K];
};

// Morning commute, lunch, and a long evening; almost nobody at 3 am.
const PEAK_HOURS = [1, 0.5, 0.3, 0.2, 0.2, 0.4, 1.5, 4, 5, 3, 2, 2, 3, 3, 2, 2, 2.5, 3, 4, 5.5, 6.5, 6, 4, 2];
const PUBLISH_HOURS = [
  0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1, 2, 3, 3.5, 3.5, 3, 3, 3, 3, 3, 3, 2.5, 2.5, 2, 1.5, 1, 0.5,
];
// Digest settings cluster on the morning before work and the early evening, as newsletter send-time menus do.
const DIGEST_HOURS = [0, 0, 0, 0, 0, 0, 1, 3, 5, 3, 1, 0.5, 1, 0.5, 0.5, 0.5, 0.5, 1, 2, 2, 2, 1, 0.5, 0];
const LIVE_HOURS = [0.5, 0.2, 0.1, 0, 0, 0, 0, 0.1, 0.2, 0.3, 0.5, 0.6, 0.8, 0.8, 0.8, 1, 1.5, 2.5, 4, 5, 5, 4, 2.5, 1];

export const DEFAULT_SPEC: WorldSpec = {
  seed: 42,
  start: '2025-03-03T00:00:00Z',
  creators: {
    count: 200,
    audienceZipfExponent: 1.0,
    audienceSigma: 0.3,
    publishRatePerDay: { post: 0.5, live: 0.08, announcement: 0.04 },
    publishRateSigma: 0.6,
    publishHourWeights: PUBLISH_HOURS,
    liveHourWeights: LIVE_HOURS,
    postAudienceShares: { all: 0.7, paid: 0.2, tier: 0.1 },
    deadlineHours: { post: [24, 48], live: [1, 3], announcement: [72, 72] },
  },
  fans: {
    count: 50_000,
    timeZones: [
      { zone: 'America/New_York', weight: 0.14, locale: 'en-US' },
      { zone: 'America/Chicago', weight: 0.07, locale: 'en-US' },
      { zone: 'America/Denver', weight: 0.03, locale: 'en-US' },
      { zone: 'America/Los_Angeles', weight: 0.1, locale: 'en-US' },
      { zone: 'America/Toronto', weight: 0.02, locale: 'en-CA' },
      { zone: 'America/Mexico_City', weight: 0.04, locale: 'es-MX' },
      { zone: 'America/Sao_Paulo', weight: 0.06, locale: 'pt-BR' },
      { zone: 'Europe/London', weight: 0.09, locale: 'en-GB' },
      { zone: 'Europe/Paris', weight: 0.06, locale: 'fr-FR' },
      { zone: 'Europe/Berlin', weight: 0.08, locale: 'de-DE' },
      { zone: 'Europe/Madrid', weight: 0.04, locale: 'es-ES' },
      { zone: 'Europe/Warsaw', weight: 0.03, locale: 'pl-PL' },
      { zone: 'Africa/Lagos', weight: 0.02, locale: 'en-NG' },
      { zone: 'Asia/Kolkata', weight: 0.05, locale: 'en-IN' },
      { zone: 'Asia/Jakarta', weight: 0.03, locale: 'id-ID' },
      { zone: 'Asia/Manila', weight: 0.03, locale: 'en-PH' },
      { zone: 'Asia/Seoul', weight: 0.02, locale: 'ko-KR' },
      { zone: 'Asia/Tokyo', weight: 0.05, locale: 'ja-JP' },
      { zone: 'Australia/Sydney', weight: 0.04, locale: 'en-AU' },
    ],
    peakHourWeights: PEAK_HOURS,
    peakSeparationHours: 4,
    peakWidthHours: 1.5,
    pushShare: 0.45,
    digestCadenceShares: { off: 0.3, daily: 0.45, weekly: 0.25 },
    digestHourChoice: { peakShare: 0.2, unsetShare: 0.4, popularHourWeights: DIGEST_HOURS, noiseHours: 1 },
    tenureMeanDays: 240,
    mutedShare: 0.03,
  },
  memberships: {
    perFanMedian: 3,
    perFanSigma: 0.7,
    perFanMax: 25,
    paidShare: 0.2,
    tierShares: [0.6, 0.3, 0.1],
  },
  affinity: { logitMean: -0.5, logitSigma: 1.2, paidShift: 0.8, fanShare: 0.6, creatorShare: 0.3 },
  response: {
    baseOpenRate: {
      email: { post: 0.5, live: 0.55, announcement: 0.4 },
      push: { post: 0.2, live: 0.3, announcement: 0.12 },
    },
    hourEffect: 1.0,
    affinityEffect: 2.5,
    paidEffect: 0.4,
    fatiguePerNotification: 0.15,
    clickGivenOpen: { post: 0.35, live: 0.5, announcement: 0.2 },
    clickAffinityEffect: 1.5,
    openDelayMedianMinutes: { email: 20, push: 4 },
    openDelaySigma: 1.0,
    awayWaitsForPeak: 1,
    clickDelayMedianSeconds: 40,
    unsubscribeBase: { email: 0.001, push: 0.002 },
    unsubscribeVolumeEffect: 0.12,
    unsubscribeIrrelevantEffect: 0.05,
    unsubscribeLowAffinityEffect: 1.0,
    irrelevantAffinity: 0.25,
  },
};

export class WorldSpecError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid world spec: ${issues.join('; ')}`);
    this.name = 'WorldSpecError';
  }
}

/** A JSON object: not null, not an array. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Objects merge key by key; arrays and scalars replace. Keys the defaults lack are reported, not kept. */
function merge(defaults: unknown, input: unknown, path: string, issues: string[]): unknown {
  if (input === undefined) return defaults;
  if (!isPlainObject(defaults)) return input;
  if (!isPlainObject(input)) {
    issues.push(`${path || 'spec'}: must be an object`);
    return defaults;
  }
  const out: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(input)) {
    const at = path ? `${path}.${key}` : key;
    if (!(key in defaults)) issues.push(`${at}: unknown field`);
    else out[key] = merge(defaults[key], value, at, issues);
  }
  return out;
}

class Checker {
  readonly issues: string[] = [];

  positiveInteger(path: string, value: unknown): void {
    if (!Number.isInteger(value) || (value as number) <= 0) this.issues.push(`${path}: must be a positive integer`);
  }
  integer(path: string, value: unknown): void {
    if (!Number.isSafeInteger(value)) this.issues.push(`${path}: must be an integer`);
  }
  finite(path: string, value: unknown): boolean {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.issues.push(`${path}: must be a finite number`);
      return false;
    }
    return true;
  }
  nonNegative(path: string, value: unknown): void {
    if (this.finite(path, value) && (value as number) < 0) this.issues.push(`${path}: must be >= 0`);
  }
  positive(path: string, value: unknown): void {
    if (this.finite(path, value) && (value as number) <= 0) this.issues.push(`${path}: must be > 0`);
  }
  probability(path: string, value: unknown): void {
    if (this.finite(path, value) && ((value as number) < 0 || (value as number) > 1)) {
      this.issues.push(`${path}: must be between 0 and 1`);
    }
  }
  /** Strictly inside (0, 1): base rates enter a logit. */
  openProbability(path: string, value: unknown): void {
    if (this.finite(path, value) && ((value as number) <= 0 || (value as number) >= 1)) {
      this.issues.push(`${path}: must be strictly between 0 and 1`);
    }
  }
  weights(path: string, value: unknown, length?: number): void {
    if (!Array.isArray(value) || (length !== undefined && value.length !== length)) {
      this.issues.push(`${path}: must be an array of ${length ?? 'one or more'} weights`);
      return;
    }
    if (value.length === 0) this.issues.push(`${path}: must not be empty`);
    let sum = 0;
    value.forEach((w, i) => {
      this.nonNegative(`${path}[${i}]`, w);
      if (typeof w === 'number') sum += w;
    });
    if (!(sum > 0)) this.issues.push(`${path}: weights must have a positive sum`);
  }
  shares(path: string, value: unknown, keys: readonly string[]): void {
    if (!isPlainObject(value) && !Array.isArray(value)) {
      this.issues.push(`${path}: must be an object of shares`);
      return;
    }
    const record = value as Record<string, unknown>;
    let sum = 0;
    for (const key of keys) {
      this.probability(`${path}.${key}`, record[key]);
      if (typeof record[key] === 'number') sum += record[key] as number;
    }
    if (Math.abs(sum - 1) > 1e-3) this.issues.push(`${path}: shares must sum to 1 (they sum to ${sum})`);
  }
  perKind(path: string, value: unknown, check: (path: string, v: unknown) => void): void {
    if (!isPlainObject(value)) {
      this.issues.push(`${path}: must be an object with ${EVENT_KINDS.join(', ')}`);
      return;
    }
    for (const kind of EVENT_KINDS) check(`${path}.${kind}`, value[kind]);
  }
  perChannel(path: string, value: unknown, check: (path: string, v: unknown) => void): void {
    if (!isPlainObject(value)) {
      this.issues.push(`${path}: must be an object with ${CHANNELS.join(', ')}`);
      return;
    }
    for (const channel of CHANNELS) check(`${path}.${channel}`, value[channel]);
  }
}

function isTimeZone(zone: unknown): boolean {
  if (typeof zone !== 'string' || zone === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function validate(spec: WorldSpec): string[] {
  const c = new Checker();
  c.integer('seed', spec.seed);
  if (typeof spec.start !== 'string' || Number.isNaN(Date.parse(spec.start)))
    c.issues.push('start: must be an ISO 8601 instant');

  const cr = spec.creators;
  c.positiveInteger('creators.count', cr.count);
  c.nonNegative('creators.audienceZipfExponent', cr.audienceZipfExponent);
  c.nonNegative('creators.audienceSigma', cr.audienceSigma);
  c.perKind('creators.publishRatePerDay', cr.publishRatePerDay, (p, v) => c.nonNegative(p, v));
  c.nonNegative('creators.publishRateSigma', cr.publishRateSigma);
  c.weights('creators.publishHourWeights', cr.publishHourWeights, 24);
  c.weights('creators.liveHourWeights', cr.liveHourWeights, 24);
  c.shares('creators.postAudienceShares', cr.postAudienceShares, AUDIENCE_RULES);
  c.perKind('creators.deadlineHours', cr.deadlineHours, (p, v) => {
    if (!Array.isArray(v) || v.length !== 2 || !v.every((h) => typeof h === 'number' && h > 0) || v[0] > v[1]) {
      c.issues.push(`${p}: must be [min, max] hours with 0 < min <= max`);
    }
  });

  const f = spec.fans;
  c.positiveInteger('fans.count', f.count);
  if (!Array.isArray(f.timeZones) || f.timeZones.length === 0) {
    c.issues.push('fans.timeZones: must be a non-empty array of { zone, weight, locale }');
  } else {
    if (f.timeZones.length > 255) c.issues.push('fans.timeZones: must have at most 255 entries');
    f.timeZones.forEach((tz, i) => {
      const at = `fans.timeZones[${i}]`;
      if (!isPlainObject(tz)) {
        c.issues.push(`${at}: must be an object { zone, weight, locale }`);
        return;
      }
      if (!isTimeZone(tz.zone)) c.issues.push(`${at}.zone: must be an IANA time zone name`);
      c.positive(`${at}.weight`, tz.weight);
      if (typeof tz.locale !== 'string' || !/^[a-z]{2,3}(-[A-Z]{2})?$/.test(tz.locale)) {
        c.issues.push(`${at}.locale: must be a locale tag like en-US`);
      }
    });
  }
  c.weights('fans.peakHourWeights', f.peakHourWeights, 24);
  c.nonNegative('fans.peakSeparationHours', f.peakSeparationHours);
  if (typeof f.peakSeparationHours === 'number' && f.peakSeparationHours > 12) {
    c.issues.push('fans.peakSeparationHours: must be at most 12');
  }
  c.positive('fans.peakWidthHours', f.peakWidthHours);
  c.probability('fans.pushShare', f.pushShare);
  c.shares('fans.digestCadenceShares', f.digestCadenceShares, DIGEST_CADENCES);
  const dh = f.digestHourChoice;
  if (!isPlainObject(dh)) c.issues.push('fans.digestHourChoice: must be an object');
  else {
    c.probability('fans.digestHourChoice.peakShare', dh.peakShare);
    c.probability('fans.digestHourChoice.unsetShare', dh.unsetShare);
    if (typeof dh.peakShare === 'number' && typeof dh.unsetShare === 'number' && dh.peakShare + dh.unsetShare > 1)
      c.issues.push('fans.digestHourChoice: peakShare + unsetShare must be at most 1 (the rest pick a popular hour)');
    c.weights('fans.digestHourChoice.popularHourWeights', dh.popularHourWeights, 24);
    c.nonNegative('fans.digestHourChoice.noiseHours', dh.noiseHours);
  }
  c.positive('fans.tenureMeanDays', f.tenureMeanDays);
  c.probability('fans.mutedShare', f.mutedShare);
  if (typeof f.mutedShare === 'number' && f.mutedShare > 0.5) c.issues.push('fans.mutedShare: must be at most 0.5');

  const m = spec.memberships;
  c.positive('memberships.perFanMedian', m.perFanMedian);
  c.nonNegative('memberships.perFanSigma', m.perFanSigma);
  c.positiveInteger('memberships.perFanMax', m.perFanMax);
  c.probability('memberships.paidShare', m.paidShare);
  if (!Array.isArray(m.tierShares) || m.tierShares.length !== 3) {
    c.issues.push('memberships.tierShares: must be an array of 3 shares (tiers 1, 2, 3)');
  } else {
    c.shares('memberships.tierShares', m.tierShares, ['0', '1', '2']);
  }

  c.finite('affinity.logitMean', spec.affinity.logitMean);
  c.nonNegative('affinity.logitSigma', spec.affinity.logitSigma);
  c.finite('affinity.paidShift', spec.affinity.paidShift);
  c.probability('affinity.fanShare', spec.affinity.fanShare);
  c.probability('affinity.creatorShare', spec.affinity.creatorShare);
  if (
    typeof spec.affinity.fanShare === 'number' &&
    typeof spec.affinity.creatorShare === 'number' &&
    spec.affinity.fanShare + spec.affinity.creatorShare > 1
  ) {
    c.issues.push('affinity: fanShare + creatorShare must be at most 1 (the rest is the membership share)');
  }

  const r = spec.response;
  c.perChannel('response.baseOpenRate', r.baseOpenRate, (p, v) =>
    c.perKind(p, v, (pk, vk) => c.openProbability(pk, vk)),
  );
  c.nonNegative('response.hourEffect', r.hourEffect);
  c.nonNegative('response.affinityEffect', r.affinityEffect);
  c.finite('response.paidEffect', r.paidEffect);
  c.nonNegative('response.fatiguePerNotification', r.fatiguePerNotification);
  c.perKind('response.clickGivenOpen', r.clickGivenOpen, (p, v) => c.openProbability(p, v));
  c.nonNegative('response.clickAffinityEffect', r.clickAffinityEffect);
  c.perChannel('response.openDelayMedianMinutes', r.openDelayMedianMinutes, (p, v) => c.positive(p, v));
  c.nonNegative('response.openDelaySigma', r.openDelaySigma);
  c.probability('response.awayWaitsForPeak', r.awayWaitsForPeak);
  c.positive('response.clickDelayMedianSeconds', r.clickDelayMedianSeconds);
  c.perChannel('response.unsubscribeBase', r.unsubscribeBase, (p, v) => c.probability(p, v));
  c.nonNegative('response.unsubscribeVolumeEffect', r.unsubscribeVolumeEffect);
  c.nonNegative('response.unsubscribeIrrelevantEffect', r.unsubscribeIrrelevantEffect);
  c.nonNegative('response.unsubscribeLowAffinityEffect', r.unsubscribeLowAffinityEffect);
  c.probability('response.irrelevantAffinity', r.irrelevantAffinity);
  return c.issues;
}

/** Defaults filled in, then every field checked; throws a WorldSpecError listing every problem at once. */
export function parseWorldSpec(input: unknown = {}): WorldSpec {
  const issues: string[] = [];
  const merged = merge(DEFAULT_SPEC, input, '', issues) as WorldSpec;
  issues.push(...validate(merged));
  if (issues.length > 0) throw new WorldSpecError(issues);
  return merged;
}

/** Reads a JSON spec file; a syntax error names the file. */
export async function loadWorldSpec(path: string): Promise<WorldSpec> {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  return parseWorldSpec(json);
}

/** The start that makes `days` of history end at the current whole hour. */
export function startEndingNow(days: number, nowMs = Date.now()): string {
  return new Date(Math.floor(nowMs / HOUR_MS) * HOUR_MS - days * DAY_MS).toISOString();
}
