// The creator API: POST /api/events stores an event once and starts its announceEvent workflow.
import { createServer, type Server } from 'node:http';
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { type CreatorEvent, getEvent, insertEvent, UnknownCreatorError } from '../db/events.ts';
import { type Pool, ping } from '../db/pool.ts';
import { eventProgress } from '../db/progress.ts';
import { announceEvent } from '../workflows/announce-event.ts';
import { announceWorkflowId, TASK_QUEUE } from '../workflows/names.ts';
import { type ConsoleOptions, registerConsole } from './console.ts';
import { validateEventInput } from './event-input.ts';
import { type FanRouteOptions, registerFanRoutes } from './fan-routes.ts';
import { Router, readJson } from './router.ts';

export interface ApiDeps {
  pool: Pool;
  temporal: Client;
  now?: () => Date;
  fan?: FanRouteOptions;
  /** ADMIN_TOKEN: the bearer token of /api/admin/* and the console's login; without it those routes answer 401. */
  adminToken?: string;
  console: ConsoleOptions;
}

function eventJson(e: CreatorEvent) {
  return {
    id: e.id,
    creatorId: e.creatorId,
    kind: e.kind,
    title: e.title,
    url: e.url,
    audience: e.audience,
    idempotencyKey: e.idempotencyKey,
    deadline: e.deadline?.toISOString() ?? null,
    createdAt: e.createdAt.toISOString(),
    workflowId: announceWorkflowId(e.id),
  };
}

/** Starts the event's workflow; a second start (a retried request) finds it already there. */
export async function startAnnounce(temporal: Client, eventId: number): Promise<void> {
  try {
    await temporal.workflow.start(announceEvent, {
      workflowId: announceWorkflowId(eventId),
      taskQueue: TASK_QUEUE,
      args: [{ eventId }],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

export function createApiRouter(deps: ApiDeps): Router {
  const now = deps.now ?? (() => new Date());
  const router = new Router();

  router.on('GET', '/healthz', async () => {
    await ping(deps.pool);
    return { status: 200, body: { ok: true } };
  });

  router.on('POST', '/api/events', async (req) => {
    const input = validateEventInput(await readJson(req), now());
    if (!input.ok) return { status: 400, body: { errors: input.errors } };
    let stored: { event: CreatorEvent; created: boolean };
    try {
      stored = await insertEvent(deps.pool, input.value);
    } catch (err) {
      if (err instanceof UnknownCreatorError)
        return { status: 400, body: { errors: [{ field: 'creatorId', rule: 'must name an existing creator' }] } };
      throw err;
    }
    // Also on a repeat: if the first request died between storing and starting, this one starts the workflow.
    await startAnnounce(deps.temporal, stored.event.id);
    return { status: stored.created ? 201 : 200, body: eventJson(stored.event) };
  });

  router.on('GET', '/api/events/:id', async (req) => {
    const id = Number(req.params.id);
    if (!Number.isSafeInteger(id) || id <= 0)
      return { status: 400, body: { errors: [{ field: 'id', rule: 'must be a positive integer' }] } };
    const event = await getEvent(deps.pool, id);
    if (!event) return { status: 404, body: { error: `no event with id ${id}` } };
    return { status: 200, body: { ...eventJson(event), progress: await eventProgress(deps.pool, id) } };
  });

  registerFanRoutes(router, { pool: deps.pool, now, ...deps.fan });
  registerConsole(router, { pool: deps.pool, adminToken: deps.adminToken, now, ...deps.console });
  return router;
}

export function createApiServer(router: Router): Server {
  return createServer((req, res) => void router.handle(req, res));
}
