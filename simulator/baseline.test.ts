// Tests the in-memory baseline run: deterministic, and it respects mutes, push availability and unsubscribes.
import { describe, expect, it } from 'vitest';
import { type BaselineSend, simulateBaseline } from './baseline.ts';
import { inAudience, scheduleEvents } from './events.ts';
import { parseWorldSpec } from './spec.ts';
import { findMembership, generateWorld } from './world.ts';

// Loud unsubscribe hazard so the test sees many unsubscribes in a short history.
const world = generateWorld(
  parseWorldSpec({
    seed: 4,
    creators: { count: 15 },
    fans: { count: 800, mutedShare: 0.1 },
    response: { unsubscribeBase: { email: 0.02, push: 0.03 } },
  }),
);
const from = world.startMs;
const events = scheduleEvents(world, { fromMs: from, toMs: from + 10 * 86_400_000 });

function run(): { sends: BaselineSend[]; summary: ReturnType<typeof simulateBaseline> } {
  const sends: BaselineSend[] = [];
  const summary = simulateBaseline(world, events, (s) => sends.push(s));
  return { sends, summary };
}

describe('simulateBaseline', () => {
  it('is deterministic and its summary counts what it sent', () => {
    const a = run();
    const b = run();
    expect(b.sends).toEqual(a.sends);
    expect(a.summary.sends).toBe(a.sends.length);
    expect(a.summary.opens).toBe(a.sends.filter((s) => s.response.opened).length);
    expect(a.summary.unsubscribes).toBeGreaterThan(0);
  });

  it('never sends to muted memberships, nor push to fans without push', () => {
    const { sends } = run();
    for (const s of sends) {
      const m = findMembership(world, s.fanIndex, events[s.eventIndex].creatorIndex);
      expect(world.memberships.muted[m]).toBe(0);
      if (s.channel === 'push') expect(world.fans.hasPush[s.fanIndex]).toBe(1);
    }
  });

  it('stops a channel after the fan unsubscribed from it', () => {
    const { sends } = run();
    const sent = new Set(sends.map((s) => `${s.eventIndex}/${s.fanIndex}/${s.channel}`));
    const stoppedAt = new Map<string, number>();
    for (const s of sends) {
      const key = `${s.fanIndex}/${s.channel}`;
      if (s.response.unsubscribedAtMs === null) continue;
      // One unsubscribe per fan and channel.
      expect(stoppedAt.has(key)).toBe(false);
      stoppedAt.set(key, s.response.unsubscribedAtMs);
    }
    let withheld = 0;
    for (const [key, stop] of stoppedAt) {
      const [fan, channel] = key.split('/');
      events.forEach((event, e) => {
        const m = findMembership(world, Number(fan), event.creatorIndex);
        if (event.atMs < stop || m < 0 || world.memberships.muted[m] || !inAudience(world, event, m)) return;
        expect(sent.has(`${e}/${fan}/${channel}`)).toBe(false);
        withheld++;
      });
    }
    expect(withheld).toBeGreaterThan(0);
  });

  it('refuses events out of time order', () => {
    const reversed = [...events].reverse();
    expect(() => simulateBaseline(world, reversed, () => undefined)).toThrow(
      /must not be earlier than the event run before it/,
    );
  });
});
