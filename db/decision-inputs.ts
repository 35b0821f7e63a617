// What the policy decides from: the fans' settings, alerts sent and reserved (under row locks), past candidates.
import type pg from 'pg';
import type { Channel, DigestCadence, EventKind, MembershipKind } from '../domain/vocabulary.ts';

type Queryable = Pick<pg.PoolClient, 'query'>;

/** A fan's settings that bear on one decision for one creator's event. */
export interface FanContext {
  fanId: number;
  /** fans.time_zone */
  timeZone: string;
  /** memberships.kind and tier with the event's creator */
  membership: { kind: MembershipKind; tier: number };
  /** memberships.started_at */
  tenureStart: Date;
  /** preferences.quiet_start / quiet_end; null when unset */
  quietStart: number | null;
  quietEnd: number | null;
  /** preferences.digest_cadence, 'daily' without a preferences row */
  digestCadence: DigestCadence;
}

export async function fanContexts(
  db: Queryable,
  creatorId: number,
  fanIds: readonly number[],
): Promise<Map<number, FanContext>> {
  const r = await db.query(
    `select f.id, f.time_zone, m.kind, m.tier, m.started_at, p.quiet_start, p.quiet_end,
            coalesce(p.digest_cadence, 'daily') as digest_cadence
       from fans f
       join memberships m on m.fan_id = f.id and m.creator_id = $2::bigint
       left join preferences p on p.fan_id = f.id
      where f.id = any($1::bigint[])`,
    [fanIds, creatorId],
  );
  return new Map(
    r.rows.map((row) => [
      row.id,
      {
        fanId: row.id,
        timeZone: row.time_zone,
        membership: { kind: row.kind, tier: row.tier },
        tenureStart: row.started_at,
        quietStart: row.quiet_start,
        quietEnd: row.quiet_end,
        digestCadence: row.digest_cadence,
      },
    ]),
  );
}

/**
 * Locks the fans' rows until the transaction ends, in id order so two pages locking overlapping fans cannot deadlock.
 * Every decision path takes this lock before reading the alerts it counts,
 * so two events never both take a fan's last slot.
 */
export async function lockFans(db: Queryable, fanIds: readonly number[]): Promise<void> {
  await db.query(`select id from fans where id = any($1::bigint[]) order by id for update`, [fanIds]);
}

/** An alert as caps count it: sent, or reserved for a future send time. */
export interface AlertRow {
  fanId: number;
  channel: Channel;
  creatorId: number;
  kind: EventKind;
  sendAt: Date;
}

/**
 * The fans' alerts with send_at in [from, to), sent or still to be sent (a future send_at is a reservation), except
 * those of `exceptEventId` (a retried page re-deciding its own event) and those whose delivery was skipped or failed:
 * nothing reached the fan.
 */
export async function alertHistory(
  db: Queryable,
  fanIds: readonly number[],
  from: Date,
  to: Date,
  exceptEventId: number,
): Promise<AlertRow[]> {
  const r = await db.query(
    `select d.fan_id, d.channel, e.creator_id, e.kind, d.send_at
       from decisions d join creator_events e on e.id = d.event_id
      where d.fan_id = any($1::bigint[]) and d.action = 'alert'
        and d.send_at >= $2::timestamptz and d.send_at < $3::timestamptz and d.event_id <> $4::bigint
        and not exists (select 1 from deliveries v where v.decision_id = d.id and v.status in ('skipped', 'failed'))
      order by d.send_at`,
    [fanIds, from, to, exceptEventId],
  );
  return r.rows.map((row) => ({
    fanId: row.fan_id,
    channel: row.channel,
    creatorId: row.creator_id,
    kind: row.kind,
    sendAt: row.send_at,
  }));
}

/** A past scored decision: what a candidate was worth to the fan, for value-aware capping. */
export interface PastCandidateRow {
  fanId: number;
  channel: Channel;
  kind: EventKind;
  decidedAt: Date;
  score: number;
}

export async function pastCandidates(
  db: Queryable,
  fanIds: readonly number[],
  from: Date,
  to: Date,
): Promise<PastCandidateRow[]> {
  const r = await db.query(
    `select d.fan_id, d.channel, e.kind, d.decided_at, d.score
       from decisions d join creator_events e on e.id = d.event_id
      where d.fan_id = any($1::bigint[]) and d.score is not null
        and d.decided_at >= $2::timestamptz and d.decided_at < $3::timestamptz`,
    [fanIds, from, to],
  );
  return r.rows.map((row) => ({
    fanId: row.fan_id,
    channel: row.channel,
    kind: row.kind,
    decidedAt: row.decided_at,
    score: row.score,
  }));
}
