// The experiments API under /api/admin/experiments: list, create, stop, results per arm; editors only.
import { z } from 'zod';
import { experimentJson, experimentResults } from '../db/experiment-results.ts';
import { createExperiment, getExperiment, listExperiments, stopExperiment } from '../db/experiments.ts';
import type { Pool } from '../db/pool.ts';
import { auditActor } from '../domain/principal.ts';
import { freeBuckets, percentBuckets, placeExperiment, validateExperiment } from '../policy/experiment.ts';
import { globalHoldoutDefaultFrom, resultDays } from '../policy/experiment-range.ts';
import type { ExperimentListAnswer } from '../wire/experiments.ts';
import type { TeamGate } from './admin-auth.ts';
import { refuse, send } from './answer.ts';
import type { HttpApp } from './app.ts';
import { principalOf, teamOnly } from './auth-hooks.ts';
import { idParams } from './params.ts';

export interface ExperimentRouteDeps {
  pool: Pool;
  gate: TeamGate;
  now: () => Date;
  /** FANFARE_GLOBAL_HOLDOUT_PERCENT: new experiments are placed below the global holdout's buckets. */
  globalHoldoutPercent: number;
}

const DATE_RULE = 'must be a date (YYYY-MM-DD) or an ISO 8601 instant';
const instant = z
  .string({ error: DATE_RULE })
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/, {
    error: DATE_RULE,
    abort: true,
  })
  .transform((s) => new Date(s))
  .refine((d) => !Number.isNaN(d.getTime()), { error: DATE_RULE })
  .optional();
const range = z.object({ from: instant, to: instant });

export function registerExperimentRoutes(app: HttpApp, deps: ExperimentRouteDeps): void {
  const editor = { onRequest: teamOnly(deps.gate, 'experiment.manage') };
  const hidden = { hide: true } as const;

  app.get('/api/admin/experiments', { ...editor, schema: hidden }, async (_req, reply) => {
    const body: ExperimentListAnswer = {
      experiments: (await listExperiments(deps.pool)).map(experimentJson),
      globalHoldoutPercent: deps.globalHoldoutPercent,
    };
    return send(reply, { status: 200, body });
  });

  app.post('/api/admin/experiments', { ...editor, schema: hidden }, async (req, reply) => {
    const checked = validateExperiment(req.body);
    if (!checked.ok) return send(reply, refuse(400, ...checked.errors));
    const size = checked.value.arms.reduce((s, a) => s + percentBuckets(a.allocation), 0);
    const created = await createExperiment(deps.pool, checked.value, auditActor(principalOf(req)), (running) => {
      const placed = placeExperiment(size, running, deps.globalHoldoutPercent);
      const free = freeBuckets(running, deps.globalHoldoutPercent) / 100;
      return placed ?? { field: 'arms', rule: `allocations must fit the ${free}% of fans no running experiment holds` };
    });
    if (!created.ok) return send(reply, refuse(400, ...created.errors));
    return send(reply, { status: 201, body: experimentJson(created.experiment) });
  });

  app.post(
    '/api/admin/experiments/:id/stop',
    { ...editor, schema: { ...hidden, params: idParams('id') } },
    async (req, reply) => {
      const stopped = await stopExperiment(deps.pool, req.params.id, auditActor(principalOf(req)));
      if (!stopped) return send(reply, refuse(404, { field: 'id', rule: 'must be a running experiment' }));
      return send(reply, { status: 200, body: experimentJson(stopped) });
    },
  );

  app.get(
    '/api/admin/experiments/global-holdout/results',
    { ...editor, schema: { ...hidden, querystring: range } },
    async (req, reply) => {
      // By default today so far and the six whole UTC days before it; a range off UTC midnights is recounted.
      const now = deps.now();
      const to = req.query.to ?? now;
      const from = req.query.from ?? globalHoldoutDefaultFrom(to);
      if (from >= to) return send(reply, refuse(400, { field: 'from', rule: 'must be before to' }));
      const days = resultDays(from, to, now);
      return send(reply, { status: 200, body: await experimentResults(deps.pool, null, from, to, days) });
    },
  );

  app.get(
    '/api/admin/experiments/:id/results',
    { ...editor, schema: { ...hidden, params: idParams('id'), querystring: range } },
    async (req, reply) => {
      const experiment = await getExperiment(deps.pool, req.params.id);
      if (!experiment) return send(reply, refuse(404, { field: 'id', rule: 'must be an experiment' }));
      // By default the whole run: decisions from its start to its stop (or now), whenever the fans answered them.
      const now = deps.now();
      const to = req.query.to ?? new Date((experiment.stoppedAt ?? now).getTime() + 1);
      const from = req.query.from ?? experiment.startedAt;
      if (from >= to) return send(reply, refuse(400, { field: 'from', rule: 'must be before to' }));
      const run = req.query.from === undefined && req.query.to === undefined;
      const days = resultDays(from, to, now, run);
      return send(reply, { status: 200, body: await experimentResults(deps.pool, experiment, from, to, days) });
    },
  );
}
