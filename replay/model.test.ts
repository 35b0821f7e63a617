// The replay under a trained model: model scores (not the oracle's), features from the run's own log, no rule broken.
import { describe, expect, it } from 'vitest';
import { FEATURE_NAMES, fanFeatureRows, NUM_FEATURES } from '../models/features.ts';
import { DEFAULT_CAP_POLICY } from '../policy/cap-policy.ts';
import { scheduleEvents } from '../simulator/events.ts';
import { parseWorldSpec } from '../simulator/spec.ts';
import { generateWorld } from '../simulator/world.ts';
import { baselineHistory, evaluateHeldOut, FeatureLog, modelScorer, trainReplayModel } from './model.ts';
import { formatEvaluation, oracleScorer, replay, runPolicy, type ScoreBatch } from './replay.ts';

const DAY = 86_400_000;

describe('replay with a trained model', () => {
  const world = generateWorld(parseWorldSpec({ seed: 5, fans: { count: 400 }, creators: { count: 12 } }));
  const replayFromMs = world.startMs + 6 * DAY;
  const trained = trainReplayModel(world, world.startMs, replayFromMs, { params: ['num_iterations=40'] });

  it('decides with the model scores, not the oracle scores, and breaks no quiet hour, deadline, cap or gap', () => {
    const predicted = new Set<number>();
    const model = {
      ...trained.model,
      predict: (rows: Float64Array) => {
        const p = trained.model.predict(rows);
        p.forEach((x) => {
          predicted.add(x);
        });
        return p;
      },
    };
    const events = scheduleEvents(world, { fromMs: replayFromMs, toMs: replayFromMs + 3 * DAY });
    const scorer = modelScorer(model, 'trained', trained.log);
    const outcome = runPolicy(world, events, 'policy', DEFAULT_CAP_POLICY, scorer, replayFromMs + 3 * DAY, {
      keepEntries: true,
    });
    expect(outcome.violations).toEqual([]);
    expect(outcome.scorer).toBe('trained');
    const scored = outcome.entries!.filter((e) => e.decision.score !== null);
    expect(scored.length).toBeGreaterThan(100);
    for (const e of scored) expect(predicted.has(e.decision.score!)).toBe(true);
    // The oracle's P(open) for the same candidates and times is a different number.
    const oracle = oracleScorer(world).startRun();
    const differs = scored.filter((e) => {
      const b: ScoreBatch = {
        size: 1,
        fans: Int32Array.of(e.candidate.fanId),
        channels: [e.candidate.channel],
        sendAtMs: Float64Array.of((e.decision.sendAt ?? e.decidedAt).getTime()),
        sentLast24h: Int32Array.of(0),
      };
      return (
        Math.abs(
          oracle.scoreEvent(
            { creatorIndex: e.candidate.creatorId, kind: e.candidate.kind, atMs: e.decidedAt.getTime() },
            b,
          )[0] - e.decision.score!,
        ) > 1e-6
      );
    });
    expect(differs.length / scored.length).toBeGreaterThan(0.9);
  });

  it('learns something real: validation AUC well above chance, below the oracle', () => {
    const v = trained.validation!;
    expect(v.model.auc).toBeGreaterThan(0.6);
    expect(v.model.auc).toBeLessThanOrEqual(v.oracle.auc + 0.02);
  });

  it('measures the model against the oracle on days after its training window, none of them seen in training', () => {
    const heldOutToMs = replayFromMs + 2 * DAY;
    const e = evaluateHeldOut(world, trained.model, trained.window, heldOutToMs)!;
    expect(e.fromMs).toBe(replayFromMs);
    expect(e.days).toBe(2);
    // Exactly the baseline's sends of the held-out days: the same play the history came from, continued.
    let sends = 0;
    baselineHistory(world, world.startMs, heldOutToMs, (_fan, send) => {
      if (send.sentAtMs >= replayFromMs) sends++;
    });
    expect(e.model.rows).toBe(sends);
    expect(e.oracle.rows).toBe(sends);
    expect(e.model.positives).toBe(e.oracle.positives);
    expect(e.model.auc).toBeGreaterThan(0.6);
    expect(e.model.auc).toBeLessThan(e.oracle.auc + 0.02);
    expect(e.oracle.logloss).toBeLessThan(e.model.logloss + 0.02);
    const table = formatEvaluation(e).join('\n');
    expect(table).toContain(`| model | ${e.model.auc.toFixed(4)} | ${e.model.logloss.toFixed(4)} |`);
    expect(table).toContain('2 held-out days');
    // At most maxRows rows, every k-th send.
    expect(evaluateHeldOut(world, trained.model, trained.window, heldOutToMs, 1000)!.model.rows).toBeLessThanOrEqual(
      1000,
    );
  });

  it('lets a row see only sends and opens before its decision time, from the run it belongs to', () => {
    const log = FeatureLog.empty(world);
    const t = replayFromMs;
    log.recordSend(0, world.memberships.creator[0], 'email', t - DAY, t + DAY);
    const fork = log.fork();
    fork.recordSend(0, world.memberships.creator[0], 'email', t - 2 * 3_600_000, null);
    const q = {
      asOfMs: t,
      sendAtMs: t,
      creatorId: world.memberships.creator[0],
      kind: 'post' as const,
      channel: 'email' as const,
      eventCreatedAtMs: t,
    };
    const a = new Float64Array(NUM_FEATURES);
    const b = new Float64Array(NUM_FEATURES);
    log.rows(0, [q], a, 0);
    fork.rows(0, [q], b, 0);
    // Same pure function over the same history gives the same row.
    const c = new Float64Array(NUM_FEATURES);
    fanFeatureRows(log.history(0), [q], log.snapshotAt(t), c);
    expect([...a]).toEqual([...c]);
    const sends = FEATURE_NAMES.indexOf('fan_sends_window');
    expect(a[sends]).toBe(1);
    expect(b[sends]).toBe(2);
    // The open at t + 1 day is not seen at t.
    expect(a[FEATURE_NAMES.indexOf('fan_days_since_open')]).toBeNaN();
  });

  it('puts the oracle run beside the model as a reference row', () => {
    const report = replay(world, DEFAULT_CAP_POLICY, 2, modelScorer(trained.model, 'trained', trained.log), {
      fromMs: replayFromMs,
      reference: oracleScorer(world),
    });
    expect(report.outcomes.map((o) => o.scorer)).toEqual([
      'none',
      'trained',
      'trained',
      'oracle (simulator ground truth)',
    ]);
    expect(report.outcomes.every((o) => o.violations.length === 0)).toBe(true);
  });
});
