// A sample of real fans' logged candidates for the cap policy replay on history: each decision as its candidate, its
// logged score, and whether its alert was sent, opened and unsubscribed through.
import type { LoggedCandidate } from '../policy/history-replay.ts';
import type { Pool } from './pool.ts';

export interface LoggedHistorySample {
  /** Fans sampled: up to the number asked, among those with a decision in the period. */
  fanIds: number[];
  logged: LoggedCandidate[];
}

/**
 * Up to `fans` fans with a decision from `from` to before `to`, drawn by a hash of their id and `seed` (the same
 * seed gives the same fans), and every decision of theirs in that period. The fan's settings are today's (time zone,
 * membership with the event's creator, quiet hours, digest cadence): the log does not keep them as they were.
 */
export async function sampleLoggedHistory(
  pool: Pool,
  period: { from: Date; to: Date },
  fans: number,
  seed: number,
): Promise<LoggedHistorySample> {
  const sample = await pool.query(
    `select f.id from fans f
      where exists (select 1 from decisions d
                     where d.fan_id = f.id and d.decided_at >= $1::timestamptz and d.decided_at < $2::timestamptz)
      order by md5(f.id::text || ':' || $4::int::text), f.id
      limit $3::int`,
    [period.from, period.to, fans, seed],
  );
  const fanIds: number[] = sample.rows.map((r) => r.id);
  const r = await pool.query(
    `select d.fan_id, d.event_id, d.channel, d.score, d.decided_at,
            e.creator_id, e.kind, e.created_at as event_at, e.deadline,
            f.time_zone, coalesce(m.kind, 'free') as membership_kind, coalesce(m.tier, 0) as tier,
            coalesce(m.started_at, f.created_at) as tenure_start,
            p.quiet_start, p.quiet_end, coalesce(p.digest_cadence, 'daily') as digest_cadence,
            exists (select 1 from deliveries dl where dl.decision_id = d.id and dl.status = 'sent') as sent,
            exists (select 1 from engagement_events g where g.decision_id = d.id and g.kind = 'open') as opened,
            exists (select 1 from engagement_events g where g.decision_id = d.id and g.kind = 'unsubscribe')
              as unsubscribed
       from decisions d
       join creator_events e on e.id = d.event_id
       join fans f on f.id = d.fan_id
       left join memberships m on m.fan_id = d.fan_id and m.creator_id = e.creator_id
       left join preferences p on p.fan_id = d.fan_id
      where d.fan_id = any($1::bigint[]) and d.decided_at >= $2::timestamptz and d.decided_at < $3::timestamptz`,
    [fanIds, period.from, period.to],
  );
  const logged = r.rows.map(
    (row): LoggedCandidate => ({
      candidate: {
        fanId: row.fan_id,
        creatorId: row.creator_id,
        eventId: row.event_id,
        kind: row.kind,
        channel: row.channel,
        membership: { kind: row.membership_kind, tier: row.tier },
        timeZone: row.time_zone,
        tenureStart: row.tenure_start,
        quietStart: row.quiet_start,
        quietEnd: row.quiet_end,
        digestCadence: row.digest_cadence,
        eventAt: row.event_at,
        deadline: row.deadline,
      },
      decidedAt: row.decided_at,
      score: row.score,
      sent: row.sent,
      opened: row.opened,
      unsubscribed: row.unsubscribed,
    }),
  );
  return { fanIds, logged };
}
