// Tests how the fan inspector writes feature values.
import { describe, expect, it } from 'vitest';
import { featureValueText } from './feature-text.ts';
import { CHANNEL_CODES, FEATURE_NAMES, KIND_CODES } from './features.ts';

describe('featureValueText', () => {
  it('names coded values instead of showing their codes', () => {
    expect(featureValueText('channel', CHANNEL_CODES.email)).toBe('email');
    expect(featureValueText('channel', CHANNEL_CODES.push)).toBe('push');
    expect(featureValueText('kind', KIND_CODES.announcement)).toBe('announcement');
    expect(featureValueText('kind', 9)).toBe('unknown code 9');
    expect(featureValueText('member_paid', 1)).toBe('yes');
    expect(featureValueText('member_paid', 0)).toBe('no');
    expect(featureValueText('local_day_of_week', 0)).toBe('Sunday');
    expect(featureValueText('local_hour', 7)).toBe('07:00');
  });

  it('writes rates, lifts, counts and durations with their units', () => {
    expect(featureValueText('fan_open_rate_channel', 0.1234)).toBe('12.3%');
    expect(featureValueText('member_lift', 1.5)).toBe('×1.5');
    expect(featureValueText('fan_sent_7d', 12)).toBe('12');
    expect(featureValueText('fan_days_since_open', 1)).toBe('1 day');
    expect(featureValueText('fan_days_since_open', 2.25)).toBe('2.3 days');
    expect(featureValueText('hours_since_event', 0.5)).toBe('0.5 hours');
    expect(featureValueText('fan_engagement_index', 0.87654)).toBe('0.877');
    expect(featureValueText('an_older_feature', 2)).toBe('2');
  });

  it('says missing for a feature with nothing to measure, and reads every feature', () => {
    expect(featureValueText('fan_days_since_open', null)).toBe('missing');
    expect(featureValueText('fan_days_since_open', Number.NaN)).toBe('missing');
    for (const f of FEATURE_NAMES) expect(featureValueText(f, 0), f).not.toMatch(/NaN|undefined/);
  });
});
