// Tests the ground truth: probabilities bounded and moving the right way, and respond() deterministic per decision.
import { describe, expect, it } from 'vitest';
import {
  clickProbability,
  hoursUntilNextPeak,
  isIrrelevant,
  openProbability,
  peakProximity,
  type RespondInput,
  respond,
  unsubscribeHazard,
} from './response.ts';
import { parseWorldSpec } from './spec.ts';
import { generateWorld } from './world.ts';

const world = generateWorld(parseWorldSpec({ seed: 5, creators: { count: 20 }, fans: { count: 500 } }));
const fanIndex = 7;
const m = world.fans.membershipStart[fanIndex];
const creatorIndex = world.memberships.creator[m];
const peak = world.fans.peak1[fanIndex];
const base = {
  fanIndex,
  creatorIndex,
  kind: 'post' as const,
  channel: 'email' as const,
  localHour: peak,
  sentLast24h: 0,
};

function farHour(): number {
  let best = 0;
  let worst = 2;
  for (let h = 0; h < 24; h++) {
    const p = peakProximity(world, fanIndex, h);
    if (p < worst) [worst, best] = [p, h];
  }
  return best;
}

describe('openProbability', () => {
  it('is lower with fatigue', () => {
    const rested = openProbability(world, base);
    const tired = openProbability(world, { ...base, sentLast24h: 6 });
    expect(tired).toBeLessThan(rested);
  });

  it('is higher at the fan peak hour than far from it', () => {
    expect(openProbability(world, base)).toBeGreaterThan(openProbability(world, { ...base, localHour: farHour() }));
  });

  it('stays in [0, 1] over every fan, membership, channel, kind, hour and volume', () => {
    for (let fan = 0; fan < 60; fan++) {
      for (let k = world.fans.membershipStart[fan]; k < world.fans.membershipStart[fan + 1]; k++) {
        for (const channel of ['email', 'push'] as const) {
          for (const kind of ['post', 'live', 'announcement'] as const) {
            for (const localHour of [0, 8, 20]) {
              for (const sentLast24h of [0, 50]) {
                const input = {
                  fanIndex: fan,
                  creatorIndex: world.memberships.creator[k],
                  kind,
                  channel,
                  localHour,
                  sentLast24h,
                };
                const p = openProbability(world, input);
                const c = clickProbability(world, input);
                const u = unsubscribeHazard(world, { ...input, irrelevantLast7d: sentLast24h });
                for (const x of [p, c, u]) expect(x >= 0 && x <= 1).toBe(true);
              }
            }
          }
        }
      }
    }
  });

  it('rejects a fan who is not a member', () => {
    let other = 0;
    while (
      world.memberships.creator
        .subarray(world.fans.membershipStart[fanIndex], world.fans.membershipStart[fanIndex + 1])
        .includes(other)
    )
      other++;
    expect(() => openProbability(world, { ...base, creatorIndex: other })).toThrow(/not a member of creator/);
  });
});

describe('unsubscribeHazard', () => {
  const input = { fanIndex, creatorIndex, channel: 'email' as const, sentLast24h: 0, irrelevantLast7d: 0 };
  it('grows with volume and with irrelevant sends', () => {
    const calm = unsubscribeHazard(world, input);
    expect(unsubscribeHazard(world, { ...input, sentLast24h: 10 })).toBeGreaterThan(calm);
    expect(unsubscribeHazard(world, { ...input, irrelevantLast7d: 10 })).toBeGreaterThan(calm);
  });

  it('is higher for an irrelevant membership than for a relevant one', () => {
    let low = -1;
    let high = -1;
    for (let k = 0; k < world.memberships.count && (low < 0 || high < 0); k++) {
      if (isIrrelevant(world, k) && low < 0) low = k;
      if (world.memberships.affinity[k] > 0.8 && high < 0) high = k;
    }
    const at = (k: number) =>
      unsubscribeHazard(world, {
        ...input,
        fanIndex: world.memberships.fan[k],
        creatorIndex: world.memberships.creator[k],
      });
    expect(at(low)).toBeGreaterThan(at(high));
  });
});

describe('respond', () => {
  const decision: RespondInput = {
    ...base,
    eventKey: 'ev-1',
    sentAtMs: Date.parse('2025-03-04T15:00:00Z'),
    irrelevantLast7d: 0,
  };

  it('gives the same decision the same response whatever was drawn before', () => {
    const first = respond(world, decision);
    for (let i = 0; i < 50; i++) respond(world, { ...decision, eventKey: `other-${i}` });
    expect(respond(world, decision)).toEqual(first);
  });

  it('draws opens at the rate openProbability gives, with times after the send and clicks only after opens', () => {
    const sentAtMs = decision.sentAtMs;
    const trials = 4000;
    let opens = 0;
    const p = openProbability(world, { ...base, localHour: hourOf(sentAtMs) });
    for (let i = 0; i < trials; i++) {
      const r = respond(world, { ...decision, eventKey: i });
      if (r.opened) {
        opens++;
        expect(r.openedAtMs!).toBeGreaterThan(sentAtMs);
      } else {
        expect(r.openedAtMs).toBeNull();
        expect(r.clicked).toBe(false);
      }
      if (r.clicked) expect(r.clickedAtMs!).toBeGreaterThan(r.openedAtMs!);
    }
    expect(Math.abs(opens / trials - p)).toBeLessThan(0.03);
  });

  it('has a fan who is away when a notification arrives open it around their next peak hour, not minutes later', () => {
    // An instant at the fan's least responsive hour: the fan is almost surely away.
    let sentAtMs = decision.sentAtMs;
    while (hourOf(sentAtMs) !== farHour()) sentAtMs += 3_600_000;
    const wait = hoursUntilNextPeak(world, fanIndex, sentAtMs);
    expect(wait).toBeGreaterThan(2);
    const delays = (spec: typeof world) => {
      const out: number[] = [];
      for (let i = 0; out.length < 300; i++) {
        const r = respond(spec, { ...decision, sentAtMs, eventKey: i });
        if (r.opened) out.push((r.openedAtMs! - sentAtMs) / 3_600_000);
      }
      return out.sort((a, b) => a - b);
    };
    const rhythm = delays(world);
    const median = rhythm[rhythm.length >> 1];
    expect(Math.abs(median - wait)).toBeLessThan(world.spec.fans.peakWidthHours);
    // Without the rhythm the same fan opens after the delay alone (median 20 minutes for email).
    const noRhythm = { ...world, spec: { ...world.spec, response: { ...world.spec.response, awayWaitsForPeak: 0 } } };
    const plain = delays(noRhythm);
    expect(plain[plain.length >> 1]).toBeLessThan(1);
  });

  it('sends a fan who is hammered with irrelevant notifications away more often', () => {
    let calm = 0;
    let hammered = 0;
    for (let i = 0; i < 20_000; i++) {
      if (respond(world, { ...decision, eventKey: i }).unsubscribed) calm++;
      if (respond(world, { ...decision, eventKey: i, sentLast24h: 15, irrelevantLast7d: 30 }).unsubscribed) hammered++;
    }
    expect(hammered).toBeGreaterThan(calm * 3);
  });
});

function hourOf(ms: number): number {
  const zone = world.zones[world.fans.zone[fanIndex]];
  return Number(new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: 'numeric', hourCycle: 'h23' }).format(ms));
}
