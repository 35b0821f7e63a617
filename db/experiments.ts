// Experiments in PostgreSQL: create (placed clear of the running ones), list, the running ones, stop.
import type { ArmDefinition, Experiment, ExperimentDefinition } from '../domain/experiment.ts';
import type { FieldError } from '../domain/field-error.ts';
import { type Pool, withTransaction } from './pool.ts';

/** The columns of experiments joined with their arms (as a jsonb list), as pg returns them. */
interface ExperimentRow {
  id: number;
  name: string;
  bucket_start: number;
  bucket_end: number;
  created_by: string;
  started_at: Date;
  stopped_at: Date | null;
  stopped_by: string | null;
  /** experiment_arms rows in name order, allocation as text (numeric). */
  arms: {
    name: string;
    allocation: string | number;
    cap_policy_version: number | null;
    model_version: number | null;
    holdout: boolean;
  }[];
}

const SELECT = `select e.id, e.name, e.bucket_start, e.bucket_end, e.created_by, e.started_at, e.stopped_at,
                       e.stopped_by,
                       (select jsonb_agg(jsonb_build_object('name', a.name, 'allocation', a.allocation,
                                 'cap_policy_version', a.cap_policy_version, 'model_version', a.model_version,
                                 'holdout', a.holdout) order by a.name)
                          from experiment_arms a where a.experiment_id = e.id) as arms
                  from experiments e`;

function toExperiment(r: ExperimentRow): Experiment {
  return {
    id: r.id,
    name: r.name,
    bucketStart: r.bucket_start,
    bucketEnd: r.bucket_end,
    createdBy: r.created_by,
    startedAt: r.started_at,
    stoppedAt: r.stopped_at,
    stoppedBy: r.stopped_by,
    arms: (r.arms ?? []).map(
      (a): ArmDefinition => ({
        name: a.name,
        allocation: Number(a.allocation),
        capPolicyVersion: a.cap_policy_version,
        modelVersion: a.model_version,
        holdout: a.holdout,
      }),
    ),
  };
}

/** Every experiment, running ones first, newest first. */
export async function listExperiments(pool: Pool): Promise<Experiment[]> {
  const { rows } = await pool.query<ExperimentRow>(`${SELECT} order by e.stopped_at is not null, e.id desc`);
  return rows.map(toExperiment);
}

/** The experiments deciding now: read once per batch of decisions, a handful of rows. */
export async function runningExperiments(pool: Pool): Promise<Experiment[]> {
  const { rows } = await pool.query<ExperimentRow>(`${SELECT} where e.stopped_at is null order by e.id`);
  return rows.map(toExperiment);
}

export async function getExperiment(pool: Pool, id: number): Promise<Experiment | null> {
  const { rows } = await pool.query<ExperimentRow>(`${SELECT} where e.id = $1::bigint`, [id]);
  return rows.length ? toExperiment(rows[0]) : null;
}

export type Placement = (running: readonly Experiment[]) => { bucketStart: number; bucketEnd: number } | FieldError;

/**
 * Stores and starts an experiment in one transaction. The table lock serializes creations, so `place` sees every
 * running experiment and two new ones never share buckets. Refuses (nothing stored) an arm naming a cap policy or
 * model version that does not exist, a name a running experiment has, or a placement that finds no room.
 */
export async function createExperiment(
  pool: Pool,
  definition: ExperimentDefinition,
  actor: string,
  place: Placement,
): Promise<{ ok: true; experiment: Experiment } | { ok: false; errors: FieldError[] }> {
  return withTransaction(pool, async (client) => {
    await client.query(`lock table experiments in exclusive mode`);
    const errors: FieldError[] = [];
    const policies = new Set(
      (await client.query(`select version from cap_policies`)).rows.map((r) => r.version as number),
    );
    const models = new Set(
      (await client.query(`select version from models where status <> 'rejected'`)).rows.map(
        (r) => r.version as number,
      ),
    );
    definition.arms.forEach((a, i) => {
      if (a.capPolicyVersion !== null && !policies.has(a.capPolicyVersion))
        errors.push({ field: `arms[${i}].capPolicyVersion`, rule: `must be a stored cap policy version` });
      if (a.modelVersion !== null && !models.has(a.modelVersion))
        errors.push({ field: `arms[${i}].modelVersion`, rule: `must be a stored model version that was not rejected` });
    });
    const { rows } = await client.query<ExperimentRow>(`${SELECT} where e.stopped_at is null order by e.id`);
    const running = rows.map(toExperiment);
    if (running.some((e) => e.name === definition.name))
      errors.push({ field: 'name', rule: 'must differ from the running experiments’ names' });
    if (errors.length) return { ok: false, errors };
    const placed = place(running);
    if ('field' in placed) return { ok: false, errors: [placed] };
    const inserted = await client.query(
      `insert into experiments (name, bucket_start, bucket_end, created_by)
       values ($1::text, $2::int, $3::int, $4::text) returning id`,
      [definition.name, placed.bucketStart, placed.bucketEnd, actor],
    );
    const id = inserted.rows[0].id as number;
    await client.query(
      `insert into experiment_arms (experiment_id, name, allocation, cap_policy_version, model_version, holdout)
       select $1::bigint, a.name, a.allocation, a.cap_policy_version, a.model_version, a.holdout
         from unnest($2::text[], $3::numeric[], $4::int[], $5::int[], $6::boolean[])
              as a (name, allocation, cap_policy_version, model_version, holdout)`,
      [
        id,
        definition.arms.map((a) => a.name),
        definition.arms.map((a) => a.allocation),
        definition.arms.map((a) => a.capPolicyVersion),
        definition.arms.map((a) => a.modelVersion),
        definition.arms.map((a) => a.holdout),
      ],
    );
    const { rows: created } = await client.query<ExperimentRow>(`${SELECT} where e.id = $1::bigint`, [id]);
    return { ok: true, experiment: toExperiment(created[0]) };
  });
}

/** Stops a running experiment: its fans are decided as usual from the next batch. Null when there is no such one. */
export async function stopExperiment(pool: Pool, id: number, actor: string): Promise<Experiment | null> {
  const r = await pool.query(
    `update experiments set stopped_at = now(), stopped_by = $2::text where id = $1::bigint and stopped_at is null`,
    [id, actor],
  );
  return r.rowCount === 1 ? getExperiment(pool, id) : null;
}
