// Bulk, idempotent writes of simulated history: events by (creator, idempotency key), sends, deliveries, engagement.
import type { Pool } from './pool.ts';

/** Events as columns, one entry per event; times as ISO strings. */
export type EventRows = {
  creatorIds: number[];
  kinds: string[];
  titles: string[];
  urls: string[];
  audiences: string[];
  minTiers: (number | null)[];
  idempotencyKeys: string[];
  deadlines: string[];
  createdAt: string[];
};

/** Inserts events by (creator, idempotency key), leaving existing ones untouched. */
export async function insertEvents(db: Pool, rows: EventRows): Promise<void> {
  await db.query(
    `insert into creator_events (creator_id, kind, title, url, audience, min_tier, idempotency_key, deadline,
                                 created_at)
     select * from unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[],
                          $8::timestamptz[], $9::timestamptz[])
     on conflict (creator_id, idempotency_key) do nothing`,
    [
      rows.creatorIds,
      rows.kinds,
      rows.titles,
      rows.urls,
      rows.audiences,
      rows.minTiers,
      rows.idempotencyKeys,
      rows.deadlines,
      rows.createdAt,
    ],
  );
}

/** Ids of events by (creator, idempotency key), in the order given. */
export async function selectEventIds(db: Pool, creatorIds: number[], idempotencyKeys: string[]): Promise<number[]> {
  const { rows } = await db.query<{ id: string | number }>(
    `select e.id
     from unnest($1::bigint[], $2::text[]) with ordinality as u(creator_id, idempotency_key, n)
     join creator_events e on e.creator_id = u.creator_id and e.idempotency_key = u.idempotency_key
     order by u.n`,
    [creatorIds, idempotencyKeys],
  );
  if (rows.length !== idempotencyKeys.length)
    throw new Error(`history: expected ${idempotencyKeys.length} events, found ${rows.length}`);
  return rows.map((r) => Number(r.id));
}

export type SendRows = { eventIds: number[]; fanIds: number[]; channels: string[]; sentAt: string[] };
export type EngagementRows = { send: number[]; kinds: string[]; occurredAt: string[] };

/**
 * Records one page of baseline sends: each decision, its sent delivery and its engagement events,
 * in one statement, so a page is all or nothing. Decisions already present are skipped along with
 * their deliveries and engagement, which makes writing the same history twice a no-op.
 * Returns the number of decisions written.
 */
export async function insertBaselineSends(
  db: Pool,
  policy: string,
  sends: SendRows,
  engagement: EngagementRows,
): Promise<number> {
  const { rows } = await db.query<{ written: number }>(
    `with input as (
       select * from unnest($1::bigint[], $2::bigint[], $3::text[], $4::timestamptz[])
                     with ordinality as t(event_id, fan_id, channel, sent_at, n)
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
    [
      sends.eventIds,
      sends.fanIds,
      sends.channels,
      sends.sentAt,
      policy,
      engagement.send,
      engagement.kinds,
      engagement.occurredAt,
    ],
  );
  return rows[0].written;
}

/** Turns unsubscribes into preferences: no email at all after an email unsubscribe, no push after a push one. */
export async function applyUnsubscribes(db: Pool, fanIds: number[], channels: string[], at: string[]): Promise<void> {
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

/** A bulk load leaves the planner's statistics stale (it then scans deliveries for one page of fans): refresh them. */
export async function analyzeLogTables(db: Pool): Promise<void> {
  await db.query('analyze fans, memberships, creator_events, decisions, deliveries, engagement_events');
}
