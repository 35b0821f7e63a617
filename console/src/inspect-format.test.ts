// Tests the fan inspector's pure formatting: the "Why" table, log-odds, time axes and tick labels.
import { describe, expect, it } from 'vitest';
import {
  detailRows,
  distinctTicks,
  logistic,
  readable,
  timeAxis,
  timeRange,
  timeStep,
  words,
} from './inspect-format.ts';

describe('detailRows', () => {
  it('writes fields in words, probabilities as percentages, objects as phrases, null as none', () => {
    expect(
      detailRows({
        priority: 'normal',
        segments: [],
        threshold: 0.05,
        score: 0.123456789,
        cap: { name: 'push_per_day', limit: 3, window: '24h', used: 3 },
        policyVersion: null,
        model: 1,
        bestRemaining: 0.0801234,
        quiet: true,
      }),
    ).toEqual([
      ['priority', 'normal'],
      ['segments', 'none'],
      ['threshold', '5.00%'],
      ['score', '12.3%'],
      ['cap', 'name push_per_day, limit 3, window 24h, used 3'],
      ['policy version', 'none (the built-in default policy)'],
      ['model', '1'],
      ['best remaining', '8.01%'],
      ['quiet', 'yes'],
    ]);
    expect(detailRows({ segments: ['paid_members', 'first_week'] })).toEqual([
      ['segments', 'paid_members, first_week'],
    ]);
    for (const [, v] of detailRows({ a: { b: [1.23456, null] } })) expect(v).not.toMatch(/[{}[\]"]|null/);
  });

  it('formats numbers and names', () => {
    expect(words('lastSlot')).toBe('last slot');
    expect(readable(1234567)).toBe('1,234,567');
    expect(readable(0.000123456)).toBe('0.000123');
    expect(readable(2.34567)).toBe('2.35');
    expect(logistic(0)).toBe(0.5);
    expect(logistic(Math.log(3))).toBeCloseTo(0.75, 12);
  });
});

describe('time axes', () => {
  const HOUR = 3_600_000;
  it('widens one point or close points to the minimum span, centred, and keeps wide ranges', () => {
    expect(timeRange([10 * HOUR], 2 * HOUR)).toEqual({ min: 9 * HOUR, max: 11 * HOUR });
    expect(timeRange([10 * HOUR, 10.5 * HOUR], 2 * HOUR)).toEqual({ min: 9.25 * HOUR, max: 11.25 * HOUR });
    expect(timeRange([0, 48 * HOUR], 2 * HOUR)).toEqual({ min: 0, max: 48 * HOUR });
    expect(() => timeRange([], HOUR)).toThrow(/at least one/);
  });

  it('leaves out a tick label equal to the one before it', () => {
    const hourOf = (v: number) => `${Math.floor(v / HOUR)}h`;
    const ticks = [0, 0.25, 0.5, 1, 1.5, 2].map((h) => ({ value: h * HOUR }));
    expect(ticks.map((t, i) => distinctTicks(hourOf)(t.value, i, ticks))).toEqual(['0h', '', '', '1h', '', '2h']);
  });

  it('steps a time axis in round units, at most eight ticks', () => {
    expect(timeStep(2 * HOUR)).toBe(HOUR / 4);
    expect(timeStep(3 * HOUR)).toBe(HOUR / 2);
    expect(timeStep(48 * HOUR)).toBe(6 * HOUR);
    expect(timeStep(100 * 24 * HOUR)).toBe(13 * 24 * HOUR);
  });

  it('puts the ends of a time axis on whole steps', () => {
    const at = 10 * HOUR + 7 * 60_000;
    const axis = timeAxis([at], 2 * HOUR);
    expect(axis).toEqual({ min: 9 * HOUR, max: 11.25 * HOUR, step: HOUR / 4 });
    expect(axis.min).toBeLessThanOrEqual(at - HOUR);
    expect(axis.max).toBeGreaterThanOrEqual(at + HOUR);
  });
});
