// Tests local-time arithmetic across zones and daylight-saving transitions.
import { describe, expect, it } from 'vitest';
import { instantOfWallTime, localHour, zoneOffsetMinutes } from './clock.ts';

describe('clock', () => {
  it('knows winter and summer offsets', () => {
    expect(zoneOffsetMinutes('America/New_York', Date.parse('2025-01-15T12:00:00Z'))).toBe(-300);
    expect(zoneOffsetMinutes('America/New_York', Date.parse('2025-07-15T12:00:00Z'))).toBe(-240);
    expect(zoneOffsetMinutes('Asia/Kolkata', Date.parse('2025-07-15T12:00:00Z'))).toBe(330);
    expect(zoneOffsetMinutes('UTC', Date.parse('2025-07-15T12:00:00Z'))).toBe(0);
  });

  it('gives the local hour on either side of a DST change', () => {
    // Europe/Berlin springs forward at 01:00 UTC on 2025-03-30.
    expect(localHour('Europe/Berlin', Date.parse('2025-03-30T00:30:00Z'))).toBe(1);
    expect(localHour('Europe/Berlin', Date.parse('2025-03-30T01:30:00Z'))).toBe(3);
    expect(localHour('Asia/Tokyo', Date.parse('2025-03-30T20:00:00Z'))).toBe(5);
  });

  it('turns a wall time back into the instant', () => {
    expect(instantOfWallTime('America/Los_Angeles', Date.parse('2025-02-01T09:15:00Z'))).toBe(
      Date.parse('2025-02-01T17:15:00Z'),
    );
    expect(instantOfWallTime('Australia/Sydney', Date.parse('2025-02-01T20:00:00Z'))).toBe(
      Date.parse('2025-02-01T09:00:00Z'),
    );
  });
});
