// Test fixture: a real relevance model, trained by the production pipeline on a small world's history and promoted.

import { promoteModel } from '../db/models.ts';
import type { Pool } from '../db/pool.ts';
import { DAY_MS } from '../domain/time.ts';
import { trainRelevanceModel } from '../models/relevance-training.ts';
import { writeHistory } from '../simulator/history.ts';
import { simulatedWorldOracle } from '../simulator/oracle.ts';
import { seedWorld } from '../simulator/seed.ts';
import { parseWorldSpec } from '../simulator/spec.ts';
import { generateWorld } from '../simulator/world.ts';
import { storeSimulatedWorld } from '../simulator/world-setting.ts';

/**
 * Seeds 400 fans and 8 creators with 10 days of baseline history ending a day before `asOfMs`, trains on it (about
 * three seconds) and makes the model active. Its fans are fanNNNNN@fans.example and its creators creatorNNN, so a
 * test's own fixtures (other handles and emails) live beside them.
 */
export async function trainActiveModel(
  pool: Pool,
  asOfMs = Date.now() - DAY_MS,
  /** Training parameters over the fixture's, such as `num_iterations=183` for a model of production size. */
  extraParams: string[] = [],
): Promise<number> {
  const spec = parseWorldSpec({
    seed: 5,
    start: new Date(asOfMs - 10 * DAY_MS).toISOString(),
    fans: { count: 400 },
    creators: { count: 8 },
  });
  const world = generateWorld(spec);
  const ids = await seedWorld(pool, world);
  await storeSimulatedWorld(pool, spec);
  await writeHistory(pool, world, ids, { fromMs: world.startMs, toMs: asOfMs });
  const trained = await trainRelevanceModel(pool, {
    asOfMs,
    trainDays: 6,
    holdoutDays: 2,
    params: ['num_iterations=30', 'min_data_in_leaf=20', ...extraParams],
    oracle: simulatedWorldOracle(pool),
  });
  await promoteModel(pool, trained.version, 'test fixture');
  return trained.version;
}
