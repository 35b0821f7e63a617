// Which results ranges are whole UTC days (read from the counts kept per fan-day) and which are recounted.
import { describe, expect, it } from 'vitest';
import { globalHoldoutDefaultFrom, resultDays } from './experiment-range.ts';

const t = (s: string) => new Date(s);
const NOW = t('2026-03-10T14:30:00Z');

describe('resultDays', () => {
  it('reads whole days from midnight to midnight', () => {
    expect(resultDays(t('2026-03-01T00:00:00Z'), t('2026-03-03T00:00:00Z'), NOW)).toEqual({
      from: '2026-03-01',
      to: '2026-03-03',
    });
  });

  it('reads up to now as whole days: nothing is decided after now', () => {
    expect(resultDays(t('2026-03-04T00:00:00Z'), NOW, NOW)).toEqual({ from: '2026-03-04', to: '2026-03-11' });
    expect(resultDays(t('2026-03-04T00:00:00Z'), t('2026-03-10T14:30:00.001Z'), NOW)).toEqual({
      from: '2026-03-04',
      to: '2026-03-11',
    });
  });

  it('recounts a range that starts or ends off a UTC midnight in the past', () => {
    expect(resultDays(t('2026-03-01T06:00:00Z'), t('2026-03-03T00:00:00Z'), NOW)).toBeNull();
    expect(resultDays(t('2026-03-01T00:00:00Z'), t('2026-03-03T06:00:00Z'), NOW)).toBeNull();
    expect(resultDays(t('2026-03-01T00:00:00Z'), t('2026-03-10T14:29:59.999Z'), NOW)).toBeNull();
  });

  it("covers an experiment's whole run with the days it touches", () => {
    expect(resultDays(t('2026-03-01T06:00:00Z'), t('2026-03-03T18:00:00.001Z'), NOW, true)).toEqual({
      from: '2026-03-01',
      to: '2026-03-04',
    });
  });

  it('has no days for an empty range', () => {
    expect(resultDays(t('2026-03-03T00:00:00Z'), t('2026-03-03T00:00:00Z'), NOW, true)).toBeNull();
  });
});

describe('globalHoldoutDefaultFrom', () => {
  it('starts at midnight UTC six days before today', () => {
    expect(globalHoldoutDefaultFrom(NOW)).toEqual(t('2026-03-04T00:00:00Z'));
    expect(globalHoldoutDefaultFrom(t('2026-03-10T00:00:00Z'))).toEqual(t('2026-03-04T00:00:00Z'));
  });
});
