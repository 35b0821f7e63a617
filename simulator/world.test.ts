// Tests world generation: deterministic by seed, shaped by the spec, and internally consistent.
import { describe, expect, it } from 'vitest';
import { circularHourDistance } from '../domain/clock.ts';
import { parseWorldSpec } from './spec.ts';
import { audienceSizes, fanEmail, findMembership, generateWorld, NO_DIGEST_HOUR } from './world.ts';

const small = parseWorldSpec({ seed: 11, creators: { count: 30 }, fans: { count: 3000 } });

describe('generateWorld', () => {
  it('produces the same world for the same seed and another for another seed', () => {
    const a = generateWorld(small);
    const b = generateWorld(small);
    const c = generateWorld({ ...small, seed: 12 });
    expect(b.memberships.creator).toEqual(a.memberships.creator);
    expect(b.memberships.affinity).toEqual(a.memberships.affinity);
    expect(b.fans.peak1).toEqual(a.fans.peak1);
    expect(c.memberships.affinity).not.toEqual(a.memberships.affinity);
  });

  it('keeps fan i the same when the world has more fans', () => {
    const a = generateWorld(small);
    const bigger = generateWorld({ ...small, fans: { ...small.fans, count: 4000 } });
    for (const i of [0, 17, 2999]) {
      expect(bigger.fans.zone[i]).toBe(a.fans.zone[i]);
      expect(bigger.fans.tenureStartMs[i]).toBe(a.fans.tenureStartMs[i]);
      expect(bigger.fans.membershipStart[i + 1] - bigger.fans.membershipStart[i]).toBe(
        a.fans.membershipStart[i + 1] - a.fans.membershipStart[i],
      );
    }
  });

  it('honours the spec counts and shares', () => {
    const w = generateWorld(small);
    expect(w.fans.count).toBe(3000);
    expect(w.creators.count).toBe(30);
    expect(fanEmail(41)).toBe('fan00042@fans.example');
    const pushShare = w.fans.hasPush.reduce((s, x) => s + x, 0) / w.fans.count;
    expect(pushShare).toBeGreaterThan(0.4);
    expect(pushShare).toBeLessThan(0.5);
    const paid = w.memberships.paid.reduce((s, x) => s + x, 0) / w.memberships.count;
    expect(paid).toBeGreaterThan(0.17);
    expect(paid).toBeLessThan(0.23);
    for (let m = 0; m < w.memberships.count; m++) {
      expect(
        w.memberships.paid[m] ? w.memberships.tier[m] >= 1 && w.memberships.tier[m] <= 3 : w.memberships.tier[m] === 0,
      ).toBe(true);
    }
  });

  it('gives each fan distinct creators, two separated peaks, and tenure before the start', () => {
    const w = generateWorld(small);
    for (let i = 0; i < w.fans.count; i++) {
      const from = w.fans.membershipStart[i];
      const to = w.fans.membershipStart[i + 1];
      expect(to - from).toBeGreaterThanOrEqual(1);
      const creators = new Set(Array.from(w.memberships.creator.subarray(from, to)));
      expect(creators.size).toBe(to - from);
      expect(circularHourDistance(w.fans.peak1[i], w.fans.peak2[i])).toBeGreaterThanOrEqual(4);
      expect(w.fans.tenureStartMs[i]).toBeLessThanOrEqual(w.startMs);
    }
  });

  it('gives fans with digests off no digest hour, and the others a peak, none or a popular hour by the spec', () => {
    const world = generateWorld(parseWorldSpec({ seed: 5, fans: { count: 20_000 }, creators: { count: 20 } }));
    const { fans } = world;
    const counts = { off: 0, on: 0, peak: 0, unset: 0, morning: 0 };
    for (let i = 0; i < fans.count; i++) {
      const hour = fans.digestHour[i];
      if (fans.digestCadence[i] === 0) {
        counts.off++;
        expect(hour).toBe(NO_DIGEST_HOUR);
        continue;
      }
      counts.on++;
      if (hour === NO_DIGEST_HOUR) counts.unset++;
      else if (hour === fans.peak1[i] || hour === fans.peak2[i]) counts.peak++;
      if (hour >= 6 && hour <= 10) counts.morning++;
    }
    expect(counts.off / fans.count).toBeCloseTo(0.3, 1);
    expect(counts.unset / counts.on).toBeCloseTo(0.4, 1);
    // The chosen peaks, plus popular hours that happen to fall on a peak.
    expect(counts.peak / counts.on).toBeGreaterThan(0.2);
    expect(counts.peak / counts.on).toBeLessThan(0.3);
    expect(counts.morning / counts.on).toBeGreaterThan(0.2);
    // Everyone at a peak, nobody unset: the digest hour is a true peak for every fan with digests on.
    const leaky = generateWorld(
      parseWorldSpec({
        seed: 5,
        fans: { count: 2000, digestHourChoice: { peakShare: 1, unsetShare: 0 } },
        creators: { count: 20 },
      }),
    );
    for (let i = 0; i < 2000; i++) {
      if (leaky.fans.digestCadence[i] === 0) continue;
      expect([leaky.fans.peak1[i], leaky.fans.peak2[i]]).toContain(leaky.fans.digestHour[i]);
    }
    // The digest spec changes digest hours only: the fan's other draws stay.
    expect(leaky.fans.tenureStartMs).toEqual(world.fans.tenureStartMs.subarray(0, 2000));
  });

  it('indexes memberships by creator with a skewed audience distribution', () => {
    const w = generateWorld(small);
    const sizes = Array.from(audienceSizes(w)).sort((a, b) => b - a);
    expect(sizes.reduce((s, x) => s + x, 0)).toBe(w.memberships.count);
    expect(sizes[0]).toBeGreaterThan(4 * sizes[sizes.length - 1]);
    for (let c = 0; c < w.creators.count; c++) {
      for (let k = w.byCreator.start[c]; k < w.byCreator.start[c + 1]; k++) {
        expect(w.memberships.creator[w.byCreator.membership[k]]).toBe(c);
      }
    }
    const m = w.fans.membershipStart[5];
    expect(findMembership(w, 5, w.memberships.creator[m])).toBe(m);
  });

  it('mutes low-affinity memberships more often', () => {
    const w = generateWorld(
      parseWorldSpec({ seed: 3, creators: { count: 30 }, fans: { count: 5000, mutedShare: 0.2 } }),
    );
    let mutedAffinity = 0;
    let muted = 0;
    let otherAffinity = 0;
    for (let m = 0; m < w.memberships.count; m++) {
      if (w.memberships.muted[m]) {
        muted++;
        mutedAffinity += w.memberships.affinity[m];
      } else otherAffinity += w.memberships.affinity[m];
    }
    expect(muted).toBeGreaterThan(0);
    expect(mutedAffinity / muted).toBeLessThan(otherAffinity / (w.memberships.count - muted));
  });

  /** Variances of the fan, creator and membership parts of each membership's affinity logit. */
  function affinityVariances(w: ReturnType<typeof generateWorld>) {
    const { logitMean, paidShift } = w.spec.affinity;
    const variance = (xs: ArrayLike<number>) => {
      let s = 0;
      let ss = 0;
      for (let i = 0; i < xs.length; i++) {
        s += xs[i];
        ss += xs[i] * xs[i];
      }
      return ss / xs.length - (s / xs.length) ** 2;
    };
    const residual = Float64Array.from(w.memberships.affinity, (a, m) => {
      const logit = Math.log(a / (1 - a));
      return (
        logit -
        logitMean -
        paidShift * w.memberships.paid[m] -
        w.fans.affinityEffect[w.memberships.fan[m]] -
        w.creators.affinityEffect[w.memberships.creator[m]]
      );
    });
    return {
      fan: variance(w.fans.affinityEffect),
      creator: variance(w.creators.affinityEffect),
      membership: variance(residual),
    };
  }

  it('splits the affinity logit variance between the fan, the creator and the membership', () => {
    const w = generateWorld(
      parseWorldSpec({
        seed: 5,
        fans: { count: 20_000 },
        affinity: { logitSigma: 1.2, fanShare: 0.35, creatorShare: 0.15 },
      }),
    );
    const total = 1.2 * 1.2;
    const v = affinityVariances(w);
    expect(v.fan / total).toBeGreaterThan(0.35 * 0.93);
    expect(v.fan / total).toBeLessThan(0.35 * 1.07);
    // 200 creators: the sample variance has a relative standard error of about 10%.
    expect(v.creator / total).toBeGreaterThan(0.15 * 0.7);
    expect(v.creator / total).toBeLessThan(0.15 * 1.3);
    expect(v.membership / total).toBeGreaterThan(0.5 * 0.95);
    expect(v.membership / total).toBeLessThan(0.5 * 1.05);
    // A fan's two memberships share the fan's part: their logits correlate.
    let pairs = 0;
    let cross = 0;
    for (let i = 0; i < w.fans.count; i++) {
      const m = w.fans.membershipStart[i];
      if (w.fans.membershipStart[i + 1] - m < 2) continue;
      const centred = (k: number) =>
        Math.log(w.memberships.affinity[k] / (1 - w.memberships.affinity[k])) -
        w.spec.affinity.logitMean -
        w.spec.affinity.paidShift * w.memberships.paid[k];
      cross += centred(m) * centred(m + 1);
      pairs++;
    }
    expect(cross / pairs / total).toBeGreaterThan(0.3);
  });

  it('keeps memberships independent, as sigmoid(N(logitMean + paidShift·paid, logitSigma)), with both shares 0', () => {
    const w = generateWorld(
      parseWorldSpec({ seed: 5, fans: { count: 20_000 }, affinity: { fanShare: 0, creatorShare: 0 } }),
    );
    const v = affinityVariances(w);
    expect(v.fan).toBe(0);
    expect(v.creator).toBe(0);
    expect(v.membership / (1.2 * 1.2)).toBeGreaterThan(0.95);
    expect(v.membership / (1.2 * 1.2)).toBeLessThan(1.05);
    // The fan and creator parts have their own streams: everything but affinity (and the mutes it drives) is unchanged.
    const split = generateWorld(parseWorldSpec({ seed: 5, fans: { count: 20_000 } }));
    expect(split.memberships.creator).toEqual(w.memberships.creator);
    expect(split.memberships.tier).toEqual(w.memberships.tier);
    expect(split.fans.peak1).toEqual(w.fans.peak1);
  });

  it('builds the default world of 50,000 fans quickly', () => {
    const started = performance.now();
    const w = generateWorld(parseWorldSpec({}));
    expect(w.fans.count).toBe(50_000);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
