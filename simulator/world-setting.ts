// Remembers which simulated world a database holds (its spec, in settings), so training can score the oracle and the responder can answer.
import type pg from 'pg';
import { parseWorldSpec, type WorldSpec } from './spec.ts';

type Queryable = Pick<pg.Pool, 'query'>;

export const WORLD_SETTING = 'simulated_world';

/** Records the spec of the world just seeded; a later seed of another world replaces it. */
export async function storeSimulatedWorld(db: Queryable, spec: WorldSpec): Promise<void> {
  await db.query(
    `insert into settings (key, value) values ($1::text, $2::jsonb)
     on conflict (key) do update set value = excluded.value`,
    [WORLD_SETTING, JSON.stringify(spec)],
  );
}

/** The spec of the simulated world in this database, or null for a real platform's data. */
export async function readSimulatedWorld(db: Queryable): Promise<WorldSpec | null> {
  const { rows } = await db.query<{ value: unknown }>(`select value from settings where key = $1::text`, [WORLD_SETTING]);
  return rows.length === 0 ? null : parseWorldSpec(rows[0].value);
}
