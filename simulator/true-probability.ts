// The oracle: the simulator's true open probabilities for recorded notifications, the best any model could score.
import { creatorHandles } from '../db/creators.ts';
import { fanEmails } from '../db/fans.ts';
import type { Pool } from '../db/pool.ts';
import { CHANNELS, EVENT_KINDS } from '../domain/vocabulary.ts';
import { openProbability } from './response.ts';
import type { World } from './world.ts';

/** One recorded notification as the ground truth needs it. */
export interface TrueProbabilityInput {
  fanId: number;
  creatorId: number;
  /** Index into EVENT_KINDS / CHANNELS, as the feature columns code them. */
  kindCode: number;
  channelCode: number;
  localHour: number;
  sentLast24h: number;
}

/** Fan and creator ids to the world's indexes, by the natural keys the seed wrote (fanNNNNN@…, creatorNNN). */
export async function worldIndexes(
  pool: Pool,
  fanIds: number[],
  creatorIds: number[],
): Promise<{ fan: Map<number, number>; creator: Map<number, number> }> {
  const fan = new Map<number, number>();
  for (const [id, email] of await fanEmails(pool, fanIds)) {
    const m = /^fan(\d+)@fans\.example$/.exec(email);
    if (m) fan.set(id, Number(m[1]) - 1);
  }
  const creator = new Map<number, number>();
  for (const [id, handle] of await creatorHandles(pool, creatorIds)) {
    const m = /^creator(\d+)$/.exec(handle);
    if (m) creator.set(id, Number(m[1]) - 1);
  }
  return { fan, creator };
}

/** True P(open) for each input; throws if a fan or creator is not part of the world. */
export async function trueOpenProbabilities(
  pool: Pool,
  world: World,
  inputs: TrueProbabilityInput[],
): Promise<Float64Array> {
  const fanIds = [...new Set(inputs.map((i) => i.fanId))];
  const creatorIds = [...new Set(inputs.map((i) => i.creatorId))];
  const indexes = await worldIndexes(pool, fanIds, creatorIds);
  const out = new Float64Array(inputs.length);
  inputs.forEach((input, i) => {
    const fanIndex = indexes.fan.get(input.fanId);
    const creatorIndex = indexes.creator.get(input.creatorId);
    if (fanIndex === undefined || fanIndex >= world.fans.count)
      throw new RangeError(`fanId: ${input.fanId} is not a fan of the simulated world`);
    if (creatorIndex === undefined || creatorIndex >= world.creators.count)
      throw new RangeError(`creatorId: ${input.creatorId} is not a creator of the simulated world`);
    out[i] = openProbability(world, {
      fanIndex,
      creatorIndex,
      kind: EVENT_KINDS[input.kindCode],
      channel: CHANNELS[input.channelCode],
      localHour: input.localHour,
      sentLast24h: input.sentLast24h,
    });
  });
  return out;
}
