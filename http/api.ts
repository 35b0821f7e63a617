// The API: the creator's routes (POST /api/events, GET /api/events/:id), /healthz, the OpenAPI document, and the fan,
// link, admin and console routes, all on one Fastify app.
import swagger from '@fastify/swagger';
import type { Client } from '@temporalio/client';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import type { Auth } from '../auth/auth.ts';
import { type Pool, ping } from '../db/pool.ts';
import { send } from './answer.ts';
import { createHttpApp, type HttpApp, type HttpAppOptions } from './app.ts';
import { type ConsoleOptions, registerConsole } from './console.ts';
import { CREATOR_KEY_SCHEME, registerCreatorRoutes } from './creator-routes.ts';
import { type FanRouteOptions, registerFanRoutes } from './fan-routes.ts';

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
      components: { securitySchemes: CREATOR_KEY_SCHEME },
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

  registerCreatorRoutes(app, { pool: deps.pool, temporal: deps.temporal, auth: deps.auth, now });
  registerFanRoutes(app, { pool: deps.pool, now, log: options.log, ...deps.fan });
  registerConsole(app, { pool: deps.pool, auth: deps.auth, adminToken: deps.adminToken, now, ...deps.console });
  return app;
}
