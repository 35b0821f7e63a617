// Tests assignment to arms: stable, allocations respected, one experiment per fan; placement and the validator.
import { describe, expect, it } from 'vitest';
import { type Experiment, GLOBAL_HOLDOUT_ARM, TRAFFIC_BUCKETS } from '../domain/experiment.ts';
import { assignArm, fanBucket, placeExperiment, TRAFFIC_SALT, type Traffic, validateExperiment } from './experiment.ts';

function experiment(id: number, bucketStart: number, bucketEnd: number, allocations: number[]): Experiment {
  return {
    id,
    name: `e${id}`,
    bucketStart,
    bucketEnd,
    createdBy: 'test',
    startedAt: new Date(0),
    stoppedAt: null,
    stoppedBy: null,
    arms: allocations.map((allocation, i) => ({
      name: i === 0 ? 'control' : `v${i}`,
      allocation,
      capPolicyVersion: i === 0 ? null : i,
      modelVersion: null,
      holdout: false,
    })),
  };
}

const FANS = 100_000;

describe('assignArm', () => {
  const traffic: Traffic = {
    globalHoldoutPercent: 2,
    running: [experiment(7, 0, 3000, [15, 10, 5]), experiment(8, 3000, 5000, [10, 10])],
  };

  it('is stable: the same fan lands in the same arm every time and in every process', () => {
    for (let fanId = 1; fanId <= 2000; fanId++) expect(assignArm(fanId, traffic)).toEqual(assignArm(fanId, traffic));
    // Pinned values: a change of the hash would reshuffle every running experiment's fans.
    expect(fanBucket(1, TRAFFIC_SALT)).toBe(fanBucket(1, TRAFFIC_SALT));
    expect([1, 2, 3, 42].map((id) => fanBucket(id, TRAFFIC_SALT))).toMatchInlineSnapshot(`
      [
        6036,
        7856,
        9389,
        4496,
      ]
    `);
  });

  it('respects the allocations within a tolerance of 0.3 percentage points over 100,000 fans', () => {
    const counts = new Map<string, number>();
    for (let fanId = 1; fanId <= FANS; fanId++) {
      const a = assignArm(fanId, traffic);
      const key = a ? `${a.experimentId ?? '-'}/${a.arm}` : 'none';
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const share = (key: string) => ((counts.get(key) ?? 0) / FANS) * 100;
    const expected: Record<string, number> = {
      '7/control': 15,
      '7/v1': 10,
      '7/v2': 5,
      '8/control': 10,
      '8/v1': 10,
      [`-/${GLOBAL_HOLDOUT_ARM}`]: 2,
      none: 48,
    };
    for (const [key, percent] of Object.entries(expected)) expect(Math.abs(share(key) - percent)).toBeLessThan(0.3);
    expect([...counts.keys()].sort()).toEqual(Object.keys(expected).sort());
  });

  it('puts a fan in one experiment at a time: the running ranges never overlap, and arms follow the range', () => {
    for (let fanId = 1; fanId <= 20_000; fanId++) {
      const a = assignArm(fanId, traffic);
      const bucket = fanBucket(fanId, TRAFFIC_SALT);
      const holding = traffic.running.filter((e) => bucket >= e.bucketStart && bucket < e.bucketEnd);
      expect(holding.length).toBeLessThanOrEqual(1);
      if (a?.experimentId) expect(holding.map((e) => e.id)).toEqual([a.experimentId]);
    }
  });

  it('draws arms independently of the traffic bucket, so two experiments on one range do not share arm orders', () => {
    const one: Traffic = { globalHoldoutPercent: 0, running: [experiment(1, 0, TRAFFIC_BUCKETS, [50, 50])] };
    const two: Traffic = { globalHoldoutPercent: 0, running: [experiment(2, 0, TRAFFIC_BUCKETS, [50, 50])] };
    let same = 0;
    for (let fanId = 1; fanId <= 10_000; fanId++) if (assignArm(fanId, one)?.arm === assignArm(fanId, two)?.arm) same++;
    expect(same / 10_000).toBeGreaterThan(0.47);
    expect(same / 10_000).toBeLessThan(0.53);
  });

  it('gives the global holdout no relevance filtering and no experiment, and nothing else to a fan in neither', () => {
    const all: Traffic = { globalHoldoutPercent: 10, running: [] };
    const held = [...Array(1000).keys()].map((i) => assignArm(i + 1, all)).filter((a) => a !== null);
    expect(held.length).toBeGreaterThan(70);
    expect(held.length).toBeLessThan(130);
    for (const a of held)
      expect(a).toEqual({
        experimentId: null,
        arm: GLOBAL_HOLDOUT_ARM,
        capPolicyVersion: null,
        modelVersion: null,
        holdout: false,
        noRelevanceFiltering: true,
      });
    expect(assignArm(1, { globalHoldoutPercent: 0, running: [] })).toBeNull();
  });
});

describe('placeExperiment', () => {
  it('takes the first free range below the global holdout, or none', () => {
    const running = [experiment(1, 0, 2000, [20]), experiment(2, 3000, 4000, [10])];
    expect(placeExperiment(1000, running, 1)).toEqual({ bucketStart: 2000, bucketEnd: 3000 });
    expect(placeExperiment(1500, running, 1)).toEqual({ bucketStart: 4000, bucketEnd: 5500 });
    expect(placeExperiment(5900, running, 1)).toEqual({ bucketStart: 4000, bucketEnd: 9900 });
    expect(placeExperiment(6000, running, 1)).toBeNull();
    expect(placeExperiment(10_000, [], 0)).toEqual({ bucketStart: 0, bucketEnd: 10_000 });
  });
});

describe('validateExperiment', () => {
  const arms = [
    { name: 'control', allocation: 10 },
    { name: 'tight', allocation: 10, capPolicyVersion: 3 },
  ];
  it('accepts a control and variants, and names every bad field', () => {
    expect(validateExperiment({ name: 'tight caps', arms })).toEqual({
      ok: true,
      value: {
        name: 'tight caps',
        arms: [
          { name: 'control', allocation: 10, capPolicyVersion: null, modelVersion: null, holdout: false },
          { name: 'tight', allocation: 10, capPolicyVersion: 3, modelVersion: null, holdout: false },
        ],
      },
    });
    const bad = validateExperiment({
      name: '',
      arms: [
        { name: 'Control', allocation: 0 },
        { name: 'h', allocation: 1.234, holdout: true, modelVersion: 2 },
      ],
    });
    expect(bad.ok ? [] : bad.errors.map((e) => e.field)).toEqual([
      'name',
      'arms[0].name',
      'arms[0].allocation',
      'arms[1].allocation',
      'arms[1].holdout',
    ]);
  });
  it('wants exactly one control, distinct names and at most 100%', () => {
    const two = validateExperiment({ name: 'x', arms: [arms[0], { ...arms[0], name: 'c2' }] });
    expect(two.ok ? '' : two.errors[0].rule).toMatch(/exactly one control/);
    const dup = validateExperiment({ name: 'x', arms: [arms[0], { ...arms[1], name: 'control' }] });
    expect(dup.ok ? '' : dup.errors[0]).toEqual({ field: 'arms[1].name', rule: 'must differ from the other arms' });
    const over = validateExperiment({
      name: 'x',
      arms: [
        { ...arms[0], allocation: 60 },
        { ...arms[1], allocation: 41 },
      ],
    });
    expect(over.ok ? '' : over.errors[0].rule).toMatch(/at most 100%/);
    expect(validateExperiment({ name: 'x', arms: [arms[0]] }).ok).toBe(false);
  });
});
