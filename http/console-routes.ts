// The console's read API under /api/admin/: overview, fan inspector, model registry, creator view; behind admin login.

import { z } from 'zod';
import { eventReport, listRecentEvents } from '../db/console-events.ts';
import { decisionForCurve, fanCandidates, fanProfile, searchFans } from '../db/console-fans.ts';
import { alertsPerFanDay, bindingRules, creatorVolumes, segmentVolumes } from '../db/console-fatigue.ts';
import { overviewHeadline, overviewSeries, reasonCounts } from '../db/console-overview.ts';
import { getEvent } from '../db/events.ts';
import {
  getModel,
  listModels,
  ModelRegistryError,
  type ModelSummary,
  modelText,
  promoteModel,
  rollbackModel,
  rollbackTarget,
} from '../db/models.ts';
import type { Pool } from '../db/pool.ts';
import { type Action, actionsOf, auditActor } from '../domain/principal.ts';
import { HOUR_MS } from '../domain/time.ts';
import { featureValueText } from '../models/feature-text.ts';
import { FEATURE_IMPORTANCES } from '../models/gbdt/model-text-keys.ts';
import { createRelevanceScorer, type RelevanceScorer } from '../models/scoring.ts';
import type { ErrorAnswer } from '../wire/errors.ts';
import type { EventListAnswer, EventReport } from '../wire/events.ts';
import type { DecisionCurve, FanAnswer, FanSearchAnswer } from '../wire/fans.ts';
import { FATIGUE_SEGMENTS, type FatigueAnswer } from '../wire/fatigue.ts';
import type {
  FeatureSplits,
  ModelDetail,
  ModelListAnswer,
  ModelRow,
  PromoteAnswer,
  RollbackAnswer,
} from '../wire/models.ts';
import type { OverviewAnswer } from '../wire/overview.ts';
import type { SessionAnswer } from '../wire/session.ts';
import type { TeamGate } from './admin-auth.ts';
import { type Answer, send } from './answer.ts';
import type { HttpApp } from './app.ts';
import { principalOf, teamOnly } from './auth-hooks.ts';
import { idParams, intQuery } from './params.ts';
import { futureDayError, periodQuery, resolvePeriod } from './period.ts';

export interface ConsoleRouteDeps {
  pool: Pool;
  gate: TeamGate;
  now: () => Date;
  /** Scores a decision's hour-by-hour curve with the active model; one is made over the pool when absent. */
  scorer?: RelevanceScorer;
}

/** How far past its decision a candidate's engagement curve is drawn, unless its deadline comes first. */
export const CURVE_HOURS = 48;

const refuse = (status: number, field: string, rule: string): Answer => ({
  status,
  body: { errors: [{ field, rule }] } satisfies ErrorAnswer,
});
const bad = (field: string, rule: string): Answer => refuse(400, field, rule);

/** The feature_importances section of a LightGBM model text: split counts, most important first. */
export function featureImportance(text: string): FeatureSplits[] {
  const start = text.indexOf(`\n${FEATURE_IMPORTANCES}\n`);
  if (start < 0) return [];
  const out: FeatureSplits[] = [];
  for (const line of text.slice(start + FEATURE_IMPORTANCES.length + 2).split('\n')) {
    const m = /^(.+)=(\d+(?:\.\d+)?)$/.exec(line);
    if (!m) break;
    out.push({ feature: m[1], splits: Number(m[2]) });
  }
  return out;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Training's notes in the metrics, when they have the shape the current trainer writes. */
export function trainingNotes(metrics: Record<string, unknown>): Pick<ModelRow, 'window' | 'rows'> {
  const w = metrics.window;
  const r = metrics.rows;
  const window =
    isRecord(w) &&
    typeof w.trainFrom === 'string' &&
    typeof w.holdoutFrom === 'string' &&
    typeof w.holdoutTo === 'string'
      ? { trainFrom: w.trainFrom, holdoutFrom: w.holdoutFrom, holdoutTo: w.holdoutTo }
      : null;
  const rows =
    isRecord(r) && typeof r.train === 'number' && typeof r.validation === 'number' && typeof r.holdout === 'number'
      ? { train: r.train, validation: r.validation, holdout: r.holdout }
      : null;
  return { window, rows };
}

function modelJson(m: ModelSummary): ModelRow {
  return {
    version: m.version,
    status: m.status,
    reason: m.reason,
    createdAt: m.createdAt.toISOString(),
    promotedAt: m.promotedAt?.toISOString() ?? null,
    trainFrom: m.trainFrom?.toISOString() ?? null,
    trainTo: m.trainTo?.toISOString() ?? null,
    metrics: m.metrics,
    ...trainingNotes(m.metrics),
    oracleMetrics: m.oracleMetrics,
  };
}

export function registerConsoleRoutes(app: HttpApp, deps: ConsoleRouteDeps): void {
  /** A route that a principal whose role may take `action` may call (console.read unless said otherwise). */
  const admin = <S extends object>(schema: S, action: Action = 'console.read') => ({
    onRequest: teamOnly(deps.gate, action),
    schema: { hide: true, ...schema },
  });
  const scorer = deps.scorer ?? createRelevanceScorer({ pool: deps.pool });

  app.get('/api/admin/session', admin({}), async (req, reply) => {
    const principal = principalOf(req);
    const name = principal.kind === 'member' ? principal.username : principal.name;
    const body: SessionAnswer = {
      kind: principal.kind,
      name,
      role: principal.role,
      actor: auditActor(principal),
      actions: actionsOf(principal.role),
    };
    return send(reply, { status: 200, body });
  });

  app.get('/api/admin/overview', admin({ querystring: periodQuery }), async (req, reply) => {
    const { period, previous } = resolvePeriod(req.query, deps.now());
    const future = futureDayError(period, deps.now());
    if (future) return send(reply, bad(future.field, future.rule));
    const [start, end, prevStart] = [new Date(period.start), new Date(period.end), new Date(previous.start)];
    const [series, reasons, current, before] = await Promise.all([
      overviewSeries(deps.pool, start, end, period.timeZone),
      reasonCounts(deps.pool, start, end),
      overviewHeadline(deps.pool, start, end, period.days.length),
      overviewHeadline(deps.pool, prevStart, start, previous.days.length),
    ]);
    const body: OverviewAnswer = { period, previous, headline: { current, previous: before }, series, reasons };
    return send(reply, { status: 200, body });
  });

  const SEGMENT_RULE = `must be one of ${FATIGUE_SEGMENTS.join(', ')}`;
  const fatigueQuery = periodQuery.and(
    z.object({
      segment: z
        .enum(FATIGUE_SEGMENTS, { error: SEGMENT_RULE })
        .optional()
        .transform((s) => s ?? 'membership'),
    }),
  );
  app.get('/api/admin/fatigue', admin({ querystring: fatigueQuery }), async (req, reply) => {
    const { period } = resolvePeriod(req.query, deps.now());
    const future = futureDayError(period, deps.now());
    if (future) return send(reply, bad(future.field, future.rule));
    const [start, end] = [new Date(period.start), new Date(period.end)];
    const histogramDays = period.days.filter((d) => d !== period.partialDay);
    const [binding, histogram, creators, segments] = await Promise.all([
      bindingRules(deps.pool, start, end),
      histogramDays.length === 0
        ? Promise.resolve([])
        : alertsPerFanDay(deps.pool, histogramDays[0], histogramDays[histogramDays.length - 1]),
      creatorVolumes(deps.pool, start, end),
      segmentVolumes(deps.pool, start, end, req.query.segment),
    ]);
    const body: FatigueAnswer = {
      period,
      decisions: binding.decisions,
      bindingRules: binding.rules,
      histogramDays,
      alertsPerFanDay: histogram,
      creators,
      segmentBy: req.query.segment,
      segments,
    };
    return send(reply, { status: 200, body });
  });

  const FAN_QUERY = 'must be a fan id or part of an email, 1 to 200 characters';
  app.get(
    '/api/admin/fans',
    admin({
      querystring: z.object({ q: z.string({ error: FAN_QUERY }).trim().min(1, FAN_QUERY).max(200, FAN_QUERY) }),
    }),
    async (req, reply) => {
      const body: FanSearchAnswer = { fans: await searchFans(deps.pool, req.query.q) };
      return send(reply, { status: 200, body });
    },
  );

  app.get(
    '/api/admin/fans/:id',
    admin({ params: idParams('id'), querystring: z.object({ limit: intQuery(1, 1000, 100) }) }),
    async (req, reply) => {
      const id = req.params.id;
      const fan = await fanProfile(deps.pool, id);
      if (!fan) return send(reply, refuse(404, 'id', `must name an existing fan; there is no fan ${id}`));
      const stored = await fanCandidates(deps.pool, id, req.query.limit);
      const candidates = await Promise.all(
        stored.map(async ({ features, ...c }) => {
          // Stored when decided, or computed now from the decision's feature row and model: the same numbers.
          const contributions =
            c.contributions ??
            (features && c.modelVersion !== null ? await scorer.explainStored(c.modelVersion, features) : null);
          return {
            ...c,
            contributions:
              contributions?.map((x) => ({ ...x, valueText: featureValueText(x.feature, x.value) })) ?? null,
          };
        }),
      );
      const body: FanAnswer = { fan, candidates };
      return send(reply, { status: 200, body });
    },
  );

  // The predicted P(open) of this fan on this channel for each whole hour from the decision on,
  // as of the decision time.
  app.get('/api/admin/decisions/:id/curve', admin({ params: idParams('id') }), async (req, reply) => {
    const id = req.params.id;
    const d = await decisionForCurve(deps.pool, id);
    if (!d) return send(reply, refuse(404, 'id', `must name an existing decision; there is no decision ${id}`));
    const startMs = d.decidedAt.getTime();
    const endMs = Math.min(startMs + CURVE_HOURS * HOUR_MS, d.event.deadline?.getTime() ?? Infinity);
    const times = [startMs];
    for (let t = Math.floor(startMs / HOUR_MS) * HOUR_MS + HOUR_MS; t <= endMs; t += HOUR_MS) times.push(t);
    const scored = await scorer.scoreCandidates(
      { creatorId: d.event.creatorId, kind: d.event.kind, createdAtMs: d.event.createdAt.getTime() },
      times.map((t) => ({ fanId: d.fanId, channel: d.channel, sendAtMs: t })),
      startMs,
    );
    const scores = scored.scores;
    const body: DecisionCurve = {
      decisionId: id,
      channel: d.channel,
      action: d.action,
      sendAt: d.sendAt?.toISOString() ?? null,
      score: d.score,
      timeZone: d.timeZone,
      decidedAt: d.decidedAt.toISOString(),
      curveModelVersion: scored.modelVersion,
      decisionModelVersion: d.modelVersion,
      unscoredReason: scored.unscoredReason,
      baseLogOdds: scored.baseLogOdds,
      points: scores === null ? [] : times.map((t, i) => ({ at: new Date(t).toISOString(), score: scores[i] })),
    };
    return send(reply, { status: 200, body });
  });

  app.get('/api/admin/models', admin({}), async (_req, reply) => {
    const body: ModelListAnswer = {
      models: (await listModels(deps.pool, 100)).map(modelJson),
      rollbackTo: await rollbackTarget(deps.pool),
    };
    return send(reply, { status: 200, body });
  });

  app.get('/api/admin/models/:version', admin({ params: idParams('version') }), async (req, reply) => {
    const version = req.params.version;
    const model = await getModel(deps.pool, version);
    if (!model) return send(reply, refuse(404, 'version', `must name an existing model; there is no model ${version}`));
    const text = await modelText(deps.pool, version);
    const body: ModelDetail = { ...modelJson(model), featureImportance: text ? featureImportance(text) : [] };
    return send(reply, { status: 200, body });
  });

  const promote = admin({ params: idParams('version') }, 'model.promote');
  app.post('/api/admin/models/:version/promote', promote, async (req, reply) => {
    const version = req.params.version;
    try {
      const actor = auditActor(principalOf(req));
      await promoteModel(deps.pool, version, `promoted by hand (${actor})`, { actor });
    } catch (err) {
      if (err instanceof ModelRegistryError) return send(reply, bad('version', err.message.replace(/^version: /, '')));
      throw err;
    }
    return send(reply, { status: 200, body: { active: version } satisfies PromoteAnswer });
  });

  app.post('/api/admin/models/rollback', admin({}, 'model.promote'), async (req, reply) => {
    try {
      const actor = auditActor(principalOf(req));
      const { from, to } = await rollbackModel(deps.pool, `rolled back by hand (${actor})`, actor);
      return send(reply, { status: 200, body: { retired: from, active: to } satisfies RollbackAnswer });
    } catch (err) {
      if (err instanceof ModelRegistryError)
        return send(reply, refuse(409, 'active model', err.message.replace(/^rollback: /, '')));
      throw err;
    }
  });

  app.get(
    '/api/admin/events',
    admin({ querystring: z.object({ limit: intQuery(1, 500, 50) }) }),
    async (req, reply) => {
      const body: EventListAnswer = { events: await listRecentEvents(deps.pool, req.query.limit) };
      return send(reply, { status: 200, body });
    },
  );

  app.get('/api/admin/events/:id/report', admin({ params: idParams('id') }), async (req, reply) => {
    const id = req.params.id;
    const event = await getEvent(deps.pool, id);
    if (!event) return send(reply, refuse(404, 'id', `must name an existing event; there is no event ${id}`));
    const body: EventReport = {
      event: {
        id: event.id,
        creatorId: event.creatorId,
        kind: event.kind,
        title: event.title,
        createdAt: event.createdAt.toISOString(),
        deadline: event.deadline?.toISOString() ?? null,
      },
      ...(await eventReport(deps.pool, id)),
    };
    return send(reply, { status: 200, body });
  });
}
