// The console's fan inspector: find a fan by id or email, and the fan's candidates with their decisions, deliveries and engagement.
import type { Pool } from './pool.ts';

export interface FanMatch {
  id: number;
  email: string;
  timeZone: string;
}

export interface FanProfile extends FanMatch {
  locale: string;
  emailStatus: string;
  createdAt: Date;
  digestCadence: string | null;
  digestHour: number | null;
  emailEnabled: boolean | null;
  pushEnabled: boolean | null;
  unsubscribedAt: Date | null;
  activePushSubscriptions: number;
  memberships: { creatorId: number; handle: string; kind: string; tier: number; startedAt: Date }[];
}

/** One candidate of the fan's timeline: an event on a channel, its decision, its delivery and what the fan did. */
export interface FanCandidate {
  decisionId: number;
  eventId: number;
  eventTitle: string;
  eventKind: string;
  eventCreatedAt: Date;
  creatorHandle: string;
  channel: 'email' | 'push';
  action: 'alert' | 'digest' | 'suppress';
  sendAt: Date | null;
  decidedAt: Date;
  policy: string;
  reason: string;
  reasonDetail: Record<string, unknown>;
  modelVersion: number | null;
  score: number | null;
  contributions: { feature: string; value: number; contribution: number }[] | null;
  delivery: { status: string; attempts: number; errorCode: string | null; finishedAt: Date | null } | null;
  engagement: { kind: string; occurredAt: Date }[];
}

/** An all-digit query is an id; anything else matches emails containing it (case-insensitive), first 20. */
export async function searchFans(pool: Pool, q: string): Promise<FanMatch[]> {
  const r = /^\d+$/.test(q)
    ? await pool.query(`select id, email, time_zone from fans where id = $1::bigint`, [q])
    : await pool.query(`select id, email, time_zone from fans where email ilike '%' || $1::text || '%' order by id limit 20`, [q.replace(/[\\%_]/g, (c) => `\\${c}`)]);
  return r.rows.map((row) => ({ id: row.id, email: row.email, timeZone: row.time_zone }));
}

export async function fanProfile(pool: Pool, fanId: number): Promise<FanProfile | null> {
  const r = await pool.query(
    `select f.id, f.email, f.time_zone, f.locale, f.email_status, f.created_at,
            p.digest_cadence, p.digest_hour, p.email_enabled, p.push_enabled, p.unsubscribed_at,
            (select count(*)::int from push_subscriptions s where s.fan_id = f.id and s.status = 'active') as push_subscriptions,
            coalesce((select json_agg(json_build_object('creatorId', m.creator_id, 'handle', c.handle, 'kind', m.kind, 'tier', m.tier, 'startedAt', m.started_at) order by c.handle)
                      from memberships m join creators c on c.id = m.creator_id where m.fan_id = f.id and m.ended_at is null), '[]') as memberships
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
    createdAt: row.created_at,
    digestCadence: row.digest_cadence,
    digestHour: row.digest_hour,
    emailEnabled: row.email_enabled,
    pushEnabled: row.push_enabled,
    unsubscribedAt: row.unsubscribed_at,
    activePushSubscriptions: row.push_subscriptions,
    memberships: row.memberships.map((m: any) => ({ ...m, startedAt: new Date(m.startedAt) })),
  };
}

/** The fan's latest candidates, newest decision first. */
export async function fanCandidates(pool: Pool, fanId: number, limit: number): Promise<FanCandidate[]> {
  const r = await pool.query(
    `select d.id, d.event_id, e.title, e.kind, e.created_at as event_created_at, c.handle, d.channel, d.action, d.send_at, d.decided_at,
            d.policy, d.reason, d.reason_detail, d.model_version, d.score, d.contributions,
            dl.status, dl.attempts, dl.error_code, dl.finished_at,
            coalesce((select json_agg(json_build_object('kind', g.kind, 'occurredAt', g.occurred_at) order by g.occurred_at)
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
    eventCreatedAt: row.event_created_at,
    creatorHandle: row.handle,
    channel: row.channel,
    action: row.action,
    sendAt: row.send_at,
    decidedAt: row.decided_at,
    policy: row.policy,
    reason: row.reason,
    reasonDetail: row.reason_detail,
    modelVersion: row.model_version,
    score: row.score,
    contributions: row.contributions,
    delivery: row.status === null ? null : { status: row.status, attempts: row.attempts, errorCode: row.error_code, finishedAt: row.finished_at },
    engagement: row.engagement.map((g: any) => ({ kind: g.kind, occurredAt: new Date(g.occurredAt) })),
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
    channel: row.channel as 'email' | 'push',
    action: row.action as string,
    sendAt: row.send_at as Date | null,
    decidedAt: row.decided_at as Date,
    score: row.score as number | null,
    modelVersion: row.model_version as number | null,
    event: { id: row.event_id as number, creatorId: row.creator_id as number, kind: row.kind as 'post' | 'live' | 'announcement', createdAt: row.created_at as Date, deadline: row.deadline as Date | null },
    timeZone: row.time_zone as string,
  };
}
