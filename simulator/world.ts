// Generates the simulated world from a spec: creators, fans, memberships, latent affinities; same seed, same world.
import { circularHourDistance } from '../domain/clock.ts';
import { DAY_MS } from '../domain/time.ts';
import { DIGEST_CADENCES, EVENT_KINDS, type EventKind } from '../domain/vocabulary.ts';
import { cumulativeWeights, mixSeed, Rng, sigmoid, zipfWeights } from './random.ts';
import type { WorldSpec } from './spec.ts';

/**
 * A world is parallel typed arrays indexed by creator, fan or membership (like a column store), so
 * 50,000 fans and their memberships take a few megabytes. Index i is the i-th entity; its database
 * id is whatever `seedWorld` returns for it.
 */
export type World = {
  spec: WorldSpec;
  seed: number;
  startMs: number;
  /** Time zone names and their locales; fans and creators store an index into these. */
  zones: string[];
  locales: string[];
  creators: {
    count: number;
    zone: Uint8Array;
    /** Relative chance a fan joins this creator (Zipf by a shuffled rank, with lognormal noise). */
    popularity: Float64Array;
    /** Expected events per day, by kind. */
    rate: Record<EventKind, Float32Array>;
    /** The creator's component of every member's affinity logit: how engaging this creator is to anyone. */
    affinityEffect: Float32Array;
  };
  fans: {
    count: number;
    zone: Uint8Array;
    /** Two local hours 0-23 at which the fan is most responsive. */
    peak1: Uint8Array;
    peak2: Uint8Array;
    hasPush: Uint8Array;
    /** Index into DIGEST_CADENCES. */
    digestCadence: Uint8Array;
    /** Local hour 0-23 the fan chose for digests, or NO_DIGEST_HOUR (digests off, or never chosen). */
    digestHour: Int8Array;
    tenureStartMs: Float64Array;
    /** The fan's memberships are memberships[membershipStart[i] .. membershipStart[i + 1]). */
    membershipStart: Int32Array;
    /** The fan's component of every membership's affinity logit: how engaged this fan is with any creator. */
    affinityEffect: Float32Array;
  };
  memberships: {
    count: number;
    fan: Int32Array;
    creator: Int32Array;
    paid: Uint8Array;
    /** 0 for free memberships, 1-3 for paid. */
    tier: Uint8Array;
    /** Latent fan-creator affinity in (0, 1): how much this fan cares about this creator. */
    affinity: Float32Array;
    muted: Uint8Array;
    startedAtMs: Float64Array;
  };
  /** The creator's memberships are memberships[byCreator.membership[byCreator.start[c] .. start[c + 1])]. */
  byCreator: { start: Int32Array; membership: Int32Array };
};

export function fanEmail(fanIndex: number): string {
  return `fan${String(fanIndex + 1).padStart(5, '0')}@fans.example`;
}

export function creatorHandle(creatorIndex: number): string {
  return `creator${String(creatorIndex + 1).padStart(3, '0')}`;
}

export function creatorDisplayName(creatorIndex: number): string {
  return `Creator ${creatorIndex + 1}`;
}

function generateCreators(spec: WorldSpec, zoneCumulative: Float64Array): World['creators'] {
  const { count } = spec.creators;
  const rng = new Rng(mixSeed(spec.seed, 'creators'));
  const ranks = rng.shuffle(Array.from({ length: count }, (_, i) => i));
  const zipf = zipfWeights(count, spec.creators.audienceZipfExponent);
  const popularity = new Float64Array(count);
  const zone = new Uint8Array(count);
  const rate = {} as Record<EventKind, Float32Array>;
  for (const kind of EVENT_KINDS) rate[kind] = new Float32Array(count);
  for (let c = 0; c < count; c++) {
    const r = new Rng(mixSeed(spec.seed, 'creator', c));
    popularity[c] = zipf[ranks[c]] * r.lognormal(0, spec.creators.audienceSigma);
    zone[c] = r.weighted(zoneCumulative);
    // One activity multiplier per creator: a prolific poster also goes live more often.
    const activity = r.lognormal(0, spec.creators.publishRateSigma);
    for (const kind of EVENT_KINDS) rate[kind][c] = spec.creators.publishRatePerDay[kind] * activity;
  }
  // Its own stream, so the creator's other draws are the same whatever the affinity spec.
  const affinityEffect = new Float32Array(count);
  const sd = spec.affinity.logitSigma * Math.sqrt(spec.affinity.creatorShare);
  for (let c = 0; c < count; c++)
    affinityEffect[c] = sd > 0 ? new Rng(mixSeed(spec.seed, 'creator-affinity', c)).normal(0, sd) : 0;
  return { count, zone, popularity, rate, affinityEffect };
}

function drawPeaks(r: Rng, peakCumulative: Float64Array, separation: number): [number, number] {
  const first = r.weighted(peakCumulative);
  for (let attempt = 0; attempt < 30; attempt++) {
    const second = r.weighted(peakCumulative);
    if (circularHourDistance(first, second) >= separation) return [first, second];
  }
  return [first, (first + 12) % 24];
}

/** A fan's digest hour has no value: digests off, or the fan never chose one. */
export const NO_DIGEST_HOUR = -1;

/** The fan's chosen digest hour, or null when there is none (as preferences.digest_hour stores it). */
export function chosenDigestHour(world: World, fanIndex: number): number | null {
  const hour = world.fans.digestHour[fanIndex];
  return hour === NO_DIGEST_HOUR ? null : hour;
}

/** From its own stream per fan: a peak hour, none, or a popular hour with noise (spec.fans.digestHourChoice). */
function drawDigestHour(
  spec: WorldSpec,
  popularCumulative: Float64Array,
  fanIndex: number,
  cadence: number,
  peak: number,
): number {
  if (DIGEST_CADENCES[cadence] === 'off') return NO_DIGEST_HOUR;
  const choice = spec.fans.digestHourChoice;
  const r = new Rng(mixSeed(spec.seed, 'fan-digest-hour', fanIndex));
  const u = r.next();
  if (u < choice.peakShare) return peak;
  if (u < choice.peakShare + choice.unsetShare) return NO_DIGEST_HOUR;
  const popular = r.weighted(popularCumulative);
  return (((popular + Math.round(r.normal(0, choice.noiseHours))) % 24) + 24) % 24;
}

/** Draws k distinct creators by popularity; falls back to a scan when rejection keeps hitting chosen ones. */
function drawCreators(r: Rng, popularityCumulative: Float64Array, k: number, out: Int32Array): void {
  let chosen = 0;
  for (let attempt = 0; chosen < k && attempt < 30 * k; attempt++) {
    const c = r.weighted(popularityCumulative);
    let seen = false;
    for (let j = 0; j < chosen; j++) if (out[j] === c) seen = true;
    if (!seen) out[chosen++] = c;
  }
  for (let c = 0; chosen < k; c++) {
    let seen = false;
    for (let j = 0; j < chosen; j++) if (out[j] === c) seen = true;
    if (!seen) out[chosen++] = c;
  }
}

export function generateWorld(spec: WorldSpec): World {
  const startMs = Date.parse(spec.start);
  const zones = spec.fans.timeZones.map((z) => z.zone);
  const locales = spec.fans.timeZones.map((z) => z.locale);
  const zoneCumulative = cumulativeWeights(spec.fans.timeZones.map((z) => z.weight));
  const peakCumulative = cumulativeWeights(spec.fans.peakHourWeights);
  const cadenceCumulative = cumulativeWeights(DIGEST_CADENCES.map((c) => spec.fans.digestCadenceShares[c]));
  const digestHourCumulative = cumulativeWeights(spec.fans.digestHourChoice.popularHourWeights);
  const tierCumulative = cumulativeWeights(spec.memberships.tierShares);
  const creators = generateCreators(spec, zoneCumulative);
  const popularityCumulative = cumulativeWeights(creators.popularity);

  const fanCount = spec.fans.count;
  const fans: World['fans'] = {
    count: fanCount,
    zone: new Uint8Array(fanCount),
    peak1: new Uint8Array(fanCount),
    peak2: new Uint8Array(fanCount),
    hasPush: new Uint8Array(fanCount),
    digestCadence: new Uint8Array(fanCount),
    digestHour: new Int8Array(fanCount),
    tenureStartMs: new Float64Array(fanCount),
    membershipStart: new Int32Array(fanCount + 1),
    affinityEffect: new Float32Array(fanCount),
  };
  const fanSd = spec.affinity.logitSigma * Math.sqrt(spec.affinity.fanShare);
  // Each fan draws from its own stream, so fan i is the same fan in a world of 100 or of 50,000.
  const maxPerFan = Math.min(spec.memberships.perFanMax, creators.count);
  const perFanMu = Math.log(spec.memberships.perFanMedian);
  for (let i = 0; i < fanCount; i++) {
    const r = new Rng(mixSeed(spec.seed, 'fan', i));
    fans.zone[i] = r.weighted(zoneCumulative);
    const [p1, p2] = drawPeaks(r, peakCumulative, spec.fans.peakSeparationHours);
    fans.peak1[i] = p1;
    fans.peak2[i] = p2;
    fans.hasPush[i] = r.bernoulli(spec.fans.pushShare) ? 1 : 0;
    fans.digestCadence[i] = r.weighted(cadenceCumulative);
    // Drawn here whatever the fan's choice, so the fan's later draws do not depend on the digest spec.
    const peak = r.bernoulli(0.5) ? p1 : p2;
    fans.digestHour[i] = drawDigestHour(spec, digestHourCumulative, i, fans.digestCadence[i], peak);
    fans.tenureStartMs[i] = Math.round(startMs - r.exponential(1 / spec.fans.tenureMeanDays) * DAY_MS);
    const k = Math.min(maxPerFan, Math.max(1, Math.round(r.lognormal(perFanMu, spec.memberships.perFanSigma))));
    fans.membershipStart[i + 1] = fans.membershipStart[i] + k;
    fans.affinityEffect[i] = fanSd > 0 ? new Rng(mixSeed(spec.seed, 'fan-affinity', i)).normal(0, fanSd) : 0;
  }

  const total = fans.membershipStart[fanCount];
  const memberships: World['memberships'] = {
    count: total,
    fan: new Int32Array(total),
    creator: new Int32Array(total),
    paid: new Uint8Array(total),
    tier: new Uint8Array(total),
    affinity: new Float32Array(total),
    muted: new Uint8Array(total),
    startedAtMs: new Float64Array(total),
  };
  const picked = new Int32Array(maxPerFan);
  const { affinity: aff } = spec;
  // What the fan and creator components leave to the membership itself.
  const membershipSd = aff.logitSigma * Math.sqrt(Math.max(0, 1 - aff.fanShare - aff.creatorShare));
  for (let i = 0; i < fanCount; i++) {
    const r = new Rng(mixSeed(spec.seed, 'memberships', i));
    const from = fans.membershipStart[i];
    const k = fans.membershipStart[i + 1] - from;
    drawCreators(r, popularityCumulative, k, picked);
    for (let j = 0; j < k; j++) {
      const m = from + j;
      const paid = r.bernoulli(spec.memberships.paidShare);
      const shared = fans.affinityEffect[i] + creators.affinityEffect[picked[j]];
      const affinity = sigmoid(shared + r.normal(aff.logitMean + (paid ? aff.paidShift : 0), membershipSd));
      memberships.fan[m] = i;
      memberships.creator[m] = picked[j];
      memberships.paid[m] = paid ? 1 : 0;
      memberships.tier[m] = paid ? 1 + r.weighted(tierCumulative) : 0;
      memberships.affinity[m] = affinity;
      // Fans mute the creators they care least about.
      memberships.muted[m] = r.bernoulli(Math.min(1, spec.fans.mutedShare * 2 * (1 - affinity))) ? 1 : 0;
      const tenure = fans.tenureStartMs[i];
      memberships.startedAtMs[m] = Math.round(tenure + r.next() * (startMs - tenure));
    }
  }

  return {
    spec,
    seed: spec.seed,
    startMs,
    zones,
    locales,
    creators,
    fans,
    memberships,
    byCreator: indexByCreator(creators.count, memberships),
  };
}

function indexByCreator(creatorCount: number, memberships: World['memberships']): World['byCreator'] {
  const start = new Int32Array(creatorCount + 1);
  for (let m = 0; m < memberships.count; m++) start[memberships.creator[m] + 1]++;
  for (let c = 0; c < creatorCount; c++) start[c + 1] += start[c];
  const next = start.slice(0, creatorCount);
  const membership = new Int32Array(memberships.count);
  for (let m = 0; m < memberships.count; m++) membership[next[memberships.creator[m]]++] = m;
  return { start, membership };
}

/** The membership index joining this fan to this creator, or -1 when the fan is not a member. */
export function findMembership(world: World, fanIndex: number, creatorIndex: number): number {
  const { membershipStart } = world.fans;
  for (let m = membershipStart[fanIndex]; m < membershipStart[fanIndex + 1]; m++) {
    if (world.memberships.creator[m] === creatorIndex) return m;
  }
  return -1;
}

/** Number of members each creator has; the audience-size distribution the Zipf exponent shapes. */
export function audienceSizes(world: World): Int32Array {
  const sizes = new Int32Array(world.creators.count);
  for (let c = 0; c < world.creators.count; c++) sizes[c] = world.byCreator.start[c + 1] - world.byCreator.start[c];
  return sizes;
}
