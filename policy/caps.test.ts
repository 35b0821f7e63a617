// Tests rolling-window caps and gaps, including alerts reserved for later and windows on either side of t.
import { describe, expect, it } from 'vitest';
import type { Send } from '../domain/decision.ts';
import type { Rule } from './cap-policy.ts';
import { bindingAt, lastSlotsAt, peakAround } from './caps.ts';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-05-01T12:00:00Z');
const at = (h: number) => new Date(T0 + h * HOUR);
const push = (h: number, creatorId = 1): Send => ({ channel: 'push', creatorId, sendAt: at(h) });
const email = (h: number, creatorId = 1): Send => ({ channel: 'email', creatorId, sendAt: at(h) });
const scope = { channel: 'push' as const, creatorId: 1 };

const rules: Rule[] = [
  { type: 'cap', name: 'push_per_day', channel: 'push', limit: 3, window: '24h' },
  { type: 'cap', name: 'push_per_creator', channel: 'push', perCreator: true, limit: 1, window: '12h' },
  { type: 'gap', name: 'push_gap', channel: 'push', minGap: '30m' },
];

describe('peakAround', () => {
  it('counts the fullest half-open window that contains t, looking both back and ahead', () => {
    expect(peakAround([], 0, 24)).toEqual({ used: 0, start: 0 });
    expect(peakAround([-23, -10], 0, 24).used).toBe(2);
    // -24 is exactly one window back: [−24, 0) does not contain t = 0.
    expect(peakAround([-24, -10], 0, 24).used).toBe(1);
    // Reservations ahead count too: [−10, 14) holds −10, 5, 13.
    expect(peakAround([-10, 5, 13, 20], 0, 24).used).toBe(3);
    // No single window holds both −20 and 20.
    expect(peakAround([-20, 20], 0, 24).used).toBe(1);
  });
});

describe('bindingAt', () => {
  it('lets a send through when every rule has room', () => {
    expect(bindingAt(rules, [push(-20, 2), email(-1)], scope, T0)).toBeNull();
  });

  it('names the channel cap that is full, with its numbers', () => {
    const sends = [push(-20, 2), push(-10, 3), push(-5, 4)];
    expect(bindingAt(rules, sends, scope, T0)).toEqual({
      type: 'cap',
      name: 'push_per_day',
      limit: 3,
      window: '24h',
      used: 3,
    });
    // Other channels and sends a full window away do not count.
    expect(bindingAt(rules, [email(-1), email(-2), email(-3), push(-24, 2)], scope, T0)).toBeNull();
  });

  it('caps per creator only that creator', () => {
    expect(bindingAt(rules, [push(-11, 1)], scope, T0)).toMatchObject({ name: 'push_per_creator', used: 1 });
    expect(bindingAt(rules, [push(-12, 1)], scope, T0)).toBeNull();
    expect(bindingAt(rules, [push(-11, 2)], scope, T0)).toBeNull();
    // A reservation 6 hours ahead from the same creator also binds.
    expect(bindingAt(rules, [push(6, 1)], scope, T0)).toMatchObject({ name: 'push_per_creator' });
  });

  it('keeps the gap on either side, and a cap without a channel counts all channels', () => {
    expect(bindingAt(rules, [push(0.25, 2)], scope, T0)).toEqual({
      type: 'gap',
      name: 'push_gap',
      minGap: '30m',
      nearestSendAt: at(0.25).toISOString(),
    });
    expect(bindingAt(rules, [push(-0.5, 2)], scope, T0)).toBeNull();
    const all: Rule[] = [{ type: 'cap', name: 'all_per_day', limit: 2, window: '1d' }];
    expect(bindingAt(all, [email(-3), push(-2, 2)], scope, T0)).toMatchObject({ name: 'all_per_day', used: 2 });
  });
});

describe('lastSlotsAt', () => {
  it('reports caps whose last slot t would take, and how long it would stay taken', () => {
    const slots = lastSlotsAt(rules, [push(-20, 2), push(-4, 3)], scope, T0);
    expect(slots).toEqual([
      { name: 'push_per_day', limit: 3, window: '24h', used: 2, heldMs: 4 * HOUR },
      { name: 'push_per_creator', limit: 1, window: '12h', used: 0, heldMs: 12 * HOUR },
    ]);
  });
});
