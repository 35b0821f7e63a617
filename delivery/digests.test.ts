// Which digests an hourly run owes: due fans, top K by score, nothing alerted or carried before, none if none qualify.
import { describe, expect, it } from 'vitest';
import type { DigestFan, WaitingItem } from '../db/digests.ts';
import { digestPeriod, planDigests } from './digests.ts';

const now = new Date('2026-03-10T07:00:00Z'); // 08:00 in Paris, a Tuesday
const settings = { topK: 2, minScore: 0.05, weeklyOn: 2 };
const fan = (fanId: number, over: Partial<DigestFan> = {}): DigestFan => ({
  fanId,
  timeZone: 'Europe/Paris',
  cadence: 'daily',
  digestHour: 8,
  ...over,
});
const item = (fanId: number, eventId: number, score: number): WaitingItem => ({
  fanId,
  decisionId: fanId * 100 + eventId,
  eventId,
  score,
  deadline: null,
});

describe('planDigests', () => {
  it('gives each due fan their top K waiting items, best first, and skips the rest', () => {
    const fans = [
      fan(1),
      fan(2, { digestHour: 9 }),
      fan(3, { cadence: 'weekly' }),
      fan(4, { cadence: 'weekly', timeZone: 'America/New_York' }),
      fan(5),
    ];
    const items = [
      item(1, 10, 0.2),
      item(1, 11, 0.4),
      item(1, 12, 0.3),
      item(1, 13, 0.9),
      item(1, 14, 0.8),
      item(2, 10, 0.5),
      item(3, 10, 0.5),
      item(4, 10, 0.5),
      item(5, 10, 0.01),
    ];
    const plan = planDigests(fans, { items, alerted: new Set(['1/13']), carried: new Set(['1/14']) }, settings, now);
    // Fan 1: 13 was alerted and 14 went out in an earlier digest. Fan 2: not their hour. Fan 3: weekly on Tuesday, due.
    // Fan 4: 03:00 in New York. Fan 5: nothing above the digest's minimum score, so no digest at all.
    expect(plan).toEqual([
      {
        fanId: 1,
        period: 'daily:2026-03-10',
        cadence: 'daily',
        items: [
          { decisionId: 111, eventId: 11, score: 0.4 },
          { decisionId: 112, eventId: 12, score: 0.3 },
        ],
      },
      {
        fanId: 3,
        period: 'weekly:2026-03-10',
        cadence: 'weekly',
        items: [{ decisionId: 310, eventId: 10, score: 0.5 }],
      },
    ]);
  });

  it("names the period by the fan's local date", () => {
    expect(digestPeriod('daily', 'Pacific/Auckland', Date.parse('2026-03-10T20:00:00Z'))).toBe('daily:2026-03-11');
    expect(digestPeriod('weekly', 'America/Los_Angeles', Date.parse('2026-03-10T03:00:00Z'))).toBe('weekly:2026-03-09');
  });
});
