// Tests digest selection and the local digest hour, daily and weekly, through both daylight-saving changes.
import { describe, expect, it } from 'vitest';
import { type DigestItem, digestDue, localWeekday, selectDigest } from './digest.ts';

const now = new Date('2026-05-01T08:00:00Z');
const item = (eventId: number, score: number, deadline: Date | null = null): DigestItem => ({
  eventId,
  score,
  deadline,
});

describe('selectDigest', () => {
  const settings = { topK: 3, minScore: 0.05 };

  it('takes the top K by score, one per event', () => {
    const items = [item(1, 0.1), item(2, 0.3), item(3, 0.2), item(2, 0.4), item(4, 0.06), item(5, 0.2)];
    expect(selectDigest(items, new Set(), settings, now)).toEqual([item(2, 0.4), item(3, 0.2), item(5, 0.2)]);
  });

  it('never includes an event already sent as an alert, a passed deadline, or a low score', () => {
    const items = [item(1, 0.9), item(2, 0.5, now), item(3, 0.04), item(4, 0.3, new Date(now.getTime() + 1))];
    expect(selectDigest(items, new Set([1]), settings, now)).toEqual([item(4, 0.3, new Date(now.getTime() + 1))]);
  });

  it('is empty when nothing qualifies', () => {
    expect(selectDigest([], new Set(), settings, now)).toEqual([]);
    expect(selectDigest([item(1, 0.9)], new Set([1]), settings, now)).toEqual([]);
  });
});

describe('digestDue', () => {
  it('is due at the local digest hour only', () => {
    expect(digestDue('America/New_York', 'daily', 8, new Date('2026-05-01T12:00:00Z'))).toBe(true);
    expect(digestDue('America/New_York', 'daily', 8, new Date('2026-05-01T13:00:00Z'))).toBe(false);
    expect(digestDue('Asia/Tokyo', 'daily', 8, new Date('2026-04-30T23:00:00Z'))).toBe(true);
    expect(digestDue('Asia/Tokyo', 'off', 8, new Date('2026-04-30T23:00:00Z'))).toBe(false);
  });

  it('weekly: only on the fan local weekday', () => {
    // 2026-05-04 is a Monday; 23:00 UTC on Sunday 3 May is already 08:00 Monday in Tokyo.
    expect(localWeekday('Asia/Tokyo', Date.parse('2026-05-03T23:00:00Z'))).toBe(1);
    expect(digestDue('Asia/Tokyo', 'weekly', 8, new Date('2026-05-03T23:00:00Z'))).toBe(true);
    expect(digestDue('UTC', 'weekly', 8, new Date('2026-05-03T08:00:00Z'))).toBe(false);
    expect(digestDue('UTC', 'weekly', 8, new Date('2026-05-04T08:00:00Z'))).toBe(true);
    expect(digestDue('UTC', 'weekly', 8, new Date('2026-05-03T08:00:00Z'), 0)).toBe(true);
  });

  it('hourly runs over a year give exactly one digest per local day, even for the hours DST skips or repeats', () => {
    for (const zone of ['America/New_York', 'Europe/Berlin', 'Asia/Kolkata', 'Australia/Lord_Howe']) {
      for (const hour of [0, 1, 2, 3, 8, 23]) {
        const days = new Map<string, number>();
        for (let t = Date.parse('2026-01-01T00:00:00Z'); t < Date.parse('2027-01-01T00:00:00Z'); t += 3_600_000) {
          if (!digestDue(zone, 'daily', hour, new Date(t))) continue;
          const day = new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(t);
          days.set(day, (days.get(day) ?? 0) + 1);
        }
        expect(
          [...days.values()].every((n) => n === 1),
          `${zone} ${hour}`,
        ).toBe(true);
        expect(days.size, `${zone} ${hour}`).toBeGreaterThanOrEqual(364);
      }
    }
  });
});
