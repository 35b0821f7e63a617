// Remembers which simulated world a database holds (its spec, in settings), for the oracle and the responder.
import type { Pool } from '../db/pool.ts';
import { getSetting, putSetting } from '../db/settings.ts';
import { isPlainObject, parseWorldSpec, type WorldSpec } from './spec.ts';

export const WORLD_SETTING = 'simulated_world';

/** Records the spec of the world just seeded; a later seed of another world replaces it. */
export async function storeSimulatedWorld(pool: Pool, spec: WorldSpec): Promise<void> {
  await putSetting(pool, WORLD_SETTING, spec);
}

/**
 * A stored spec as the world it was seeded with. Specs are stored whole, so a field missing from one
 * was added after it was seeded, and the world it describes had that field's neutral value, not
 * today's default: `affinity.fanShare` / `creatorShare` 0 (memberships independent) and
 * `response.awayWaitsForPeak` 0 (opens followed sends by the delay alone).
 */
export function storedWorldSpec(value: unknown): WorldSpec {
  if (isPlainObject(value)) {
    const stored = { ...value };
    if (isPlainObject(stored.affinity)) {
      const affinity = { ...stored.affinity };
      if (!('fanShare' in affinity)) affinity.fanShare = 0;
      if (!('creatorShare' in affinity)) affinity.creatorShare = 0;
      stored.affinity = affinity;
    }
    if (isPlainObject(stored.response) && !('awayWaitsForPeak' in stored.response))
      stored.response = { ...stored.response, awayWaitsForPeak: 0 };
    return parseWorldSpec(stored);
  }
  return parseWorldSpec(value);
}

/** The spec of the simulated world in this database, or null for a real platform's data. */
export async function readSimulatedWorld(pool: Pool): Promise<WorldSpec | null> {
  const value = await getSetting(pool, WORLD_SETTING);
  return value === undefined ? null : storedWorldSpec(value);
}
