// Writes weeks of baseline history into PostgreSQL in bulk: events, decisions, deliveries, ground-truth engagement.
import type { Pool } from '../db/pool.ts';
import {
  applyUnsubscribes,
  type EngagementRows,
  type EventRows,
  insertBaselineSends,
  insertEvents,
  type SendRows,
  selectEventIds,
} from '../db/seed-history.ts';
import { BASELINE_POLICY } from '../policy/baseline.ts';
import { type BaselineSend, BaselineSimulation, type BaselineSummary } from './baseline.ts';
import { type SimulatedEvent, scheduleEvents } from './events.ts';
import type { SeedResult } from './seed.ts';
import type { World } from './world.ts';

export type HistoryOptions = {
  fromMs: number;
  toMs: number;
  /** Sends per statement. */
  pageSize?: number;
  log?: (message: string) => void;
  /** Told as each event's sends are played (and written, page by page): events played, of all, and the event's time. */
  onProgress?: (played: number, events: number, atMs: number) => void;
};

export type HistoryResult = BaselineSummary & {
  events: number;
  /** Decisions newly written; 0 when the same history was written before. */
  written: number;
};

const DEFAULT_PAGE_SIZE = 5000;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function eventRows(creatorIds: number[], events: SimulatedEvent[]): EventRows {
  return {
    creatorIds,
    kinds: events.map((e) => e.kind),
    titles: events.map((e) => e.title),
    urls: events.map((e) => e.url),
    audiences: events.map((e) => e.audience),
    minTiers: events.map((e) => e.minTier),
    idempotencyKeys: events.map((e) => e.idempotencyKey),
    deadlines: events.map((e) => iso(e.deadlineMs)),
    createdAt: events.map((e) => iso(e.atMs)),
  };
}

/**
 * Writes the history of [fromMs, toMs) under the baseline policy: the world's events, a decision
 * and a sent delivery per member and enabled channel, and the opens, clicks and unsubscribes the
 * ground truth draws. Engagement that would happen at or after toMs is not written (not yet seen).
 * The world must already be seeded (`ids` from `seedWorld`).
 */
export async function writeHistory(
  pool: Pool,
  world: World,
  ids: SeedResult,
  options: HistoryOptions,
): Promise<HistoryResult> {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize <= 0) throw new RangeError('pageSize: must be a positive integer');
  const log = options.log ?? (() => undefined);
  const events = scheduleEvents(world, { fromMs: options.fromMs, toMs: options.toMs });
  const eventIds: number[] = [];
  for (let from = 0; from < events.length; from += pageSize) {
    const page = events.slice(from, from + pageSize);
    const creatorIds = page.map((e) => ids.creatorIds[e.creatorIndex]);
    await insertEvents(pool, eventRows(creatorIds, page));
    eventIds.push(
      ...(await selectEventIds(
        pool,
        creatorIds,
        page.map((e) => e.idempotencyKey),
      )),
    );
  }
  log(`events: ${events.length}`);

  const simulation = new BaselineSimulation(world, events);
  const newPage = () => ({
    sends: { eventIds: [], fanIds: [], channels: [], sentAt: [] } as SendRows,
    engagement: { send: [], kinds: [], occurredAt: [] } as EngagementRows,
  });
  let page = newPage();
  const unsubscribes = { fanIds: [] as number[], channels: [] as string[], at: [] as string[] };
  const addEngagement = (kind: string, atMs: number | null) => {
    if (atMs === null || atMs >= options.toMs) return;
    // Ordinality is 1-based: the send just added is number sends.length.
    page.engagement.send.push(page.sends.eventIds.length);
    page.engagement.kinds.push(kind);
    page.engagement.occurredAt.push(iso(atMs));
  };
  const onSend = (send: BaselineSend) => {
    const { response } = send;
    page.sends.eventIds.push(eventIds[send.eventIndex]);
    page.sends.fanIds.push(ids.fanIds[send.fanIndex]);
    page.sends.channels.push(send.channel);
    page.sends.sentAt.push(iso(send.sentAtMs));
    addEngagement('open', response.openedAtMs);
    addEngagement('click', response.clickedAtMs);
    addEngagement('unsubscribe', response.unsubscribedAtMs);
    if (response.unsubscribedAtMs !== null && response.unsubscribedAtMs < options.toMs) {
      unsubscribes.fanIds.push(ids.fanIds[send.fanIndex]);
      unsubscribes.channels.push(send.channel);
      unsubscribes.at.push(iso(response.unsubscribedAtMs));
    }
  };
  let written = 0;
  // Pages are written between events, so memory holds one page of sends, not the whole history.
  for (let e = 0; e < events.length; e++) {
    simulation.run(e, onSend);
    if (page.sends.eventIds.length >= pageSize || (e === events.length - 1 && page.sends.eventIds.length > 0)) {
      written += await insertBaselineSends(pool, BASELINE_POLICY, page.sends, page.engagement);
      page = newPage();
    }
    options.onProgress?.(e + 1, events.length, events[e].atMs);
  }
  const summary = simulation.summary;
  log(`decisions and deliveries: ${written} new of ${summary.sends}`);
  for (let from = 0; from < unsubscribes.fanIds.length; from += pageSize) {
    const to = from + pageSize;
    await applyUnsubscribes(
      pool,
      unsubscribes.fanIds.slice(from, to),
      unsubscribes.channels.slice(from, to),
      unsubscribes.at.slice(from, to),
    );
  }
  return { ...summary, events: events.length, written };
}
