// The oracle: the simulator's true open probabilities for notifications recorded in the database, the best any model could score.
import type pg from 'pg';
import { openProbability } from './response.ts';
import { CHANNELS, EVENT_KINDS } from './spec.ts';
import type { World } from './world.ts';

type Queryable = Pick<pg.Pool, 'query'>;

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
export async function worldIndexes(db: Queryable, fanIds: number[], creatorIds: number[]): Promise<{ fan: Map<number, number>; creator: Map<number, number> }> {
  const fans = await db.query<{ id: number; email: string }>(`select id, email from fans where id = any($1::bigint[])`, [fanIds]);
  const creators = await db.query<{ id: number; handle: string }>(`select id, handle from creators where id = any($1::bigint[])`, [creatorIds]);
  const fan = new Map<number, number>();
  for (const r of fans.rows) {
    const m = /^fan(\d+)@fans\.example$/.exec(r.email);
    if (m) fan.set(Number(r.id), Number(m[1]) - 1);
  }
  const creator = new Map<number, number>();
  for (const r of creators.rows) {
    const m = /^creator(\d+)$/.exec(r.handle);
    if (m) creator.set(Number(r.id), Number(m[1]) - 1);
  }
  return { fan, creator };
}

/** True P(open) for each input; throws if a fan or creator is not part of the world. */
export async function trueOpenProbabilities(db: Queryable, world: World, inputs: TrueProbabilityInput[]): Promise<Float64Array> {
  const fanIds = [...new Set(inputs.map((i) => i.fanId))];
  const creatorIds = [...new Set(inputs.map((i) => i.creatorId))];
  const indexes = await worldIndexes(db, fanIds, creatorIds);
  const out = new Float64Array(inputs.length);
  inputs.forEach((input, i) => {
    const fanIndex = indexes.fan.get(input.fanId);
    const creatorIndex = indexes.creator.get(input.creatorId);
    if (fanIndex === undefined || fanIndex >= world.fans.count) throw new RangeError(`fanId: ${input.fanId} is not a fan of the simulated world`);
    if (creatorIndex === undefined || creatorIndex >= world.creators.count) throw new RangeError(`creatorId: ${input.creatorId} is not a creator of the simulated world`);
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
