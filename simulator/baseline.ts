// Plays the baseline policy ("send now on every enabled channel") over events against the ground truth, in memory.

import { DAY_MS } from '../domain/time.ts';
import type { Channel } from '../domain/vocabulary.ts';
import { inAudience, type SimulatedEvent } from './events.ts';
import { hashString } from './random.ts';
import { isIrrelevant, type Response, respond } from './response.ts';
import type { World } from './world.ts';

export type BaselineSend = {
  /** Index into the events list given. */
  eventIndex: number;
  fanIndex: number;
  channel: Channel;
  sentAtMs: number;
  response: Response;
};

export type BaselineSummary = { sends: number; opens: number; clicks: number; unsubscribes: number };

/** Times of a fan's recent sends, oldest first, pruned as time moves on. */
class RecentSends {
  private readonly times: number[][];
  constructor(
    fanCount: number,
    private readonly windowMs: number,
  ) {
    this.times = Array.from({ length: fanCount }, () => []);
  }
  countBefore(fanIndex: number, atMs: number): number {
    const list = this.times[fanIndex];
    let drop = 0;
    while (drop < list.length && list[drop] <= atMs - this.windowMs) drop++;
    if (drop > 0) list.splice(0, drop);
    return list.length;
  }
  add(fanIndex: number, atMs: number): void {
    this.times[fanIndex].push(atMs);
  }
}

/**
 * The baseline policy played event by event, so a caller can write each page of sends before
 * simulating the next events. Events must be run in time order (as `scheduleEvents` returns them).
 * A fan stops getting a channel once an unsubscribe from it has happened, and unsubscribes from a
 * channel at most once; muted memberships and memberships not yet started get nothing.
 */
export class BaselineSimulation {
  readonly summary: BaselineSummary = { sends: 0, opens: 0, clicks: 0, unsubscribes: 0 };
  private readonly recent: RecentSends;
  private readonly irrelevant: RecentSends;
  private readonly emailUnsubscribedAt: Float64Array;
  private readonly pushUnsubscribedAt: Float64Array;
  private lastAt = -Infinity;

  constructor(
    private readonly world: World,
    private readonly events: SimulatedEvent[],
  ) {
    this.recent = new RecentSends(world.fans.count, DAY_MS);
    this.irrelevant = new RecentSends(world.fans.count, 7 * DAY_MS);
    this.emailUnsubscribedAt = new Float64Array(world.fans.count).fill(Infinity);
    this.pushUnsubscribedAt = new Float64Array(world.fans.count).fill(Infinity);
  }

  /** Sends event `e` to its audience, calling `onSend` for each send. */
  run(e: number, onSend: (send: BaselineSend) => void): void {
    const { world, summary } = this;
    const event = this.events[e];
    if (event.atMs < this.lastAt)
      throw new RangeError(`events[${e}].atMs: must not be earlier than the event run before it`);
    this.lastAt = event.atMs;
    const eventKey = hashString(`${event.creatorIndex}/${event.idempotencyKey}`);
    const c = event.creatorIndex;
    const { memberships: ms, byCreator } = world;
    for (let k = byCreator.start[c]; k < byCreator.start[c + 1]; k++) {
      const m = byCreator.membership[k];
      if (ms.muted[m] || ms.startedAtMs[m] > event.atMs || !inAudience(world, event, m)) continue;
      const fanIndex = ms.fan[m];
      const channels: Channel[] = [];
      if (this.emailUnsubscribedAt[fanIndex] > event.atMs) channels.push('email');
      if (world.fans.hasPush[fanIndex] && this.pushUnsubscribedAt[fanIndex] > event.atMs) channels.push('push');
      if (channels.length === 0) continue;
      // Both channels of one event see the same history: they go out at the same moment.
      const sentLast24h = this.recent.countBefore(fanIndex, event.atMs);
      const irrelevantLast7d = this.irrelevant.countBefore(fanIndex, event.atMs);
      for (const channel of channels) {
        const drawn = respond(world, {
          eventKey,
          fanIndex,
          creatorIndex: c,
          kind: event.kind,
          channel,
          sentAtMs: event.atMs,
          sentLast24h,
          irrelevantLast7d,
        });
        const unsubscribedAt = channel === 'email' ? this.emailUnsubscribedAt : this.pushUnsubscribedAt;
        // A fan leaves a channel once: a second unsubscribe drawn while the first is pending changes nothing.
        const response =
          drawn.unsubscribed && unsubscribedAt[fanIndex] !== Infinity
            ? { ...drawn, unsubscribed: false, unsubscribedAtMs: null }
            : drawn;
        summary.sends++;
        if (response.opened) summary.opens++;
        if (response.clicked) summary.clicks++;
        if (response.unsubscribed) {
          summary.unsubscribes++;
          unsubscribedAt[fanIndex] = response.unsubscribedAtMs!;
        }
        onSend({ eventIndex: e, fanIndex, channel, sentAtMs: event.atMs, response });
      }
      // Each channel's send is one more notification towards fatigue and the unsubscribe hazard.
      for (let j = 0; j < channels.length; j++) {
        this.recent.add(fanIndex, event.atMs);
        if (isIrrelevant(world, m)) this.irrelevant.add(fanIndex, event.atMs);
      }
    }
  }
}

/** Runs every event through the baseline policy; see BaselineSimulation. */
export function simulateBaseline(
  world: World,
  events: SimulatedEvent[],
  onSend: (send: BaselineSend) => void,
): BaselineSummary {
  const simulation = new BaselineSimulation(world, events);
  for (let e = 0; e < events.length; e++) simulation.run(e, onSend);
  return simulation.summary;
}
