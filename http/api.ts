// The API: the creator's routes (POST /api/events, GET /api/events/:id), /healthz, the OpenAPI document, and the fan,
// link, admin and console routes, all on one Fastify app.
import swagger from '@fastify/swagger';
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import type { Auth } from '../auth/auth.ts';
import { type CreatorEvent, getEvent, insertEvent, UnknownCreatorError } from '../db/events.ts';
import { type Pool, ping } from '../db/pool.ts';
import { eventProgress } from '../db/progress.ts';
import { announceEvent } from '../workflows/announce-event.ts';
import { announceWorkflowId, TASK_QUEUE } from '../workflows/names.ts';
import { refuse, send } from './answer.ts';
import { createHttpApp, type HttpApp, type HttpAppOptions } from './app.ts';
import { type ConsoleOptions, registerConsole } from './console.ts';
import { EventBody, eventRequest } from './event-input.ts';
import { type FanRouteOptions, registerFanRoutes } from './fan-routes.ts';
import { idParams } from './params.ts';

export interface ApiDeps {
  pool: Pool;
  temporal: Client;
  /** Who a request is: `createAuth(pool, config.auth)`, one per API process. */
  auth: Auth;
  now?: () => Date;
  fan?: FanRouteOptions;
  /** ADMIN_TOKEN: when set, a bearer token of /api/admin/* with the admin role, `service:env` in the audit. */
  adminToken?: string;
  console: ConsoleOptions;
}

/** /healthz answers within this even when PostgreSQL does not. */
const HEALTH_PING_MS = 500;

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

/** The OpenAPI 3 document of the routes tagged for clients (creators, and fans' browsers), from their zod schemas. */
export async function registerOpenApi(app: HttpApp): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Fanfare API',
        version: '1',
        description: 'Creators announce events; fans manage their preferences and push subscriptions.',
      },
      tags: [
        { name: 'events', description: "a creator's announcements" },
        { name: 'fans', description: 'what a fan does through a preferences link' },
      ],
    },
    hideUntagged: true,
    transform: jsonSchemaTransform,
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}

/** The whole API on a new Fastify app, not yet listening. */
export async function createApi(deps: ApiDeps, options: HttpAppOptions = {}): Promise<HttpApp> {
  const now = deps.now ?? (() => new Date());
  const app = await createHttpApp(options);
  await registerOpenApi(app);

  // The process is up and answering; PostgreSQL's state rides along, without letting a stuck pool stall the probe.
  app.get('/healthz', { schema: { hide: true } }, async (_req, reply) => {
    const db = await Promise.race([
      ping(deps.pool).then(
        () => 'up' as const,
        () => 'down' as const,
      ),
      new Promise<'slow'>((resolve) => setTimeout(() => resolve('slow'), HEALTH_PING_MS).unref()),
    ]);
    return send(reply, { status: 200, body: { ok: true, db } });
  });

  app.post(
    '/api/events',
    {
      schema: {
        tags: ['events'],
        summary: 'Announces an event to its audience once per (creatorId, idempotencyKey)',
        body: EventBody,
      },
    },
    async (req, reply) => {
      const input = eventRequest(req.body, now());
      if (!input.ok) return send(reply, { status: 400, body: { errors: input.errors } });
      let stored: { event: CreatorEvent; created: boolean };
      try {
        stored = await insertEvent(deps.pool, input.value);
      } catch (err) {
        if (err instanceof UnknownCreatorError)
          return send(reply, refuse(400, { field: 'creatorId', rule: 'must name an existing creator' }));
        throw err;
      }
      // Also on a repeat: if the first request died between storing and starting, this one starts the workflow.
      await startAnnounce(deps.temporal, stored.event.id);
      return send(reply, { status: stored.created ? 201 : 200, body: eventJson(stored.event) });
    },
  );

  app.get(
    '/api/events/:id',
    {
      schema: {
        tags: ['events'],
        summary: 'An event with its delivery progress',
        params: idParams('id'),
      },
    },
    async (req, reply) => {
      const id = req.params.id;
      const event = await getEvent(deps.pool, id);
      if (!event) return send(reply, { status: 404, body: { error: `no event with id ${id}` } });
      return send(reply, { status: 200, body: { ...eventJson(event), progress: await eventProgress(deps.pool, id) } });
    },
  );

  registerFanRoutes(app, { pool: deps.pool, now, log: options.log, ...deps.fan });
  registerConsole(app, { pool: deps.pool, auth: deps.auth, adminToken: deps.adminToken, now, ...deps.console });
  return app;
}
