// The relevance model on a small world: same features in training and serving, no leakage, the gate, swaps, workflow.

import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActivityDeps, createActivities } from '../activities/index.ts';
import { createTrainingActivities } from '../activities/training.ts';
import { ensureRetrainSchedule, RETRAIN_CRON } from '../app/training-schedule.ts';
import { workflowBundle } from '../app/worker.ts';
import { featureValues } from '../db/decisions.ts';
import { activeModelVersion, getModel, promoteModel, rollbackModel } from '../db/models.ts';
import { DAY_MS, HOUR_MS } from '../domain/time.ts';
import { loadSnapshots } from '../models/engagement-snapshots.ts';
import { type ExampleSet, extractExamples } from '../models/examples.ts';
import { FEATURE_NAMES, NUM_FEATURES } from '../models/features.ts';
import { candidateFeatureRows, createRelevanceScorer, gridFeatureRows } from '../models/scoring.ts';
import { writeHistory } from '../simulator/history.ts';
import { simulatedWorldOracle } from '../simulator/oracle.ts';
import { type SeedResult, seedWorld } from '../simulator/seed.ts';
import { parseWorldSpec } from '../simulator/spec.ts';
import { generateWorld } from '../simulator/world.ts';
import { storeSimulatedWorld } from '../simulator/world-setting.ts';
import { useTestSchema } from '../testing/db.ts';
import { useTemporalDevServer } from '../testing/temporal.ts';
import { RETRAIN_SCHEDULE_ID, trainingTaskQueue } from '../workflows/names.ts';
import type { RetrainModelResult } from '../workflows/retrain-model.ts';
import { retrainModel } from '../workflows/retrain-model.ts';

try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // Installed already by another test in this process.
}

const db = useTestSchema('relevance_model');
const temporal = useTemporalDevServer();

const HISTORY_DAYS = 14;
const AS_OF = Date.parse('2025-05-20T06:00:00Z');
const TRAINING = {
  asOf: new Date(AS_OF).toISOString(),
  trainDays: 9,
  holdoutDays: 3,
  params: ['num_iterations=80', 'min_data_in_leaf=40', 'learning_rate=0.1'],
};
let ids: SeedResult;

beforeAll(async () => {
  const spec = parseWorldSpec({
    seed: 5,
    start: new Date(AS_OF - HISTORY_DAYS * DAY_MS).toISOString(),
    fans: { count: 1500 },
    creators: { count: 20 },
  });
  const world = generateWorld(spec);
  ids = await seedWorld(db().pool, world);
  await storeSimulatedWorld(db().pool, spec);
  await writeHistory(db().pool, world, ids, { fromMs: world.startMs, toMs: AS_OF });
}, 120_000);

const col = (set: ExampleSet, row: number, name: (typeof FEATURE_NAMES)[number]) =>
  set.rows[row * NUM_FEATURES + FEATURE_NAMES.indexOf(name)];
const row = (set: ExampleSet, i: number) => Array.from(set.rows.subarray(i * NUM_FEATURES, (i + 1) * NUM_FEATURES));

describe('features', () => {
  it('are identical in training and serving for the same (fan, event, channel, time)', async () => {
    const fromMs = AS_OF - 4 * DAY_MS;
    const examples = await extractExamples(db().pool, { fromMs, toMs: AS_OF - DAY_MS, pageSize: 400 });
    expect(examples.numRows).toBeGreaterThan(1000);
    // Forty examples spread over the set, so the sample spans fans, channels, kinds and days.
    const step = Math.floor(examples.numRows / 40);
    const picks = Array.from({ length: 40 }, (_, k) => k * step + (k % 7));
    // Fans who chose a digest hour and fans who never did (null in preferences: the feature is missing) among them.
    const distances = picks.map((i) => col(examples, i, 'fan_digest_hour_distance'));
    expect(distances.some(Number.isNaN)).toBe(true);
    expect(distances.some((d) => !Number.isNaN(d))).toBe(true);
    const { rows: events } = await db().pool.query(
      `select d.id, d.fan_id, d.channel, d.decided_at, e.creator_id, e.kind, e.created_at
         from decisions d join creator_events e on e.id = d.event_id where d.id = any($1::bigint[])`,
      [picks.map((i) => examples.decisionIds[i])],
    );
    const byId = new Map(events.map((e) => [Number(e.id), e]));
    const snapshots = new Map<number, Awaited<ReturnType<typeof loadSnapshots>>>();
    for (const i of picks) {
      const e = byId.get(examples.decisionIds[i])!;
      const asOfMs = e.decided_at.getTime();
      const day = Math.floor(asOfMs / DAY_MS);
      if (!snapshots.has(day)) snapshots.set(day, await loadSnapshots(db().pool, asOfMs, asOfMs));
      const served = await candidateFeatureRows(
        db().pool,
        { creatorId: e.creator_id, kind: e.kind, createdAtMs: e.created_at.getTime() },
        [{ fanId: e.fan_id, channel: e.channel, sendAtMs: examples.sentAtMs[i] }],
        asOfMs,
        snapshots.get(day)!,
      );
      expect(Array.from(served), `decision ${e.id}`).toEqual(row(examples, i));
    }
  });

  it('are the same rows for a grid of (fan, channel) pairs and send times as for those candidates listed', async () => {
    const asOfMs = AS_OF;
    const snapshot = await loadSnapshots(db().pool, asOfMs, asOfMs);
    const event = { creatorId: ids.creatorIds[2], kind: 'post' as const, createdAtMs: asOfMs - HOUR_MS };
    const times = [asOfMs, asOfMs + HOUR_MS, asOfMs + 7 * HOUR_MS];
    // Fans on both channels, on one, and one fan listed apart from its other channel (written through the scratch).
    const pairs = [
      { fanId: ids.fanIds[0], channel: 'email' as const },
      { fanId: ids.fanIds[0], channel: 'push' as const },
      { fanId: ids.fanIds[1], channel: 'push' as const },
      { fanId: ids.fanIds[2], channel: 'email' as const },
      { fanId: ids.fanIds[3], channel: 'email' as const },
      { fanId: ids.fanIds[3], channel: 'push' as const },
      { fanId: ids.fanIds[2], channel: 'push' as const },
    ];
    const listed = pairs.flatMap((p) => times.map((sendAtMs) => ({ ...p, sendAtMs })));
    const grid = await gridFeatureRows(db().pool, event, { pairs, sendTimesMs: times }, asOfMs, snapshot);
    expect(grid).toEqual(await candidateFeatureRows(db().pool, event, listed, asOfMs, snapshot));
    expect(grid).toHaveLength(pairs.length * times.length * NUM_FEATURES);
  });

  it('leak nothing: an engagement after the decision time never reaches that row', async () => {
    const window = { fromMs: AS_OF - 3 * DAY_MS, toMs: AS_OF - DAY_MS };
    const before = await extractExamples(db().pool, window);
    // An unopened notification with a later one to the same fan: open the first after the second was decided.
    let target = -1;
    for (let i = 1; i < before.numRows && target < 0; i++) {
      if (
        before.fanIds[i] === before.fanIds[i - 1] &&
        before.labels[i - 1] === 0 &&
        before.sentAtMs[i] - before.sentAtMs[i - 1] > HOUR_MS
      )
        target = i;
    }
    expect(target).toBeGreaterThan(0);
    const earlier = before.decisionIds[target - 1];
    const lateOpenMs = before.sentAtMs[target] + 60_000;
    await db().pool.query(
      `insert into engagement_events (decision_id, fan_id, event_id, channel, kind, occurred_at)
       select d.id, d.fan_id, d.event_id, d.channel, k, $2::timestamptz
         from decisions d, unnest(array['open', 'click']) as k where d.id = $1::bigint`,
      [earlier, new Date(lateOpenMs)],
    );
    const after = await extractExamples(db().pool, window);
    expect(after.numRows).toBe(before.numRows);
    // The earlier row's label sees the open (within 24 h of its send); no row decided before the open sees it.
    expect(after.labels[target - 1]).toBe(lateOpenMs < before.sentAtMs[target - 1] + DAY_MS ? 1 : 0);
    for (let i = 0; i < after.numRows; i++) {
      if (after.fanIds[i] === before.fanIds[target] && after.sentAtMs[i] <= lateOpenMs)
        expect(row(after, i), `row ${i}`).toEqual(row(before, i));
    }
    expect(row(after, target)).toEqual(row(before, target));
    // A row decided after the open does see it: one more open of a send inside its window.
    const later = Array.from({ length: after.numRows }, (_, i) => i).find(
      (i) => after.fanIds[i] === before.fanIds[target] && after.sentAtMs[i] > lateOpenMs,
    );
    if (later !== undefined)
      expect(col(after, later, 'fan_engagement_index')).toBeGreaterThan(col(before, later, 'fan_engagement_index'));
  });
});

describe('training and promotion', () => {
  const training = () => createTrainingActivities({ pool: db().pool, oracle: simulatedWorldOracle(db().pool) });

  it('says so when no model is active, and decides with the named baseline', async () => {
    const lines: string[] = [];
    const scorer = createRelevanceScorer({ pool: db().pool, log: (l) => lines.push(l) });
    const event = { creatorId: ids.creatorIds[0], kind: 'post' as const, createdAtMs: AS_OF };
    const first = await scorer.scoreCandidates(
      event,
      [{ fanId: ids.fanIds[0], channel: 'email', sendAtMs: AS_OF }],
      AS_OF,
    );
    await scorer.scoreCandidates(event, [{ fanId: ids.fanIds[0], channel: 'email', sendAtMs: AS_OF }], AS_OF);
    expect(first).toMatchObject({ modelVersion: null, unscoredReason: 'no active model', scores: null });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('no active model');
  });

  it('promotes a model beating the base rate, oracle stored beside it; rejects one on shuffled labels', async () => {
    const first = await training().trainCandidate(TRAINING);
    expect(first.oracle).not.toBeNull();
    expect(first.auc).toBeGreaterThan(0.6);
    expect(first.oracle!.auc).toBeGreaterThan(first.auc - 0.2);
    expect(await training().gateCandidate({ version: first.version })).toMatchObject({ status: 'active' });
    expect(await activeModelVersion(db().pool)).toBe(first.version);

    const shuffled = await training().trainCandidate({ ...TRAINING, shuffleLabels: true });
    expect(shuffled.activeVersion).toBe(first.version);
    const gate = await training().gateCandidate({ version: shuffled.version });
    expect(gate.status).toBe('rejected');
    expect(gate.reason).toMatch(/does not beat active model|no better than predicting the base rate/);
    const stored = await getModel(db().pool, shuffled.version);
    expect(stored).toMatchObject({ status: 'rejected', reason: gate.reason });
    expect(stored!.oracleMetrics).toMatchObject({ rows: first.rows.holdout });
    expect(await activeModelVersion(db().pool)).toBe(first.version);

    // The active model keeps serving: decisions carry its version, score and the feature row their explanation is
    // computed from when asked, which is exactly what explaining them while deciding gave.
    const { rows: ev } = await db().pool.query(
      `insert into creator_events (creator_id, kind, title, url, audience, idempotency_key, created_at)
       values ($1::bigint, 'live', 'Live now', 'https://fans.example/live', 'all', 'gate-test', $2::timestamptz)
       returning id`,
      [ids.creatorIds[0], new Date(AS_OF)],
    );
    // decideBatch reads the audience, scores and records; it touches no sender or Temporal client.
    const activities = createActivities({
      pool: db().pool,
      scorer: createRelevanceScorer({ pool: db().pool }),
      now: () => new Date(AS_OF),
    } as unknown as ActivityDeps);
    const decided = await activities.decideBatch({ eventId: ev[0].id, afterFanId: 0, limit: 500 });
    expect(decided.decisions).toBeGreaterThan(0);
    const { rows } = await db().pool.query(
      `select fan_id, channel, send_at, model_version, score, features, contributions, reason_detail
         from decisions where event_id = $1::bigint order by id`,
      [ev[0].id],
    );
    const scorer = createRelevanceScorer({ pool: db().pool, log: () => undefined });
    const event = { creatorId: ids.creatorIds[0], kind: 'live' as const, createdAtMs: AS_OF };
    for (const r of rows) {
      expect(r.model_version).toBe(first.version);
      expect(r.score).toBeGreaterThan(0);
      expect(r.score).toBeLessThan(1);
      expect(r.contributions).toBeNull();
      expect(featureValues(r.features)).toHaveLength(NUM_FEATURES);
    }
    for (const r of rows.slice(0, 40)) {
      // A live event is scored now alone: the decision's row is the row of (fan, channel, now), scored again here.
      const again = await scorer.scoreCandidates(
        event,
        [{ fanId: r.fan_id, channel: r.channel, sendAtMs: AS_OF }],
        AS_OF,
      );
      const features = featureValues(r.features);
      expect(features).toEqual(again.featureRow(0));
      expect(again.scores![0]).toBe(r.score);
      const explained = await scorer.explainStored(r.model_version, features);
      expect(explained).toHaveLength(5);
      expect(FEATURE_NAMES).toContain(explained![0].feature);
      expect(explained).toEqual(again.explain(0, 5));
    }
    // Two trainings through the worker: 15 s on a quiet machine, past a minute with the suite's other files around it.
  }, 180_000);

  it('swaps the served model on promotion and rollback without a restart', async () => {
    const scorer = createRelevanceScorer({ pool: db().pool, log: () => undefined });
    const event = { creatorId: ids.creatorIds[1], kind: 'post' as const, createdAtMs: AS_OF - HOUR_MS };
    const candidates = [
      { fanId: ids.fanIds[3], channel: 'email' as const, sendAtMs: AS_OF },
      { fanId: ids.fanIds[3], channel: 'email' as const, sendAtMs: AS_OF + 6 * HOUR_MS },
    ];
    const active = (await activeModelVersion(db().pool))!;
    expect((await scorer.scoreCandidates(event, candidates, AS_OF)).modelVersion).toBe(active);
    const next = await training().trainCandidate({ ...TRAINING, params: [...TRAINING.params, 'num_leaves=7'] });
    await promoteModel(db().pool, next.version, 'by hand in a test');
    const swapped = await scorer.scoreCandidates(event, candidates, AS_OF);
    expect(swapped.modelVersion).toBe(next.version);
    expect(swapped.scores).toHaveLength(2);
    expect(await rollbackModel(db().pool, 'test')).toEqual({ from: next.version, to: active });
    expect((await scorer.scoreCandidates(event, candidates, AS_OF)).modelVersion).toBe(active);
  });
});

describe('retrainModel on Temporal', () => {
  let client: Client;
  beforeAll(async () => {
    client = new Client({ connection: await Connection.connect({ address: temporal().address }) });
  });
  afterAll(async () => {
    await client?.connection.close();
  });

  it('trains on its own queue, gates, records a candidate; the nightly schedule: made once, then updated', async () => {
    const connection = await NativeConnection.connect({ address: temporal().address });
    const activities = createTrainingActivities({ pool: db().pool, oracle: simulatedWorldOracle(db().pool) });
    const main = await Worker.create({
      connection,
      taskQueue: 'relevance-test',
      workflowBundle: await workflowBundle(),
      activities: { gateCandidate: activities.gateCandidate },
    });
    const trainer = await Worker.create({
      connection,
      taskQueue: trainingTaskQueue('relevance-test'),
      activities: { trainCandidate: activities.trainCandidate },
      maxConcurrentActivityTaskExecutions: 1,
    });
    await main.runUntil(async () => {
      const handle = await client.workflow.start(retrainModel, {
        taskQueue: 'relevance-test',
        workflowId: 'retrain-test',
        args: [TRAINING],
      });
      // With only the workflow queue served, training waits on the training queue: nothing polls there yet.
      let pending: string[] = [];
      for (let i = 0; i < 100 && pending.length === 0; i++) {
        pending = ((await handle.describe()).raw.pendingActivities ?? []).map((a) => a.activityType?.name ?? '');
        if (pending.length === 0) await new Promise((r) => setTimeout(r, 100));
      }
      expect(pending).toEqual(['trainCandidate']);
      await new Promise((r) => setTimeout(r, 1000));
      expect((await handle.describe()).status.name).toBe('RUNNING');
      await trainer.runUntil(async () => {
        const result = (await handle.result()) as RetrainModelResult;
        expect(result.gate.version).toBe(result.candidate.version);
        expect(['active', 'rejected']).toContain(result.gate.status);
        expect((await getModel(db().pool, result.candidate.version))!.status).toBe(result.gate.status);
        // Bad input is permanent: the workflow fails at once instead of retrying.
        await expect(
          client.workflow.execute(retrainModel, {
            taskQueue: 'relevance-test',
            workflowId: 'retrain-bad',
            args: [{ trainDays: 1 }],
          }),
        ).rejects.toThrow();
      });
    });
    await connection.close();

    expect(await ensureRetrainSchedule(client)).toBe('created');
    expect(await ensureRetrainSchedule(client)).toBe('updated');
    const schedule = await client.schedule.getHandle(RETRAIN_SCHEDULE_ID).describe();
    expect(schedule.action).toMatchObject({ type: 'startWorkflow', workflowType: 'retrainModel' });
    expect(JSON.stringify(schedule.spec)).toContain('3');
    expect(RETRAIN_CRON).toBe('0 3 * * *');
  });
});
