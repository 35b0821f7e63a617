// TTL and urgency of a push, from the event.
import { describe, expect, it } from 'vitest';
import { pushTtlSeconds, pushUrgency } from './deliver.ts';

describe('push headers from the event', () => {
  const now = new Date('2026-01-01T12:00:00Z');
  it('takes TTL from the deadline, capped at 28 days, never negative', () => {
    expect(pushTtlSeconds(new Date('2026-01-01T12:10:00Z'), now)).toBe(600);
    expect(pushTtlSeconds(new Date('2025-12-31T00:00:00Z'), now)).toBe(0);
    expect(pushTtlSeconds(new Date('2027-01-01T00:00:00Z'), now)).toBe(28 * 24 * 3600);
    expect(pushTtlSeconds(null, now)).toBe(24 * 3600);
  });
  it('takes urgency from the kind', () => {
    expect([pushUrgency('live'), pushUrgency('announcement'), pushUrgency('post')]).toEqual(['high', 'normal', 'low']);
  });
});
