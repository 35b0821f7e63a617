// The digests ledger: each fan's digest, built once per (fan, period), claimed, sent past a commit point, settled.

import { DEFAULT_DIGEST_HOUR } from '../domain/fan.ts';
import type { ActiveDigestCadence } from '../domain/vocabulary.ts';
import { MAX_DELIVERY_ATTEMPTS, type Settlement } from './deliveries.ts';
import type { Pool } from './pool.ts';

export class DigestClaimLostError extends Error {
  constructor(readonly digestId: number) {
    super(`digest ${digestId} was claimed by another attempt`);
  }
}

/** A fan with digest decisions waiting, and what decides whether this hour is their digest hour. */
export interface DigestFan {
  fanId: number;
  timeZone: string;
  cadence: ActiveDigestCadence;
  /** The fan's chosen hour, else DEFAULT_DIGEST_HOUR. */
  digestHour: number;
}

/** A keyset page of fans with digests on and at least one digest decision made since `from`. */
export async function digestFans(pool: Pool, afterFanId: number, limit: number, from: Date): Promise<DigestFan[]> {
  const r = await pool.query(
    `select f.id, f.time_zone, coalesce(p.digest_cadence, 'daily') as cadence,
            coalesce(p.digest_hour, $4::int) as digest_hour
       from fans f left join preferences p on p.fan_id = f.id
      where f.id > $1::bigint and coalesce(p.digest_cadence, 'daily') <> 'off'
        and exists (select 1 from decisions d
                     where d.fan_id = f.id and d.action = 'digest' and d.decided_at >= $3::timestamptz)
      order by f.id
      limit $2::int`,
    [afterFanId, limit, from, DEFAULT_DIGEST_HOUR],
  );
  return r.rows.map((row) => ({
    fanId: row.id,
    timeZone: row.time_zone,
    cadence: row.cadence,
    digestHour: row.digest_hour,
  }));
}

/** A digest decision waiting for the fan's digest. */
export interface WaitingItem {
  fanId: number;
  decisionId: number;
  eventId: number;
  score: number;
  deadline: Date | null;
}

/**
 * The fans' digest decisions made since `from`, with two exclusions the selection needs: events alerted to the fan on
 * any channel (an item already sent as an alert never appears) and events an earlier digest already carried.
 */
export async function waitingItems(
  pool: Pool,
  fanIds: readonly number[],
  from: Date,
): Promise<{ items: WaitingItem[]; alerted: Set<string>; carried: Set<string> }> {
  const items = await pool.query(
    `select d.id, d.fan_id, d.event_id, coalesce(d.score, 0) as score, e.deadline
       from decisions d join creator_events e on e.id = d.event_id
      where d.fan_id = any($1::bigint[]) and d.action = 'digest' and d.decided_at >= $2::timestamptz`,
    [fanIds, from],
  );
  const alerted = await pool.query(
    `select distinct a.fan_id, a.event_id from decisions a
      where a.fan_id = any($1::bigint[]) and a.action = 'alert'
        and a.event_id in (select d.event_id from decisions d
                            where d.fan_id = any($1::bigint[]) and d.action = 'digest'
                              and d.decided_at >= $2::timestamptz)`,
    [fanIds, from],
  );
  const carried = await pool.query(
    `select g.fan_id, (item ->> 'eventId')::bigint as event_id
       from digests g cross join jsonb_array_elements(g.items) as item
      where g.fan_id = any($1::bigint[]) and g.created_at >= $2::timestamptz`,
    [fanIds, from],
  );
  return {
    items: items.rows.map((r) => ({
      fanId: r.fan_id,
      decisionId: r.id,
      eventId: r.event_id,
      score: r.score,
      deadline: r.deadline,
    })),
    alerted: new Set(alerted.rows.map((r) => `${r.fan_id}/${r.event_id}`)),
    carried: new Set(carried.rows.map((r) => `${r.fan_id}/${r.event_id}`)),
  };
}

export interface NewDigest {
  fanId: number;
  period: string;
  cadence: ActiveDigestCadence;
  items: { decisionId: number; eventId: number; score: number }[];
}

/**
 * Records the digests unless the (fan, period) already has one (a retried or repeated run), and returns the ids of
 * every digest of those (fan, period) pairs that is not settled yet: what the delivery step must still send.
 */
export async function recordDigests(pool: Pool, digests: readonly NewDigest[]): Promise<number[]> {
  if (digests.length === 0) return [];
  const r = await pool.query(
    `with input as (select * from unnest($1::bigint[], $2::text[], $3::text[], $4::jsonb[])
                      as t (fan_id, period, cadence, items)),
     inserted as (
       insert into digests (fan_id, period, cadence, items) select fan_id, period, cadence, items from input
       on conflict (fan_id, period) do nothing
       returning id
     )
     select id from inserted
     union
     select g.id from digests g join input i using (fan_id, period)
      where g.status in ('pending', 'claimed', 'retry', 'sending')
     order by id`,
    [
      digests.map((d) => d.fanId),
      digests.map((d) => d.period),
      digests.map((d) => d.cadence),
      digests.map((d) => JSON.stringify(d.items)),
    ],
  );
  return r.rows.map((row) => row.id);
}

/** Everything needed to send one digest: the fan's address and reachability, and each item's event. */
export interface DigestJob {
  digestId: number;
  fanId: number;
  email: string;
  /** fans.locale and fans.time_zone: the language and zone the digest is written in. */
  locale: string;
  timeZone: string;
  /** Email on, not unsubscribed, the address deliverable: re-checked at send time, as alerts are. */
  reachable: boolean;
  cadence: ActiveDigestCadence;
  items: { decisionId: number; creatorName: string; kind: string; title: string; url: string; at: Date }[];
}

export async function loadDigestJobs(pool: Pool, ids: readonly number[]): Promise<DigestJob[]> {
  const r = await pool.query(
    `select g.id, g.fan_id, g.cadence, f.email, f.locale, f.time_zone,
            coalesce(p.email_enabled, true) and p.unsubscribed_at is null and f.email_status = 'active' as reachable,
            (select json_agg(json_build_object('decisionId', (i.item ->> 'decisionId')::bigint,
                                               'creatorName', c.display_name,
                                               'kind', e.kind, 'title', e.title, 'url', e.url,
                                               'at', e.created_at) order by i.n)
               from jsonb_array_elements(g.items) with ordinality as i (item, n)
               join creator_events e on e.id = (i.item ->> 'eventId')::bigint
               join creators c on c.id = e.creator_id) as items
       from digests g join fans f on f.id = g.fan_id left join preferences p on p.fan_id = g.fan_id
      where g.id = any($1::bigint[])
      order by g.id`,
    [ids],
  );
  return r.rows.map((row) => ({
    digestId: row.id,
    fanId: row.fan_id,
    email: row.email,
    locale: row.locale,
    timeZone: row.time_zone,
    reachable: row.reachable,
    cadence: row.cadence,
    items: (row.items as (Omit<DigestJob['items'][number], 'at'> & { at: string })[]).map((i) => ({
      ...i,
      at: new Date(i.at),
    })),
  }));
}

/**
 * Claims digests nothing has reached the provider for (pending, retry, or claimed by a dead attempt);
 * returns the ids this attempt holds.
 */
export async function claimDigests(pool: Pool, token: string, ids: readonly number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const r = await pool.query(
    `update digests set status = 'claimed', claim_token = $2::text, attempts = attempts + 1, finished_at = null
      where id = any($1::bigint[]) and status in ('pending', 'retry', 'claimed')
      returning id`,
    [ids, token],
  );
  return new Set(r.rows.map((row) => row.id));
}

/** The commit point: 'sending' only while this attempt holds the claim, else the sender must abort. */
export async function passDigestCommitPoint(pool: Pool, token: string, id: number): Promise<void> {
  const r = await pool.query(
    `update digests set status = 'sending'
      where id = $1::bigint and claim_token = $2::text and status in ('claimed', 'sending')`,
    [id, token],
  );
  if (r.rowCount !== 1) throw new DigestClaimLostError(id);
}

/** Digests a dead attempt left past the commit point: the provider may have them, so they are never resent silently. */
export async function markDigestsPossiblySent(pool: Pool, ids: readonly number[]): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await pool.query(
    `update digests set status = 'possibly_sent', finished_at = now(), error_code = 'interrupted',
            error_message = 'the worker stopped after the provider may have accepted this digest'
      where id = any($1::bigint[]) and status = 'sending'`,
    [ids],
  );
  return r.rowCount ?? 0;
}

export async function skipDigests(pool: Pool, ids: readonly number[], reason: string): Promise<void> {
  if (ids.length === 0) return;
  await pool.query(
    `update digests set status = 'skipped', error_code = $2::text, finished_at = now()
      where id = any($1::bigint[]) and status in ('pending', 'retry', 'claimed')`,
    [ids, reason],
  );
}

/** Settles a claimed digest with the provider's answer, as settleDelivery does for alerts. */
export async function settleDigest(pool: Pool, token: string, id: number, s: Settlement): Promise<void> {
  if (s.status === 'sent') {
    await pool.query(
      `update digests set status = 'sent', provider_message_id = $2::text, error_code = null, error_message = null,
                          finished_at = now()
        where id = $1::bigint and status in ('claimed', 'sending', 'possibly_sent')`,
      [id, s.providerMessageId],
    );
  } else if (s.status === 'possibly_sent') {
    await pool.query(
      `update digests set status = 'possibly_sent', error_code = $2::text, error_message = $3::text, finished_at = now()
        where id = $1::bigint and claim_token = $4::text and status in ('claimed', 'sending')`,
      [id, s.errorCode, s.errorMessage.slice(0, 1000), token],
    );
  } else {
    await pool.query(
      `update digests
          set status = case when $2::text = 'retry' and attempts - $7::int < $5::int then 'retry' else 'failed' end,
              attempts = attempts - $7::int,
              error_code = $3::text, error_message = $4::text,
              finished_at = case when $2::text = 'retry' and attempts - $7::int < $5::int then null else now() end
        where id = $1::bigint and claim_token = $6::text and status in ('claimed', 'sending')`,
      [
        id,
        s.status,
        s.errorCode,
        s.errorMessage.slice(0, 1000),
        MAX_DELIVERY_ATTEMPTS,
        token,
        s.status === 'retry' && s.unspent ? 1 : 0,
      ],
    );
  }
}

/**
 * Hands back a claimed digest that never reached the relay because it was busy: 'retry', its attempt uncounted, as
 * `returnUnsentClaim` does for alerts.
 */
export async function returnUnsentDigestClaim(
  pool: Pool,
  token: string,
  id: number,
  errorMessage: string,
): Promise<void> {
  await pool.query(
    `update digests
        set status = 'retry', attempts = greatest(attempts - 1, 0), error_code = 'provider_busy',
            error_message = $3::text, finished_at = null
      where id = $1::bigint and claim_token = $2::text and status = 'claimed'`,
    [id, token, errorMessage.slice(0, 1000)],
  );
}
