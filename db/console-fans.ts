// The console's fan inspector: find a fan by id or email; the fan's candidates, decisions, deliveries and engagement.
import type { Action } from '../domain/decision.ts';
import type { Channel, EventKind } from '../domain/vocabulary.ts';
import type { FanMatch, FanMembership, FanProfile, StoredFanCandidate } from '../wire/fans.ts';
import { featureValues } from './decisions.ts';
import type { Pool } from './pool.ts';

/** An all-digit query is an id; anything else matches emails containing it (case-insensitive), first 20. */
export async function searchFans(pool: Pool, q: string): Promise<FanMatch[]> {
  // Up to 18 digits always fit a bigint; a longer number is searched as text, never cast into an out-of-range error.
  const r = /^\d{1,18}$/.test(q)
    ? await pool.query(`select id, email, time_zone from fans where id = $1::bigint`, [q])
    : await pool.query(
        `select id, email, time_zone from fans where email ilike '%' || $1::text || '%' order by id limit 20`,
        [q.replace(/[\\%_]/g, (c) => `\\${c}`)],
      );
  return r.rows.map((row) => ({ id: row.id, email: row.email, timeZone: row.time_zone }));
}

export async function fanProfile(pool: Pool, fanId: number): Promise<FanProfile | null> {
  const r = await pool.query(
    `select f.id, f.email, f.time_zone, f.locale, f.email_status, f.created_at,
            p.digest_cadence, p.digest_hour, p.email_enabled, p.push_enabled, p.unsubscribed_at,
            (select count(*)::int from push_subscriptions s where s.fan_id = f.id and s.status = 'active')
              as push_subscriptions,
            coalesce((select json_agg(json_build_object('creatorId', m.creator_id, 'handle', c.handle, 'kind', m.kind,
                                                        'tier', m.tier, 'startedAt', m.started_at) order by c.handle)
                      from memberships m join creators c on c.id = m.creator_id
                      where m.fan_id = f.id and m.ended_at is null), '[]') as memberships
     from fans f left join preferences p on p.fan_id = f.id
     where f.id = $1::bigint`,
    [fanId],
  );
  if (!r.rowCount) return null;
  const row = r.rows[0];
  return {
    id: row.id,
    email: row.email,
    timeZone: row.time_zone,
    locale: row.locale,
    emailStatus: row.email_status,
    createdAt: row.created_at.toISOString(),
    digestCadence: row.digest_cadence,
    digestHour: row.digest_hour,
    emailEnabled: row.email_enabled,
    pushEnabled: row.push_enabled,
    unsubscribedAt: row.unsubscribed_at?.toISOString() ?? null,
    activePushSubscriptions: row.push_subscriptions,
    // json_build_object above names the fields and writes timestamps in PostgreSQL's text form; the wire's are ISO.
    memberships: row.memberships.map((m: FanMembership) => ({
      creatorId: m.creatorId,
      handle: m.handle,
      kind: m.kind,
      tier: m.tier,
      startedAt: new Date(m.startedAt).toISOString(),
    })),
  };
}

/** The fan's latest candidates, newest decision first. */
export async function fanCandidates(pool: Pool, fanId: number, limit: number): Promise<StoredFanCandidate[]> {
  const r = await pool.query(
    `select d.id, d.event_id, e.title, e.kind, e.created_at as event_created_at, c.handle, d.channel, d.action,
            d.send_at, d.decided_at, d.policy, d.reason, d.reason_detail, d.model_version, d.score, d.contributions,
            d.features,
            dl.status, dl.attempts, dl.error_code, dl.finished_at,
            coalesce((select json_agg(json_build_object('kind', g.kind, 'occurredAt', g.occurred_at)
                                      order by g.occurred_at)
                      from engagement_events g where g.decision_id = d.id), '[]') as engagement
     from decisions d
     join creator_events e on e.id = d.event_id
     join creators c on c.id = e.creator_id
     left join deliveries dl on dl.decision_id = d.id and dl.channel = d.channel
     where d.fan_id = $1::bigint
     order by d.decided_at desc, d.id desc
     limit $2::int`,
    [fanId, limit],
  );
  return r.rows.map((row) => ({
    decisionId: row.id,
    eventId: row.event_id,
    eventTitle: row.title,
    eventKind: row.kind,
    eventCreatedAt: row.event_created_at.toISOString(),
    creatorHandle: row.handle,
    channel: row.channel,
    action: row.action,
    sendAt: row.send_at?.toISOString() ?? null,
    decidedAt: row.decided_at.toISOString(),
    policy: row.policy,
    reason: row.reason,
    reasonDetail: row.reason_detail,
    modelVersion: row.model_version,
    score: row.score,
    contributions: row.contributions,
    features: row.features ? Array.from(featureValues(row.features)) : null,
    delivery:
      row.status === null
        ? null
        : {
            status: row.status,
            attempts: row.attempts,
            errorCode: row.error_code,
            finishedAt: row.finished_at?.toISOString() ?? null,
          },
    engagement: row.engagement.map((g: { kind: string; occurredAt: string }) => ({
      kind: g.kind,
      occurredAt: new Date(g.occurredAt).toISOString(),
    })),
  }));
}

/** What the engagement curve of one decision needs: its fan, channel, event and when it was decided. */
export async function decisionForCurve(pool: Pool, decisionId: number) {
  const r = await pool.query(
    `select d.fan_id, d.channel, d.action, d.send_at, d.decided_at, d.score, d.model_version,
            e.id as event_id, e.creator_id, e.kind, e.created_at, e.deadline, f.time_zone
     from decisions d join creator_events e on e.id = d.event_id join fans f on f.id = d.fan_id
     where d.id = $1::bigint`,
    [decisionId],
  );
  if (!r.rowCount) return null;
  const row = r.rows[0];
  return {
    fanId: row.fan_id as number,
    channel: row.channel as Channel,
    action: row.action as Action,
    sendAt: row.send_at as Date | null,
    decidedAt: row.decided_at as Date,
    score: row.score as number | null,
    modelVersion: row.model_version as number | null,
    event: {
      id: row.event_id as number,
      creatorId: row.creator_id as number,
      kind: row.kind as EventKind,
      createdAt: row.created_at as Date,
      deadline: row.deadline as Date | null,
    },
    timeZone: row.time_zone as string,
  };
}
