// Test fixture for the console: a trained active model on a small simulated world's history, one event decided.

import { decideAndRecord } from '../activities/policy-decisions.ts';
import { createPolicyLoader } from '../activities/policy-loader.ts';
import { audiencePage } from '../db/audience.ts';
import { largestCreator } from '../db/creators.ts';
import { insertEvent } from '../db/events.ts';
import { explainedFan } from '../db/fixtures.ts';
import { activeModelVersion } from '../db/models.ts';
import type { Pool } from '../db/pool.ts';
import type { EventKind } from '../domain/vocabulary.ts';
import { createRelevanceScorer } from '../models/scoring.ts';
import { trainActiveModel } from './model.ts';

export interface ConsoleWorld {
  modelVersion: number;
  eventId: number;
  /** A fan with a model-scored decision on the event, and their email. */
  fan: { id: number; email: string };
}

/**
 * About five seconds: 400 fans with 10 days of history, a model trained on it, and a post decided for its creator's
 * audience now.
 */
export async function seedConsoleWorld(pool: Pool): Promise<ConsoleWorld> {
  await trainActiveModel(pool);
  const modelVersion = (await activeModelVersion(pool))!;
  const creator = await largestCreator(pool);
  const eventId = await announceAndDecide(pool, {
    creatorId: creator!.creatorId,
    kind: 'post',
    title: 'Behind the scenes',
    url: 'https://creators.example/p/behind-the-scenes',
    idempotencyKey: 'console-fixture-1',
  });
  const fan = await explainedFan(pool, eventId);
  return { modelVersion, eventId, fan: fan! };
}

/** An event for every fan of its creator, no deadline. */
export interface AnnouncedEvent {
  creatorId: number;
  kind: EventKind;
  title: string;
  url: string;
  idempotencyKey: string;
}

/** Inserts the event and decides its whole audience now, with the active model and cap policy; its id. */
export async function announceAndDecide(pool: Pool, e: AnnouncedEvent): Promise<number> {
  const { event } = await insertEvent(pool, { ...e, audience: { rule: 'all' }, deadline: null });
  const deps = {
    pool,
    scorer: createRelevanceScorer({ pool, log: () => undefined }),
    policy: createPolicyLoader(pool).current,
  };
  const at = new Date();
  for (let after = 0; ; ) {
    const page = await audiencePage(pool, event.id, after, 500);
    if (page.length === 0) break;
    await decideAndRecord(deps, event.id, page, at);
    after = page[page.length - 1].fanId;
  }
  return event.id;
}
