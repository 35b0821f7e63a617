// Writes weeks of baseline history into PostgreSQL: events, decisions, sent deliveries and ground-truth engagement, in bulk.
import type pg from 'pg';
import { BASELINE_POLICY } from '../policy/baseline.ts';
import { BaselineSimulation, type BaselineSend, type BaselineSummary } from './baseline.ts';
import { scheduleEvents, type SimulatedEvent } from './events.ts';
import type { SeedResult } from './seed.ts';
import type { World } from './world.ts';

type Queryable = Pick<pg.Pool, 'query'>;

export type HistoryOptions = {
  fromMs: number;
  toMs: number;
  /** Sends per statement. */
  pageSize?: number;
  log?: (message: string) => void;
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

/** Inserts events by (creator, idempotency key), leaving existing ones untouched. */
async function insertEvents(db: Queryable, creatorIds: number[], events: SimulatedEvent[]): Promise<void> {
  await db.query(
    `insert into creator_events (creator_id, kind, title, url, audience, min_tier, idempotency_key, deadline, created_at)
     select * from unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::timestamptz[], $9::timestamptz[])
     on conflict (creator_id, idempotency_key) do nothing`,
    [
      events.map((e) => creatorIds[e.creatorIndex]),
      events.map((e) => e.kind),
      events.map((e) => e.title),
      events.map((e) => e.url),
      events.map((e) => e.audience),
      events.map((e) => e.minTier),
      events.map((e) => e.idempotencyKey),
      events.map((e) => iso(e.deadlineMs)),
      events.map((e) => iso(e.atMs)),
    ],
  );
}

/** Ids of events by (creator, idempotency key), in the order given. */
async function selectEventIds(db: Queryable, creatorIds: number[], events: SimulatedEvent[]): Promise<number[]> {
  const { rows } = await db.query<{ id: string | number }>(
    `select e.id
     from unnest($1::bigint[], $2::text[]) with ordinality as u(creator_id, idempotency_key, n)
     join creator_events e on e.creator_id = u.creator_id and e.idempotency_key = u.idempotency_key
     order by u.n`,
    [events.map((e) => creatorIds[e.creatorIndex]), events.map((e) => e.idempotencyKey)],
  );
  if (rows.length !== events.length) throw new Error(`history: expected ${events.length} events, found ${rows.length}`);
  return rows.map((r) => Number(r.id));
}

type SendRows = { eventIds: number[]; fanIds: number[]; channels: string[]; sentAt: string[] };
type EngagementRows = { send: number[]; kinds: string[]; occurredAt: string[] };

/**
 * Records one page of baseline sends: each decision, its sent delivery and its engagement events,
 * in one statement, so a page is all or nothing. Decisions already present are skipped along with
 * their deliveries and engagement, which makes writing the same history twice a no-op.
 * Returns the number of decisions written.
 */
async function insertBaselineSends(db: Queryable, sends: SendRows, engagement: EngagementRows): Promise<number> {
  const { rows } = await db.query<{ written: number }>(
    `with input as (
       select * from unnest($1::bigint[], $2::bigint[], $3::text[], $4::timestamptz[]) with ordinality as t(event_id, fan_id, channel, sent_at, n)
     ),
     decided as (
       insert into decisions (event_id, fan_id, channel, action, send_at, policy, reason, decided_at)
       select event_id, fan_id, channel, 'alert', sent_at, $5::text, $5::text, sent_at from input
       on conflict (event_id, fan_id, channel) do nothing
       returning id, event_id, fan_id, channel
     ),
     delivered as (
       insert into deliveries (decision_id, channel, status, started_at, finished_at)
       select d.id, d.channel, 'sent', i.sent_at, i.sent_at
       from decided d join input i using (event_id, fan_id, channel)
       returning id, decision_id
     ),
     engaged as (
       insert into engagement_events (delivery_id, decision_id, fan_id, event_id, channel, kind, occurred_at)
       select dl.id, d.id, d.fan_id, d.event_id, d.channel, g.kind, g.occurred_at
       from unnest($6::bigint[], $7::text[], $8::timestamptz[]) as g(n, kind, occurred_at)
       join input i on i.n = g.n
       join decided d using (event_id, fan_id, channel)
       join delivered dl on dl.decision_id = d.id
       returning 1
     )
     select (select count(*) from decided)::int as written, (select count(*) from engaged)::int as engaged`,
    [sends.eventIds, sends.fanIds, sends.channels, sends.sentAt, BASELINE_POLICY, engagement.send, engagement.kinds, engagement.occurredAt],
  );
  return rows[0].written;
}

/** Turns unsubscribes into preferences: no email at all after an email unsubscribe, no push after a push one. */
async function applyUnsubscribes(db: Queryable, fanIds: number[], channels: string[], at: string[]): Promise<void> {
  await db.query(
    `with u as (
       select fan_id, min(at) filter (where channel = 'email') as email_at, bool_or(channel = 'push') as push_off
       from unnest($1::bigint[], $2::text[], $3::timestamptz[]) as t(fan_id, channel, at)
       group by fan_id
     )
     update preferences p
     set unsubscribed_at = coalesce(least(p.unsubscribed_at, u.email_at), p.unsubscribed_at, u.email_at),
         push_enabled = p.push_enabled and not u.push_off
     from u where p.fan_id = u.fan_id`,
    [fanIds, channels, at],
  );
}

/**
 * Writes the history of [fromMs, toMs) under the baseline policy: the world's events, a decision
 * and a sent delivery per member and enabled channel, and the opens, clicks and unsubscribes the
 * ground truth draws. Engagement that would happen at or after toMs is not written (not yet seen).
 * The world must already be seeded (`ids` from `seedWorld`).
 */
export async function writeHistory(pool: Queryable, world: World, ids: SeedResult, options: HistoryOptions): Promise<HistoryResult> {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize <= 0) throw new RangeError('pageSize: must be a positive integer');
  const log = options.log ?? (() => undefined);
  const events = scheduleEvents(world, { fromMs: options.fromMs, toMs: options.toMs });
  const eventIds: number[] = [];
  for (let from = 0; from < events.length; from += pageSize) {
    const page = events.slice(from, from + pageSize);
    await insertEvents(pool, ids.creatorIds, page);
    eventIds.push(...(await selectEventIds(pool, ids.creatorIds, page)));
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
      written += await insertBaselineSends(pool, page.sends, page.engagement);
      page = newPage();
    }
  }
  const summary = simulation.summary;
  log(`decisions and deliveries: ${written} new of ${summary.sends}`);
  for (let from = 0; from < unsubscribes.fanIds.length; from += pageSize) {
    const to = from + pageSize;
    await applyUnsubscribes(pool, unsubscribes.fanIds.slice(from, to), unsubscribes.channels.slice(from, to), unsubscribes.at.slice(from, to));
  }
  return { ...summary, events: events.length, written };
}
