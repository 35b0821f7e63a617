// What `fanfare dev` adds so the console opens with data: two weeks of history, an active model, a few events.
import type { Client } from '@temporalio/client';
import { quietestCreator } from '../db/creators.ts';
import { anyDecision } from '../db/decisions.ts';
import { insertEvent } from '../db/events.ts';
import { activeModelVersion, promoteModel } from '../db/models.ts';
import type { Pool } from '../db/pool.ts';
import { DAY_MS } from '../domain/time.ts';
import { startAnnounce } from '../http/creator-routes.ts';
import { trainRelevanceModel } from '../models/relevance-training.ts';
import { writeHistory } from '../simulator/history.ts';
import { simulatedWorldOracle } from '../simulator/oracle.ts';
import type { SeedResult } from '../simulator/seed.ts';
import { parseWorldSpec, startEndingNow, type WorldSpec } from '../simulator/spec.ts';
import type { World } from '../simulator/world.ts';
import { readSimulatedWorld } from '../simulator/world-setting.ts';

export const DEMO_HISTORY_DAYS = 14;
/**
 * The history stops a day before now: it was sent under the baseline policy, which fills every fan's daily caps,
 * so a history running up to now would leave the first announcements of the session nothing to send.
 */
const QUIET_DAYS = 1;

/**
 * The world already in the database (its history was written from its start), else a new one whose history ends
 * a day ago.
 */
export async function demoWorldSpec(
  pool: Pool,
  o: { seed: number; fans: number; creators: number },
): Promise<WorldSpec> {
  const stored = await readSimulatedWorld(pool);
  if (stored && (await anyDecision(pool))) return stored;
  return parseWorldSpec({
    seed: o.seed,
    fans: { count: o.fans },
    creators: { count: o.creators },
    start: startEndingNow(DEMO_HISTORY_DAYS + QUIET_DAYS),
  });
}

/** Writes the baseline history once: a database that has decisions keeps them. */
export async function ensureDemoHistory(
  pool: Pool,
  world: World,
  ids: SeedResult,
  log: (line: string) => void,
): Promise<void> {
  if (await anyDecision(pool)) return;
  const toMs = world.startMs + DEMO_HISTORY_DAYS * DAY_MS;
  const r = await writeHistory(pool, world, ids, { fromMs: world.startMs, toMs });
  log(`history: ${DEMO_HISTORY_DAYS} days, ${r.events} events, ${r.sends} sends, ${r.opens} opens`);
}

/**
 * Trains and promotes a model in this process when none is active (`fanfare train` does the same through the workflow).
 */
export async function ensureDemoModel(pool: Pool, log: (line: string) => void): Promise<void> {
  if ((await activeModelVersion(pool)) !== null) return;
  const started = Date.now();
  const trained = await trainRelevanceModel(pool, {
    asOfMs: Date.now() - QUIET_DAYS * DAY_MS,
    trainDays: 10,
    holdoutDays: 2,
    params: ['num_iterations=80'],
    oracle: simulatedWorldOracle(pool),
  });
  await promoteModel(pool, trained.version, 'fanfare dev: first model of the demo world');
  log(
    `model: version ${trained.version} trained and active in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
      `(holdout AUC ${trained.metrics.auc.toFixed(3)})`,
  );
}

/** Announces one event for each of the first creators, once per database (fixed idempotency keys). */
export async function announceDemoEvents(
  pool: Pool,
  temporal: Client,
  creatorIds: number[],
  log: (line: string) => void,
): Promise<void> {
  const kinds = ['post', 'announcement', 'post'] as const;
  for (const [i, creatorId] of creatorIds.slice(0, kinds.length).entries()) {
    const { event, created } = await insertEvent(pool, {
      creatorId,
      kind: kinds[i],
      title: ['A new track preview', 'Tour dates announced', 'Studio diary, week 3'][i],
      url: `https://creators.example/dev/${creatorId}/${i}`,
      audience: { rule: 'all' },
      idempotencyKey: `fanfare-dev-demo-${i}`,
      deadline: null,
    });
    if (!created) continue;
    await startAnnounce(temporal, event.id);
    log(`announced event ${event.id} (${event.kind}) to creator ${creatorId}'s audience`);
  }
}

/**
 * The creator for the printed example: the largest audience that heard no alert from its creator in the last day,
 * so the per-creator caps leave the example's mail and pushes free to go out at once.
 */
export async function quietCreator(pool: Pool, creatorIds: number[]): Promise<number> {
  return (await quietestCreator(pool, creatorIds)) ?? creatorIds[creatorIds.length - 1];
}
