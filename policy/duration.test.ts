// Tests the duration strings of the cap policy.
import { describe, expect, it } from 'vitest';
import { durationMs, formatDuration, parseDuration } from './duration.ts';

describe('parseDuration', () => {
  it('reads single and compound units', () => {
    expect(parseDuration('30m')).toBe(30 * 60_000);
    expect(parseDuration('12h')).toBe(12 * 3_600_000);
    expect(parseDuration('7d')).toBe(7 * 86_400_000);
    expect(parseDuration('45s')).toBe(45_000);
    expect(parseDuration('1h30m')).toBe(90 * 60_000);
    expect(parseDuration('1d12h')).toBe(36 * 3_600_000);
  });

  it('rejects anything else', () => {
    for (const bad of [
      '',
      '0h',
      '0m0s',
      '12',
      'h',
      '12 h',
      '1.5h',
      '-1h',
      '12H',
      '1w',
      '24h ',
      ' 24h',
      24,
      null,
      undefined,
      '1234567h',
    ]) {
      expect(parseDuration(bad), String(bad)).toBeNull();
    }
  });

  it('round-trips through formatDuration', () => {
    for (const text of ['30m', '12h', '7d', '1h30m', '2d3h4m5s'])
      expect(formatDuration(parseDuration(text)!)).toBe(text);
    expect(formatDuration(24 * 3_600_000)).toBe('1d');
  });

  it('durationMs throws with the rule for an unvalidated duration', () => {
    expect(durationMs('90m')).toBe(5_400_000);
    expect(() => durationMs('soon')).toThrow('durationMs: "soon" must be a duration such as "24h"');
  });
});
