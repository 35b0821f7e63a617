// The oracle as training takes it: the simulated world's true P(open) for each holdout row of a simulated database.
import type { Pool } from '../db/pool.ts';
import type { ExampleSet } from '../models/examples.ts';
import { FEATURE_NAMES, type FeatureName, NUM_FEATURES } from '../models/features.ts';
import type { HoldoutOracle } from '../models/relevance-training.ts';
import { trueOpenProbabilities } from './true-probability.ts';
import { generateWorld } from './world.ts';
import { readSimulatedWorld } from './world-setting.ts';

/**
 * Reads the world the database was seeded with at each call, so a later seed of another world is scored as that one.
 */
export function simulatedWorldOracle(pool: Pool): HoldoutOracle {
  return async (holdout: ExampleSet) => {
    const spec = await readSimulatedWorld(pool);
    if (!spec) return null;
    const world = generateWorld(spec);
    const col = (name: FeatureName, i: number) => holdout.rows[i * NUM_FEATURES + FEATURE_NAMES.indexOf(name)];
    const inputs = Array.from({ length: holdout.numRows }, (_, i) => ({
      fanId: holdout.fanIds[i],
      creatorId: holdout.creatorIds[i],
      kindCode: col('kind', i),
      channelCode: col('channel', i),
      localHour: col('local_hour', i),
      sentLast24h: col('fan_sent_24h', i),
    }));
    return trueOpenProbabilities(pool, world, inputs);
  };
}
