// Writes and reads that only test fixtures and benchmarks need: an audience with chosen settings, an explained fan.
import type { Pool } from './pool.ts';

export interface AudienceRows {
  handle: string;
  /** One entry per fan position, as are the flags below. */
  emails: string[];
  emailEnabled: boolean[];
  pushEnabled: boolean[];
  unsubscribed: boolean[];
  /** Positions of fans who muted the creator. */
  muted: number[];
  subscriptions: { position: number; endpoint: string; keys: { p256dh: string; auth: string } }[];
}

/** A creator and its free members in Europe/Paris, with their preferences, mutes and push subscriptions. */
export async function insertAudience(pool: Pool, a: AudienceRows): Promise<{ creatorId: number; fanIds: number[] }> {
  const c = await pool.query(`insert into creators (handle, display_name) values ($1::text, $2::text) returning id`, [
    a.handle,
    `Creator ${a.handle}`,
  ]);
  const creatorId: number = c.rows[0].id;
  const f = await pool.query(
    `insert into fans (email, time_zone)
     select e, 'Europe/Paris' from unnest($1::text[]) with ordinality as t (e, n) order by n returning id`,
    [a.emails],
  );
  const fanIds: number[] = f.rows.map((r) => r.id);
  await pool.query(
    `insert into memberships (fan_id, creator_id, kind, tier)
     select f, $2::bigint, 'free', 0 from unnest($1::bigint[]) as f`,
    [fanIds, creatorId],
  );
  await pool.query(
    `insert into preferences (fan_id, email_enabled, push_enabled, unsubscribed_at)
     select f, e, p, case when u then now() end
       from unnest($1::bigint[], $2::bool[], $3::bool[], $4::bool[]) as t (f, e, p, u)`,
    [fanIds, a.emailEnabled, a.pushEnabled, a.unsubscribed],
  );
  if (a.muted.length) {
    await pool.query(
      `insert into muted_creators (fan_id, creator_id) select f, $2::bigint from unnest($1::bigint[]) as f`,
      [a.muted.map((i) => fanIds[i]), creatorId],
    );
  }
  const subs = a.subscriptions;
  await pool.query(
    `insert into push_subscriptions (fan_id, endpoint, p256dh, auth)
     select * from unnest($1::bigint[], $2::text[], $3::text[], $4::text[])`,
    [
      subs.map((s) => fanIds[s.position]),
      subs.map((s) => s.endpoint),
      subs.map((s) => s.keys.p256dh),
      subs.map((s) => s.keys.auth),
    ],
  );
  return { creatorId, fanIds };
}

/**
 * The first fan (by id) with a model-explained alert on the event who has opened something: the inspector's example.
 */
export async function explainedFan(pool: Pool, eventId: number): Promise<{ id: number; email: string } | null> {
  const r = await pool.query(
    `select f.id, f.email from decisions d join fans f on f.id = d.fan_id
     where d.event_id = $1::bigint and d.features is not null and d.action = 'alert'
       and exists (select 1 from engagement_events g where g.fan_id = f.id and g.kind = 'open')
     order by f.id limit 1`,
    [eventId],
  );
  return r.rows[0] ? { id: r.rows[0].id, email: r.rows[0].email } : null;
}

/** Removes an event and its decisions (a benchmark's own). */
export async function deleteEvent(pool: Pool, eventId: number): Promise<void> {
  await pool.query(`delete from decisions where event_id = $1::bigint`, [eventId]);
  await pool.query(`delete from creator_events where id = $1::bigint`, [eventId]);
}

/**
 * Retires the active model, returning its version, so a benchmark can decide with the baseline; restoreModel undoes it.
 */
export async function retireActiveModel(pool: Pool): Promise<number | null> {
  const r = await pool.query(`update models set status = 'retired' where status = 'active' returning version`);
  return r.rows[0]?.version ?? null;
}

export async function restoreModel(pool: Pool, version: number): Promise<void> {
  await pool.query(`update models set status = 'active' where version = $1::int`, [version]);
}
