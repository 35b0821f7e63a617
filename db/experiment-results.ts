// An experiment's results: fan-level rows (alerts sent, opens, clicks, unsubscribes) and their comparison per arm.
import {
  armKind,
  type Experiment,
  type FanResult,
  GLOBAL_HOLDOUT_ARM,
  SYSTEM_ARM,
  TRAFFIC_BUCKETS,
} from '../domain/experiment.ts';
import type { ResultDays } from '../policy/experiment-range.ts';
import { compareArms } from '../policy/experiment-stats.ts';
import type { ExperimentJson, ExperimentResultsAnswer } from '../wire/experiments.ts';
import type { Pool } from './pool.ts';

export function experimentJson(e: Experiment): ExperimentJson {
  return {
    id: e.id,
    name: e.name,
    trafficPercent: ((e.bucketEnd - e.bucketStart) * 100) / TRAFFIC_BUCKETS,
    createdBy: e.createdBy,
    startedAt: e.startedAt.toISOString(),
    stoppedAt: e.stoppedAt?.toISOString() ?? null,
    stoppedBy: e.stoppedBy,
    arms: e.arms.map((a) => ({ ...a, kind: armKind(a) })),
  };
}

/**
 * The results of an experiment, or of the standing global holdout (null) against the fans in no experiment, over
 * decisions made in [from, to): per arm the mean per fan of each metric and its difference to the control. `days`,
 * the whole UTC days holding exactly those decisions (policy/experiment-range.ts), reads the counts kept per fan-day;
 * without them the log is recounted.
 */
export async function experimentResults(
  pool: Pool,
  experiment: Experiment | null,
  from: Date,
  to: Date,
  days: ResultDays | null,
): Promise<ExperimentResultsAnswer> {
  const id = experiment?.id ?? null;
  const rows = days
    ? await experimentFanResultsByDay(pool, id, days, from, to)
    : await experimentFanResults(pool, id, from, to);
  const arms = experiment
    ? experiment.arms.map((a) => ({ name: a.name, kind: armKind(a) }))
    : [
        { name: SYSTEM_ARM, kind: 'control' as const },
        { name: GLOBAL_HOLDOUT_ARM, kind: 'holdout' as const },
      ];
  const control = arms.find((a) => a.kind === 'control')!.name;
  const compared = compareArms(
    rows,
    arms.map((a) => a.name),
    control,
  );
  return {
    experimentId: experiment?.id ?? null,
    name: experiment?.name ?? 'global holdout (no relevance filtering)',
    control,
    from: from.toISOString(),
    to: to.toISOString(),
    arms: compared.map((c, i) => ({ ...c, kind: arms[i].kind })),
  };
}

/**
 * One row per fan (and arm) with a decision of the experiment made in [from, to); null `experimentId` reads the global
 * holdout against the fans in no experiment (arm 'system'). Alerts count those delivered; opens, split by the action
 * of the decision opened (an alert, or the decision carrying a digest's pixel), and clicks count the experiment's
 * decisions made in the range whenever the fan answered; an unsubscribe counts when the fan unsubscribed in the range.
 */
export async function experimentFanResults(
  pool: Pool,
  experimentId: number | null,
  from: Date,
  to: Date,
): Promise<FanResult[]> {
  const { rows } = await pool.query(
    `with d as (
       select d.id, d.fan_id, coalesce(d.arm, $4::text) as arm, d.action
         from decisions d
        where d.decided_at >= $2::timestamptz and d.decided_at < $3::timestamptz
          and case when $1::bigint is null then d.experiment_id is null else d.experiment_id = $1::bigint end
     ),
     answered as (
       select d.id,
              bool_or(e.kind = 'open') as opened,
              bool_or(e.kind = 'click') as clicked
         from d join engagement_events e on e.decision_id = d.id and e.kind in ('open', 'click')
        group by d.id
     ),
     per_fan as (
       select d.fan_id, d.arm,
              count(*) filter (where d.action = 'alert' and exists (
                select 1 from deliveries v where v.decision_id = d.id and v.status = 'sent'))::int as alerts,
              count(*) filter (where d.action = 'alert' and a.opened)::int as alert_opens,
              count(*) filter (where d.action = 'digest' and a.opened)::int as digest_opens,
              count(*) filter (where a.clicked)::int as clicks
         from d left join answered a on a.id = d.id
        group by d.fan_id, d.arm
     )
     select p.fan_id, p.arm, p.alerts, p.alert_opens, p.digest_opens, p.clicks,
            (exists (select 1 from engagement_events u
                      where u.fan_id = p.fan_id and u.kind = 'unsubscribe'
                        and u.occurred_at >= $2::timestamptz and u.occurred_at < $3::timestamptz))::int as unsubscribes
       from per_fan p
      order by p.fan_id, p.arm`,
    [experimentId, from, to, SYSTEM_ARM],
  );
  return rows.map(fanResult);
}

/**
 * experimentFanResults from the counts kept per fan-day (experiment_fan_days, migration 0011): the same rows for the
 * decisions made on the UTC `days` (the caller's [from, to) must hold exactly those decisions); unsubscribes in
 * [from, to), as there.
 */
export async function experimentFanResultsByDay(
  pool: Pool,
  experimentId: number | null,
  days: ResultDays,
  from: Date,
  to: Date,
): Promise<FanResult[]> {
  const { rows } = await pool.query(
    `with per_fan as (
       select fan_id, arm, sum(alerts)::int as alerts, sum(alert_opens)::int as alert_opens,
              sum(digest_opens)::int as digest_opens, sum(clicks)::int as clicks
         from experiment_fan_days
        where experiment_id = coalesce($1::bigint, 0) and day >= $2::date and day < $3::date
        group by fan_id, arm
     ),
     unsubscribed as (
       select distinct fan_id from engagement_events
        where kind = 'unsubscribe' and occurred_at >= $4::timestamptz and occurred_at < $5::timestamptz
     )
     select p.fan_id, p.arm, p.alerts, p.alert_opens, p.digest_opens, p.clicks,
            (u.fan_id is not null)::int as unsubscribes
       from per_fan p left join unsubscribed u on u.fan_id = p.fan_id
      order by p.fan_id, p.arm`,
    [experimentId, days.from, days.to, from, to],
  );
  return rows.map(fanResult);
}

function fanResult(r: Record<string, number | string>): FanResult {
  return {
    fanId: r.fan_id as number,
    arm: r.arm as string,
    alerts: r.alerts as number,
    alertOpens: r.alert_opens as number,
    digestOpens: r.digest_opens as number,
    clicks: r.clicks as number,
    unsubscribes: r.unsubscribes as number,
  };
}
