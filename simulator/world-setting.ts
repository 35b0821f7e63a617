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

/**
 * A stored spec as the world it was seeded with. Specs are stored whole, so one without
 * `affinity.fanShare` / `creatorShare` was seeded before affinity had fan and creator parts: its
 * memberships were independent (both shares 0), not today's defaults.
 */
export function storedWorldSpec(value: unknown): WorldSpec {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const stored = value as { affinity?: Record<string, unknown> };
    if (typeof stored.affinity === 'object' && stored.affinity !== null) {
      const affinity = { ...stored.affinity };
      if (!('fanShare' in affinity)) affinity.fanShare = 0;
      if (!('creatorShare' in affinity)) affinity.creatorShare = 0;
      return parseWorldSpec({ ...stored, affinity });
    }
  }
  return parseWorldSpec(value);
}

/** The spec of the simulated world in this database, or null for a real platform's data. */
export async function readSimulatedWorld(db: Queryable): Promise<WorldSpec | null> {
  const { rows } = await db.query<{ value: unknown }>(`select value from settings where key = $1::text`, [WORLD_SETTING]);
  return rows.length === 0 ? null : storedWorldSpec(rows[0].value);
}
