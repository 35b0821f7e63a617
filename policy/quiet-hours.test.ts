// Tests quiet hours in local time: wrapping past midnight, the fan's override, and a daylight-saving change.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CAP_POLICY } from './cap-policy.ts';
import { inQuietHours, quietHoursFor } from './quiet-hours.ts';

describe('quiet hours', () => {
  it('uses the fan preference only when both ends are set', () => {
    expect(quietHoursFor(DEFAULT_CAP_POLICY, { quietStart: 23, quietEnd: 6 })).toEqual({ start: 23, end: 6 });
    expect(quietHoursFor(DEFAULT_CAP_POLICY, { quietStart: 23, quietEnd: null })).toEqual({ start: 22, end: 8 });
    expect(quietHoursFor({ ...DEFAULT_CAP_POLICY, quietHours: null }, { quietStart: null, quietEnd: null })).toBeNull();
  });

  it('wraps past midnight, is half-open, and start = end means none', () => {
    const q = { start: 22, end: 8 };
    const utc = (h: string) => Date.parse(`2026-05-01T${h}:00Z`);
    expect(inQuietHours(q, 'UTC', utc('21:59'))).toBe(false);
    expect(inQuietHours(q, 'UTC', utc('22:00'))).toBe(true);
    expect(inQuietHours(q, 'UTC', utc('03:00'))).toBe(true);
    expect(inQuietHours(q, 'UTC', utc('07:59'))).toBe(true);
    expect(inQuietHours(q, 'UTC', utc('08:00'))).toBe(false);
    expect(inQuietHours({ start: 13, end: 15 }, 'UTC', utc('14:00'))).toBe(true);
    expect(inQuietHours({ start: 13, end: 13 }, 'UTC', utc('13:00'))).toBe(false);
    expect(inQuietHours(null, 'UTC', utc('23:00'))).toBe(false);
  });

  it('reads the local hour in the fan zone across a DST change', () => {
    const q = { start: 22, end: 8 };
    // New York springs forward on 2026-03-08: 12:30 UTC is 07:30 EST (quiet) the day before, 08:30 EDT the day after.
    expect(inQuietHours(q, 'America/New_York', Date.parse('2026-03-07T12:30:00Z'))).toBe(true);
    expect(inQuietHours(q, 'America/New_York', Date.parse('2026-03-09T12:30:00Z'))).toBe(false);
    // Kolkata is UTC+5:30: 02:00 UTC is 07:30, 02:30 UTC is 08:00.
    expect(inQuietHours(q, 'Asia/Kolkata', Date.parse('2026-03-09T02:00:00Z'))).toBe(true);
    expect(inQuietHours(q, 'Asia/Kolkata', Date.parse('2026-03-09T02:30:00Z'))).toBe(false);
  });
});
