// Tests the event schedule: deterministic, consistent across ranges, at plausible hours, with per-kind deadlines.
import { describe, expect, it } from 'vitest';
import { localHour } from '../domain/clock.ts';
import { inAudience, scheduleEvents } from './events.ts';
import { parseWorldSpec } from './spec.ts';
import { generateWorld } from './world.ts';

const world = generateWorld(parseWorldSpec({ seed: 9, creators: { count: 40 }, fans: { count: 1000 } }));
const DAY = 86_400_000;
const from = Date.parse('2025-03-03T00:00:00Z');
const to = from + 28 * DAY;

describe('scheduleEvents', () => {
  it('is deterministic and the events of a range are the union of its parts', () => {
    const all = scheduleEvents(world, { fromMs: from, toMs: to });
    expect(scheduleEvents(world, { fromMs: from, toMs: to })).toEqual(all);
    const mid = from + 11 * DAY + 5 * 3_600_000;
    const parts = [
      ...scheduleEvents(world, { fromMs: from, toMs: mid }),
      ...scheduleEvents(world, { fromMs: mid, toMs: to }),
    ];
    expect(parts.map((e) => e.idempotencyKey + e.creatorIndex)).toEqual(
      all.map((e) => e.idempotencyKey + e.creatorIndex),
    );
    for (const e of all) expect(e.atMs >= from && e.atMs < to).toBe(true);
  });

  it('publishes about as often as the creators rates say', () => {
    const events = scheduleEvents(world, { fromMs: from, toMs: to });
    for (const kind of ['post', 'live', 'announcement'] as const) {
      let expected = 0;
      for (let c = 0; c < world.creators.count; c++) expected += world.creators.rate[kind][c] * 28;
      const got = events.filter((e) => e.kind === kind).length;
      expect(Math.abs(got - expected)).toBeLessThan(4 * Math.sqrt(expected) + 2);
    }
  });

  it('keeps idempotency keys unique per creator', () => {
    const events = scheduleEvents(world, { fromMs: from, toMs: to });
    expect(new Set(events.map((e) => `${e.creatorIndex}/${e.idempotencyKey}`)).size).toBe(events.length);
  });

  it('goes live in the evening and sets deadlines by kind', () => {
    const events = scheduleEvents(world, { fromMs: from, toMs: to });
    const lives = events.filter((e) => e.kind === 'live');
    const evening = lives.filter((e) => {
      const h = localHour(world.zones[world.creators.zone[e.creatorIndex]], e.atMs);
      return h >= 16 && h <= 23;
    });
    expect(evening.length / lives.length).toBeGreaterThan(0.6);
    const hours = (e: { atMs: number; deadlineMs: number }) => (e.deadlineMs - e.atMs) / 3_600_000;
    for (const e of lives) expect(hours(e) >= 1 && hours(e) <= 3).toBe(true);
    for (const e of events.filter((x) => x.kind === 'post')) expect(hours(e) >= 24 && hours(e) <= 48).toBe(true);
    for (const e of events.filter((x) => x.kind === 'announcement')) expect(hours(e)).toBeCloseTo(72, 5);
  });

  it('targets posts at all, paid or tier members and filters memberships by it', () => {
    const posts = scheduleEvents(world, { fromMs: from, toMs: to }).filter((e) => e.kind === 'post');
    const audiences = new Set(posts.map((e) => e.audience));
    expect(audiences).toEqual(new Set(['all', 'paid', 'tier']));
    const tierPost = posts.find((e) => e.audience === 'tier')!;
    expect(tierPost.minTier).toBe(2);
    const c = tierPost.creatorIndex;
    for (let k = world.byCreator.start[c]; k < world.byCreator.start[c + 1]; k++) {
      const m = world.byCreator.membership[k];
      expect(inAudience(world, tierPost, m)).toBe(world.memberships.tier[m] >= 2);
    }
  });

  it('rejects a reversed range', () => {
    expect(() => scheduleEvents(world, { fromMs: to, toMs: from })).toThrow('toMs: must be >= fromMs');
  });
});
