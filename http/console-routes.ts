// The console's read API under /api/admin/: overview, fan inspector, model registry, creator view; behind admin login.
import { eventReport, listRecentEvents } from '../db/console-events.ts';
import { decisionForCurve, fanCandidates, fanProfile, searchFans } from '../db/console-fans.ts';
import { overviewSeries, reasonCounts } from '../db/console-overview.ts';
import { getEvent } from '../db/events.ts';
import {
  getModel,
  listModels,
  ModelRegistryError,
  type ModelSummary,
  modelText,
  promoteModel,
  rollbackModel,
} from '../db/models.ts';
import type { Pool } from '../db/pool.ts';
import { DAY_MS, HOUR_MS } from '../domain/time.ts';
import { FEATURE_IMPORTANCES } from '../models/gbdt/model-text-keys.ts';
import { createRelevanceScorer, type RelevanceScorer } from '../models/scoring.ts';
import type { ErrorAnswer } from '../wire/errors.ts';
import type { EventListAnswer, EventReport } from '../wire/events.ts';
import type { DecisionCurve, FanAnswer, FanSearchAnswer } from '../wire/fans.ts';
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
import type { AdminAuth } from './admin-auth.ts';
import { adminRoute } from './admin-routes.ts';
import type { Request, Response, Router } from './router.ts';

export interface ConsoleRouteDeps {
  pool: Pool;
  auth: AdminAuth;
  now: () => Date;
  /** Scores a decision's hour-by-hour curve with the active model; one is made over the pool when absent. */
  scorer?: RelevanceScorer;
}

/** How far past its decision a candidate's engagement curve is drawn, unless its deadline comes first. */
export const CURVE_HOURS = 48;

const refuse = (status: number, field: string, rule: string): Response => ({
  status,
  body: { errors: [{ field, rule }] } satisfies ErrorAnswer,
});
const bad = (field: string, rule: string): Response => refuse(400, field, rule);

function intParam(req: Request, name: string, fallback: number, min: number, max: number): number | Response {
  const raw = req.query.get(name);
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) return bad(name, `must be an integer from ${min} to ${max}`);
  return n;
}

function idParam(req: Request, name: string): number | Response {
  const raw = req.params[name];
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < 1) return bad(name, 'must be a positive integer');
  return n;
}

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
    oracleMetrics: m.oracleMetrics,
  };
}

export function registerConsoleRoutes(router: Router, deps: ConsoleRouteDeps): void {
  const on = adminRoute(router, deps.auth);
  const scorer = deps.scorer ?? createRelevanceScorer({ pool: deps.pool });

  on('GET', '/api/admin/session', async (_req, principal) => ({
    status: 200,
    body: { name: principal.kind === 'session' ? principal.name : null, via: principal.kind } satisfies SessionAnswer,
  }));

  on('GET', '/api/admin/overview', async (req) => {
    const days = intParam(req, 'days', 14, 1, 90);
    if (typeof days !== 'number') return days;
    const to = new Date(Math.ceil(deps.now().getTime() / DAY_MS) * DAY_MS);
    const from = new Date(to.getTime() - days * DAY_MS);
    const [series, reasons] = await Promise.all([
      overviewSeries(deps.pool, from, to),
      reasonCounts(deps.pool, from, to),
    ]);
    const body: OverviewAnswer = { from: from.toISOString(), to: to.toISOString(), series, reasons };
    return { status: 200, body };
  });

  on('GET', '/api/admin/fans', async (req) => {
    const q = (req.query.get('q') ?? '').trim();
    if (q.length < 1 || q.length > 200) return bad('q', 'must be a fan id or part of an email, 1 to 200 characters');
    return { status: 200, body: { fans: await searchFans(deps.pool, q) } satisfies FanSearchAnswer };
  });

  on('GET', '/api/admin/fans/:id', async (req) => {
    const id = idParam(req, 'id');
    if (typeof id !== 'number') return id;
    const limit = intParam(req, 'limit', 100, 1, 1000);
    if (typeof limit !== 'number') return limit;
    const fan = await fanProfile(deps.pool, id);
    if (!fan) return refuse(404, 'id', `must name an existing fan; there is no fan ${id}`);
    return { status: 200, body: { fan, candidates: await fanCandidates(deps.pool, id, limit) } satisfies FanAnswer };
  });

  // The predicted P(open) of this fan on this channel for each whole hour from the decision on,
  // as of the decision time.
  on('GET', '/api/admin/decisions/:id/curve', async (req) => {
    const id = idParam(req, 'id');
    if (typeof id !== 'number') return id;
    const d = await decisionForCurve(deps.pool, id);
    if (!d) return refuse(404, 'id', `must name an existing decision; there is no decision ${id}`);
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
      points: scores === null ? [] : times.map((t, i) => ({ at: new Date(t).toISOString(), score: scores[i] })),
    };
    return { status: 200, body };
  });

  on('GET', '/api/admin/models', async () => {
    const body: ModelListAnswer = { models: (await listModels(deps.pool, 100)).map(modelJson) };
    return { status: 200, body };
  });

  on('GET', '/api/admin/models/:version', async (req) => {
    const version = idParam(req, 'version');
    if (typeof version !== 'number') return version;
    const model = await getModel(deps.pool, version);
    if (!model) return refuse(404, 'version', `must name an existing model; there is no model ${version}`);
    const text = await modelText(deps.pool, version);
    const body: ModelDetail = { ...modelJson(model), featureImportance: text ? featureImportance(text) : [] };
    return { status: 200, body };
  });

  on('POST', '/api/admin/models/:version/promote', async (req, principal) => {
    const version = idParam(req, 'version');
    if (typeof version !== 'number') return version;
    const who = principal.kind === 'session' ? `console:${principal.name}` : 'admin-api';
    try {
      await promoteModel(deps.pool, version, `promoted by hand (${who})`);
    } catch (err) {
      if (err instanceof ModelRegistryError) return bad('version', err.message.replace(/^version: /, ''));
      throw err;
    }
    return { status: 200, body: { active: version } satisfies PromoteAnswer };
  });

  on('POST', '/api/admin/models/rollback', async (_req, principal) => {
    const who = principal.kind === 'session' ? `console:${principal.name}` : 'admin-api';
    try {
      const { from, to } = await rollbackModel(deps.pool, `rolled back by hand (${who})`);
      return { status: 200, body: { retired: from, active: to } satisfies RollbackAnswer };
    } catch (err) {
      if (err instanceof ModelRegistryError) return refuse(409, 'active model', err.message.replace(/^rollback: /, ''));
      throw err;
    }
  });

  on('GET', '/api/admin/events', async (req) => {
    const limit = intParam(req, 'limit', 50, 1, 500);
    if (typeof limit !== 'number') return limit;
    return { status: 200, body: { events: await listRecentEvents(deps.pool, limit) } satisfies EventListAnswer };
  });

  on('GET', '/api/admin/events/:id/report', async (req) => {
    const id = idParam(req, 'id');
    if (typeof id !== 'number') return id;
    const event = await getEvent(deps.pool, id);
    if (!event) return refuse(404, 'id', `must name an existing event; there is no event ${id}`);
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
    return { status: 200, body };
  });
}
