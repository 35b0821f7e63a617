// The deliveries ledger: one row per (decision, channel), claimed before the provider call and settled after it.

import type { Commit } from '../domain/commit-point.ts';
import type { Channel } from '../domain/vocabulary.ts';
import type { Pool } from './pool.ts';

/** Everything needed to deliver one alert decision, read in one query per batch. */
export interface DeliveryJob {
  decisionId: number;
  channel: Channel;
  fanId: number;
  email: string;
  /** fans.locale and fans.time_zone: the language and zone the message is written in. */
  locale: string;
  timeZone: string;
  emailDeliverable: boolean;
  emailEnabled: boolean;
  pushEnabled: boolean;
  /** When the decision was made: the start of the decision-to-delivery latency. */
  decidedAt: Date;
  event: {
    id: number;
    creatorId: number;
    creatorName: string;
    kind: string;
    title: string;
    url: string;
    deadline: Date | null;
    createdAt: Date;
  };
  pushSubscriptions: { id: number; endpoint: string; p256dh: string; auth: string }[];
}

export async function loadDeliveryJobs(pool: Pool, decisionIds: readonly number[]): Promise<DeliveryJob[]> {
  const r = await pool.query(
    `select d.id as decision_id, d.channel, d.decided_at, f.id as fan_id, f.email, f.email_status,
            f.locale, f.time_zone,
            coalesce(p.email_enabled, true) and p.unsubscribed_at is null as email_enabled,
            coalesce(p.push_enabled, true) as push_enabled,
            e.id as event_id, e.creator_id, c.display_name, e.kind, e.title, e.url, e.deadline, e.created_at,
            coalesce((select json_agg(json_build_object('id', s.id, 'endpoint', s.endpoint, 'p256dh', s.p256dh,
              'auth', s.auth) order by s.id)
                        from push_subscriptions s where s.fan_id = f.id and s.status = 'active'
                          and d.channel = 'push'), '[]'::json) as subs
       from decisions d
       join fans f on f.id = d.fan_id
       join creator_events e on e.id = d.event_id
       join creators c on c.id = e.creator_id
       left join preferences p on p.fan_id = f.id
      where d.id = any($1::bigint[]) and d.action = 'alert'
      order by d.id`,
    [decisionIds],
  );
  return r.rows.map((row) => ({
    decisionId: row.decision_id,
    channel: row.channel,
    fanId: row.fan_id,
    email: row.email,
    locale: row.locale,
    timeZone: row.time_zone,
    emailDeliverable: row.email_status === 'active',
    emailEnabled: row.email_enabled,
    pushEnabled: row.push_enabled,
    decidedAt: row.decided_at,
    event: {
      id: row.event_id,
      creatorId: row.creator_id,
      creatorName: row.display_name,
      kind: row.kind,
      title: row.title,
      url: row.url,
      deadline: row.deadline,
      createdAt: row.created_at,
    },
    pushSubscriptions: row.subs,
  }));
}

/**
 * Claims rows for this delivery attempt (its token). New rows start as 'claimed'. Rows left 'retry' by a transient
 * failure, or 'claimed' by an attempt that died before its commit point, are claimed again: nothing of theirs reached
 * the provider. Returns the decision ids this attempt now holds.
 */
export async function claimDeliveries(
  pool: Pool,
  token: string,
  items: readonly { decisionId: number; channel: Channel }[],
): Promise<Set<number>> {
  if (items.length === 0) return new Set();
  const r = await pool.query(
    `insert into deliveries (decision_id, channel, status, claim_token)
     select d, c, 'claimed', $3::text from unnest($1::bigint[], $2::text[]) as t (d, c)
     on conflict (decision_id, channel) do update
        set status = 'claimed', claim_token = excluded.claim_token, attempts = deliveries.attempts + 1,
            started_at = now(), finished_at = null
      where deliveries.status in ('retry', 'claimed')
     returning decision_id`,
    [items.map((i) => i.decisionId), items.map((i) => i.channel), token],
  );
  return new Set(r.rows.map((row) => row.decision_id));
}

/** The ledger's connection was lost before the commit point was recorded: the message must not be finished. */
export class CommitLostError extends Error {
  constructor(
    readonly decisionId: number,
    cause: Error,
  ) {
    super(
      `delivery of decision ${decisionId}: the ledger's connection was lost at the commit point (${cause.message})`,
    );
  }
}

export class ClaimLostError extends Error {
  constructor(readonly decisionId: number) {
    super(`delivery of decision ${decisionId} was claimed by another attempt`);
  }
}

/** How long a passed commit point may wait for its sender to run the commit before it is abandoned. */
const COMMIT_WAIT_MS = 30_000;

/**
 * The commit point, called by a sender just before the provider can have the whole message. In a transaction that
 * holds the row, it turns the row 'sending' only if this attempt still holds the claim (otherwise ClaimLostError:
 * the sender must abort without finishing the message). It resolves with the Commit, which sends COMMIT on that
 * same, idle connection synchronously, so the record and the message's last byte leave in the same tick. If the
 * process dies before that, PostgreSQL rolls back and the row stays 'claimed', which is safe to resend.
 */
export async function passCommitPoint(
  pool: Pool,
  token: string,
  decisionId: number,
  channel: Channel,
): Promise<Commit> {
  const client = await pool.connect();
  let released = false;
  // The transaction stays open with no query running until the commit: a connection lost then (a server restart)
  // arrives as the client's 'error' event, which would stop the process were nobody listening.
  let lost: Error | undefined;
  const onLost = (err: Error) => {
    lost = err;
  };
  client.on('error', onLost);
  const release = (err?: Error) => {
    if (released) return;
    released = true;
    client.off('error', onLost);
    client.release(err ?? lost);
  };
  try {
    // One round trip for both statements: a simple query may hold several, but takes no parameters, so the values go
    // in as literals, checked here and quoted by pg. The transaction stays open after it, until the Commit below.
    if (!Number.isSafeInteger(decisionId)) throw new TypeError(`decision id must be an integer, got ${decisionId}`);
    const results = (await client.query(
      `begin; update deliveries set status = 'sending'
        where decision_id = ${decisionId}::bigint and channel = ${client.escapeLiteral(channel)}::text
          and claim_token = ${client.escapeLiteral(token)}::text and status in ('claimed', 'sending')`,
    )) as unknown as { rowCount: number | null }[];
    if (results[1]?.rowCount !== 1) throw new ClaimLostError(decisionId);
  } catch (err) {
    await client.query('rollback').catch(() => {});
    release();
    throw err;
  }
  let committed = false;
  // A sender that never reaches its last byte (its connection died while waiting) must not hold the row forever.
  const rollback = () => {
    if (committed) return;
    committed = true;
    clearTimeout(abandonTimer);
    client.query('rollback').then(
      () => release(),
      (err: Error) => release(err),
    );
  };
  const abandonTimer = setTimeout(rollback, COMMIT_WAIT_MS);
  abandonTimer.unref();
  const commit = () => {
    if (committed) return;
    committed = true;
    clearTimeout(abandonTimer);
    if (lost) {
      // PostgreSQL rolled the transaction back with the connection: the row is 'claimed' again and will be resent, so
      // the sender must not finish this message (CommitLostError).
      release();
      throw new CommitLostError(decisionId, lost);
    }
    client.query('commit').then(
      () => release(),
      (err: Error) => release(err),
    );
  };
  return Object.assign(commit, { abandon: rollback });
}

/**
 * A row still 'sending' that this attempt did not claim was past its commit point when an earlier attempt died.
 * The provider may have accepted it, so it becomes 'possibly_sent' and is never resent silently.
 */
export async function markInFlightPossiblySent(pool: Pool, decisionIds: readonly number[]): Promise<number[]> {
  if (decisionIds.length === 0) return [];
  const r = await pool.query(
    `update deliveries set status = 'possibly_sent', finished_at = now(),
            error_code = 'interrupted',
              error_message = 'the worker stopped after the provider may have accepted this message'
      where decision_id = any($1::bigint[]) and status = 'sending'
      returning decision_id`,
    [decisionIds],
  );
  return r.rows.map((row) => row.decision_id);
}

/** Records a skip (the fan opted out after the decision) without a provider call. */
export async function recordSkipped(
  pool: Pool,
  items: readonly { decisionId: number; channel: Channel; reason: string }[],
): Promise<void> {
  if (items.length === 0) return;
  await pool.query(
    `insert into deliveries (decision_id, channel, status, error_code, finished_at)
     select d, c, 'skipped', r, now() from unnest($1::bigint[], $2::text[], $3::text[]) as t (d, c, r)
     on conflict (decision_id, channel) do update set status = 'skipped',
       error_code = excluded.error_code, finished_at = now()
      where deliveries.status in ('retry', 'claimed')`,
    [items.map((i) => i.decisionId), items.map((i) => i.channel), items.map((i) => i.reason)],
  );
}

export type Settlement =
  | { status: 'sent'; providerMessageId: string }
  | {
      status: 'failed' | 'retry' | 'possibly_sent';
      errorCode: string;
      errorMessage: string;
      /**
       * A retry that does not spend the attempt: the provider was refusing everyone (an outage, not this message), so
       * a long outage never exhausts MAX_DELIVERY_ATTEMPTS.
       */
      unspent?: boolean;
    };

/** After this many attempts a transient failure is final. */
export const MAX_DELIVERY_ATTEMPTS = 8;

/** Settles one claimed row with the provider's answer; a transient failure on the last attempt is final. */
export async function settleDelivery(
  pool: Pool,
  token: string,
  decisionId: number,
  channel: Channel,
  s: Settlement,
): Promise<void> {
  if (s.status === 'sent') {
    // 'possibly_sent' too: a zombie attempt that finishes after its successor gave up on it still knows the truth.
    await pool.query(
      `update deliveries set status = 'sent', provider_message_id = $3::text, error_code = null,
        error_message = null, finished_at = now()
        where decision_id = $1::bigint and channel = $2::text and status in ('claimed', 'sending', 'possibly_sent')`,
      [decisionId, channel, s.providerMessageId],
    );
  } else if (s.status === 'possibly_sent') {
    // Past the commit point and no answer came back: the provider may have it, so it is never resent silently.
    await pool.query(
      `update deliveries set status = 'possibly_sent', error_code = $3::text,
        error_message = $4::text, finished_at = now()
        where decision_id = $1::bigint and channel = $2::text
          and claim_token = $5::text and status in ('claimed', 'sending')`,
      [decisionId, channel, s.errorCode, s.errorMessage.slice(0, 1000), token],
    );
  } else {
    // The provider answered, so it did not take the message: a retry cannot duplicate it.
    await pool.query(
      `update deliveries
          set status = case when $3::text = 'retry' and attempts - $8::int < $6::int then 'retry' else 'failed' end,
              attempts = attempts - $8::int,
              error_code = $4::text, error_message = $5::text,
              finished_at = case when $3::text = 'retry' and attempts - $8::int < $6::int then null else now() end
        where decision_id = $1::bigint and channel = $2::text
          and claim_token = $7::text and status in ('claimed', 'sending')`,
      [
        decisionId,
        channel,
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

export async function markEmailUndeliverable(pool: Pool, fanId: number): Promise<void> {
  await pool.query(`update fans set email_status = 'undeliverable' where id = $1::bigint`, [fanId]);
}

export async function revokePushSubscription(pool: Pool, subscriptionId: number): Promise<void> {
  await pool.query(
    `update push_subscriptions set status = 'revoked', revoked_at = now() where id = $1::bigint and status = 'active'`,
    [subscriptionId],
  );
}

/** When the last delivered notification went out: the end of a log's history; null when nothing was sent. */
export async function lastSentAt(pool: Pool): Promise<Date | null> {
  const r = await pool.query(`select max(started_at) as last from deliveries where status = 'sent'`);
  return r.rows[0].last;
}

/** One alert decision of an event and its delivery's ledger state (status null: no delivery row yet). */
export interface EventLedgerRow {
  decision_id: number;
  channel: Channel;
  status: string | null;
  error_code: string | null;
  error_message: string | null;
}

/** The event's alert decisions with their delivery's status, for an audit of the ledger against a provider's log. */
export async function eventAlertLedger(pool: Pool, eventId: number): Promise<EventLedgerRow[]> {
  const r = await pool.query<EventLedgerRow>(
    `select d.id::int as decision_id, d.channel, v.status, v.error_code, v.error_message from decisions d
       left join deliveries v on v.decision_id = d.id and v.channel = d.channel
      where d.event_id = $1::bigint and d.action = 'alert'`,
    [eventId],
  );
  return r.rows;
}

/** An event's delivery row by the address it went to: the fan's email, or its push endpoint ('' without one). */
export interface AddressedDelivery {
  email: string;
  endpoint: string;
  channel: string;
  status: string;
}

/** Every delivery of an event with the address it went to, to audit against what the providers received. */
export async function eventDeliveriesByAddress(pool: Pool, eventId: number): Promise<AddressedDelivery[]> {
  const r = await pool.query<AddressedDelivery>(
    `select f.email, coalesce(s.endpoint, '') as endpoint, v.channel, v.status from deliveries v
      join decisions d on d.id = v.decision_id join fans f on f.id = d.fan_id
      left join push_subscriptions s on s.fan_id = f.id
      where d.event_id = $1::bigint`,
    [eventId],
  );
  return r.rows;
}
