// The replay on a small world: three policies over the same days, every decision checked, the policy ahead.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CAP_POLICY } from '../policy/cap-policy.ts';
import { parseWorldSpec } from '../simulator/spec.ts';
import { generateWorld } from '../simulator/world.ts';
import { capsOnlyPolicy, formatReplay, replay } from './replay.ts';

describe('replay', () => {
  it('plays the real decide() against the ground truth and breaks no quiet hour, deadline, cap or gap', () => {
    const world = generateWorld(parseWorldSpec({ seed: 3, fans: { count: 300 }, creators: { count: 12 } }));
    const report = replay(world, DEFAULT_CAP_POLICY, 5);
    const [now, fcfs, full] = report.outcomes;
    expect(report.outcomes.map((o) => o.policy)).toEqual(['send_everything_now', 'caps_only_fcfs', 'policy']);
    expect(report.events).toBeGreaterThan(20);
    expect(fcfs.violations).toEqual([]);
    expect(full.violations).toEqual([]);
    // Caps only can hold back, never add; the full policy sends fewer still and gets more opens per send.
    expect(fcfs.sends).toBeLessThan(now.sends);
    expect(full.sends).toBeLessThan(now.sends);
    expect(full.opens / full.sends).toBeGreaterThan(now.opens / now.sends);
    expect(full.digests).toBeGreaterThan(0);
    expect(fcfs.digests).toBe(0);
    expect(formatReplay(report)).toMatch(/\| default \| [\d.]+ \| [\d.]+ \| [\d.]+ \| \d+ \|/);
  });

  it('tells each day each run has played, without changing what the runs do', () => {
    const world = generateWorld(parseWorldSpec({ seed: 4, fans: { count: 120 }, creators: { count: 6 } }));
    const told: string[] = [];
    const watched = replay(world, DEFAULT_CAP_POLICY, 2, undefined, {
      onDay: (played, of, run) => told.push(`${played}/${of} ${run}`),
    });
    expect(told).toEqual([
      '1/6 send_everything_now',
      '2/6 send_everything_now',
      '3/6 caps_only_fcfs',
      '4/6 caps_only_fcfs',
      '5/6 default',
      '6/6 default',
    ]);
    expect(watched).toEqual(replay(world, DEFAULT_CAP_POLICY, 2));
  });

  it('keeps the caps of the policy in its caps-only baseline and drops everything else', () => {
    const fcfs = capsOnlyPolicy(DEFAULT_CAP_POLICY);
    expect(fcfs.rules).toEqual(DEFAULT_CAP_POLICY.rules);
    expect(fcfs.segments).toEqual(DEFAULT_CAP_POLICY.segments);
    expect(fcfs).toMatchObject({
      quietHours: null,
      valueAware: false,
      kinds: { post: { priority: 'urgent', alertThreshold: { email: 0, push: 0 } } },
    });
  });
});
