// The replay on a small world: three policies over the same days, every decision checked, the policy ahead.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CAP_POLICY } from '../policy/cap-policy.ts';
import { simulateBaseline } from '../simulator/baseline.ts';
import { scheduleEvents } from '../simulator/events.ts';
import { parseWorldSpec } from '../simulator/spec.ts';
import { generateWorld } from '../simulator/world.ts';
import { capsOnlyPolicy, formatReplay, formatReplaySpread, oracleScorer, replay, runPolicy } from './replay.ts';

const DAY = 86_400_000;

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
    for (const o of report.outcomes) {
      expect(o.opens).toBe(o.alertOpens + o.digestOpens);
      expect(o.sends).toBe(o.alerts.email + o.alerts.push + o.digests);
      expect(o.clicks).toBeGreaterThan(0);
      expect(o.clicks).toBeLessThan(o.opens);
    }
    expect(full.digestOpens).toBeGreaterThan(0);
    expect(now.digestOpens).toBe(0);
    const table = formatReplay(report);
    expect(table).toContain('| alert opens | digest opens | opens |');
    const sendsPerFanDay = (full.sends / (300 * 5)).toFixed(3);
    expect(table).toContain(
      `| default | ${(full.alerts.email / 1500).toFixed(3)} | ${(full.alerts.push / 1500).toFixed(3)} | ` +
        `${(full.digests / 1500).toFixed(3)} | ${sendsPerFanDay} | ${full.sends} | ${full.alertOpens} | ` +
        `${full.digestOpens} | ${full.opens} |`,
    );
  });

  it('counts the sends the policy delayed past the window and the digests still waiting at its end', () => {
    const world = generateWorld(parseWorldSpec({ seed: 3, fans: { count: 300 }, creators: { count: 12 } }));
    const fromMs = world.startMs;
    const endMs = fromMs + 2 * DAY;
    const events = scheduleEvents(world, { fromMs, toMs: endMs });
    const full = runPolicy(world, events, 'policy', DEFAULT_CAP_POLICY, oracleScorer(world), endMs, {
      keepEntries: true,
    });
    const entries = full.entries!;
    const late = entries.filter((e) => e.decision.action === 'alert' && e.decision.sendAt!.getTime() >= endMs);
    const digested = entries.filter((e) => e.decision.action === 'digest');
    expect(late.length).toBeGreaterThan(0);
    expect(digested.length).toBeGreaterThan(0);
    // Every alert decided is sent (none after an unsubscribe here would be a surprise at this size, so allow a few).
    const alerts = entries.filter((e) => e.decision.action === 'alert').length;
    expect(full.alerts.email + full.alerts.push).toBeGreaterThan(alerts - 5);
    expect(full.alerts.email + full.alerts.push).toBeLessThanOrEqual(alerts);
    // The same run cut at the window's end, as the replay used to count it, has fewer sends.
    const sentBeforeEnd = alerts - late.length;
    expect(full.alerts.email + full.alerts.push).toBeGreaterThan(sentBeforeEnd);
  });

  it('counts an unsubscribe once per fan and channel, as the baseline does', () => {
    // Unsubscribes drawn often and acted on late: without the guard, pending ones would be counted again.
    const world = generateWorld(
      parseWorldSpec({
        seed: 6,
        fans: { count: 200 },
        creators: { count: 8 },
        response: { unsubscribeBase: { email: 0.3, push: 0.3 } },
      }),
    );
    const report = replay(world, DEFAULT_CAP_POLICY, 3);
    const pushFans = world.fans.hasPush.reduce((n, x) => n + x, 0);
    for (const o of report.outcomes) {
      expect(o.unsubscribes).toBeGreaterThan(0);
      expect(o.unsubscribes).toBeLessThanOrEqual(world.fans.count + pushFans);
    }
    const baseline = simulateBaseline(
      world,
      scheduleEvents(world, { fromMs: world.startMs, toMs: world.startMs + 3 * DAY }),
      () => undefined,
    );
    expect(report.outcomes[0].unsubscribes).toBe(baseline.unsubscribes);
    expect(report.outcomes[0].sends).toBe(baseline.sends);
    expect(report.outcomes[0].opens).toBe(baseline.opens);
    expect(report.outcomes[0].clicks).toBe(baseline.clicks);
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

  it('puts several worlds side by side as each figure as mean ± standard deviation', () => {
    const reports = [3, 4].map((seed) =>
      replay(
        generateWorld(parseWorldSpec({ seed, fans: { count: 120 }, creators: { count: 6 } })),
        DEFAULT_CAP_POLICY,
        2,
      ),
    );
    const table = formatReplaySpread(reports);
    const opens = reports.map((r) => r.outcomes[2].opens);
    const mean = (opens[0] + opens[1]) / 2;
    const sd = Math.abs(opens[0] - opens[1]) / Math.SQRT2;
    expect(table).toContain('2 worlds (seeds), 120 fans, 2 days each');
    expect(table).toContain(`${mean.toFixed(0)} ± ${sd.toFixed(0)} |`);
    expect(table.split('\n').filter((l) => l.startsWith('| default |'))).toHaveLength(1);
    expect(table).toMatch(/policy vs caps only \(%\): opens -?[\d.]+ ± [\d.]+/);
    expect(formatReplaySpread([reports[0]])).toContain(`${reports[0].outcomes[2].opens.toFixed(0)} ± 0 |`);
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
