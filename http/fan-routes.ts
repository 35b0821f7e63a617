// Fan-facing routes: preferences (page and JSON), push subscriptions, the fan page and its service worker, link routes.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Pool } from '../db/pool.ts';
import { getPreferences, putPreferences, UnknownCreatorsError } from '../db/preferences.ts';
import { registerPushSubscription, removePushSubscription } from '../db/push-subscriptions.ts';
import { storedTrackingKeys, vapidKeys } from '../delivery/keys.ts';
import { defaultPushEndpoints, type PushEndpointPolicy } from '../delivery/push-endpoint.ts';
import { createTokenSigner, type TokenSigner, type TrackingKey } from '../delivery/tokens.ts';
import { type Answer, send } from './answer.ts';
import type { HttpApp } from './app.ts';
import { PreferencesBody, PushSubscriptionBody, validatePreferences, validatePushSubscription } from './fan-input.ts';
import { fanPage, preferencesPage } from './fan-pages.ts';
import { documentedBodyCompiler } from './field-errors.ts';
import { browserLocalizer, fanLocalizer } from './page-locale.ts';
import { registerTrackingRoutes } from './tracking-routes.ts';

export interface FanRouteOptions {
  /** TRACKING_KEYS; unset means the generated keys kept in the settings table (the worker signs with the same). */
  trackingKeys?: TrackingKey[];
  /** Which push endpoints fans may register (FANFARE_PUSH_HOSTS); unset means the browsers' push services. */
  pushEndpoints?: PushEndpointPolicy;
}

export interface FanRouteDeps extends FanRouteOptions {
  pool: Pool;
  now: () => Date;
  log?: (line: string) => void;
}

const STATIC: Record<string, { file: string; type: string }> = {
  '/fan.js': { file: 'fan.js', type: 'text/javascript; charset=utf-8' },
  '/preferences.js': { file: 'preferences.js', type: 'text/javascript; charset=utf-8' },
  '/sw.js': { file: 'sw.js', type: 'text/javascript; charset=utf-8' },
};

/** Keeps a successful value; a failure (say, the database was down) is retried on the next call. */
function memo<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= load().catch((err) => {
      value = undefined;
      throw err;
    });
    return value;
  };
}

const unauthorized = (rule: string): Answer => ({ status: 401, body: { errors: [{ field: 'token', rule }] } });

/** Who a fan route speaks for: a preferences link's token, in the query or as a bearer token. */
const tokenQuery = z.object({
  token: z.string().optional().meta({ description: 'the token of a preferences link (or send Authorization: Bearer)' }),
});
const FAN_TAGS = ['fans'];

/**
 * The fan a request speaks for. A refused token says only "invalid link", expired ones included (a forger learns
 * nothing of why; the reason goes to the log); the preferences page tells its fan to use a recent email instead.
 */
function fanOf(
  req: { query: { token?: string }; headers: { authorization?: string } },
  signer: TokenSigner,
  now: Date,
  log: (line: string) => void,
): number | Answer {
  const auth = req.headers.authorization;
  const token = req.query.token ?? (auth?.startsWith('Bearer ') ? auth.slice(7).trim() : null);
  if (!token)
    return unauthorized('is required: the token from a preferences link, as ?token= or Authorization: Bearer');
  const v = signer.verify(token, 'preferences', now);
  if (v.ok) return v.claims.fanId;
  log(`links: refused a preferences token: ${v.reason}`);
  return unauthorized('invalid link');
}

export function registerFanRoutes(app: HttpApp, deps: FanRouteDeps): void {
  const log = deps.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const signer = memo(async () => createTokenSigner(deps.trackingKeys ?? (await storedTrackingKeys(deps.pool))));
  const vapidPublicKey = memo(async () => (await vapidKeys(deps.pool)).publicKey);
  registerTrackingRoutes(app, { pool: deps.pool, signer, now: deps.now, log });
  const fan = async (req: Parameters<typeof fanOf>[0]) => fanOf(req, await signer(), deps.now(), log);
  const pushEndpoints = deps.pushEndpoints ?? defaultPushEndpoints();

  for (const [path, { file, type }] of Object.entries(STATIC)) {
    const body = readFileSync(new URL(`./static/${file}`, import.meta.url));
    const headers: Record<string, string> = { 'content-type': type, 'cache-control': 'no-cache' };
    // The worker must control the whole origin to receive pushes for any page.
    if (file === 'sw.js') headers['service-worker-allowed'] = '/';
    app.get(path, { schema: { hide: true } }, async (_req, reply) => send(reply, { status: 200, headers, body }));
  }

  // The pages speak the fan's language when their link's token says who the fan is, else the browser's.
  const pageLocalizer = async (req: { query: unknown; headers: { 'accept-language'?: string } }) => {
    const token = (req.query as { token?: unknown }).token;
    const v = typeof token === 'string' ? (await signer()).verify(token, 'preferences', deps.now()) : null;
    return v?.ok ? fanLocalizer(deps.pool, v.claims.fanId, req) : browserLocalizer(req);
  };
  const pageHeaders = {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    vary: 'Accept-Language',
  };
  app.get('/preferences', { schema: { hide: true } }, async (req, reply) =>
    send(reply, { status: 200, headers: pageHeaders, body: preferencesPage(await pageLocalizer(req)) }),
  );
  app.get('/fan', { schema: { hide: true } }, async (req, reply) =>
    send(reply, { status: 200, headers: pageHeaders, body: fanPage(await pageLocalizer(req)) }),
  );

  app.get(
    '/api/push/vapid-public-key',
    {
      schema: {
        tags: FAN_TAGS,
        summary: "The VAPID public key a browser subscribes with (PushManager.subscribe's applicationServerKey)",
      },
    },
    async (_req, reply) => send(reply, { status: 200, body: { publicKey: await vapidPublicKey() } }),
  );

  app.get(
    '/api/fans/me/preferences',
    { schema: { tags: FAN_TAGS, summary: "The fan's notification preferences", querystring: tokenQuery } },
    async (req, reply) => {
      const id = await fan(req);
      if (typeof id !== 'number') return send(reply, id);
      const p = await getPreferences(deps.pool, id);
      if (!p) return send(reply, { status: 404, body: { error: 'this fan no longer exists' } });
      const body = { ...p, unsubscribedAt: p.unsubscribedAt?.toISOString() ?? null };
      return send(reply, { status: 200, headers: { 'cache-control': 'no-store' }, body });
    },
  );

  app.put(
    '/api/fans/me/preferences',
    {
      schema: {
        tags: FAN_TAGS,
        summary: "Replaces the fan's notification preferences (every field)",
        querystring: tokenQuery,
        body: PreferencesBody,
      },
      validatorCompiler: documentedBodyCompiler,
    },
    async (req, reply) => {
      const id = await fan(req);
      if (typeof id !== 'number') return send(reply, id);
      const input = validatePreferences(req.body);
      if (!input.ok) return send(reply, { status: 400, body: { errors: input.errors } });
      if (!(await getPreferences(deps.pool, id)))
        return send(reply, { status: 404, body: { error: 'this fan no longer exists' } });
      try {
        await putPreferences(deps.pool, id, input.value);
      } catch (err) {
        if (err instanceof UnknownCreatorsError) {
          const rule = `must name existing creators; unknown: ${err.creatorIds.join(', ')}`;
          return send(reply, { status: 400, body: { errors: [{ field: 'mutedCreatorIds', rule }] } });
        }
        throw err;
      }
      const p = await getPreferences(deps.pool, id);
      return send(reply, { status: 200, body: { ...p, unsubscribedAt: p?.unsubscribedAt?.toISOString() ?? null } });
    },
  );

  app.post(
    '/api/push/subscriptions',
    {
      schema: {
        tags: FAN_TAGS,
        summary: "Registers a browser's push subscription (PushSubscription.toJSON()) for the fan",
        querystring: tokenQuery,
        body: PushSubscriptionBody,
      },
      validatorCompiler: documentedBodyCompiler,
    },
    async (req, reply) => {
      const id = await fan(req);
      if (typeof id !== 'number') return send(reply, id);
      const input = await validatePushSubscription(req.body, pushEndpoints);
      if (!input.ok) return send(reply, { status: 400, body: { errors: input.errors } });
      const r = await registerPushSubscription(deps.pool, id, input.value);
      if (r === 'held by another fan') {
        return send(reply, {
          status: 409,
          body: { errors: [{ field: 'endpoint', rule: 'is registered to another fan' }] },
        });
      }
      return send(reply, { status: r.created ? 201 : 200, body: { id: r.id, endpoint: input.value.endpoint } });
    },
  );

  app.delete(
    '/api/push/subscriptions',
    {
      schema: {
        tags: FAN_TAGS,
        summary: "Removes one of the fan's push subscriptions by its endpoint",
        querystring: tokenQuery,
        body: z.object({ endpoint: z.string() }),
      },
      validatorCompiler: documentedBodyCompiler,
    },
    async (req, reply) => {
      const id = await fan(req);
      if (typeof id !== 'number') return send(reply, id);
      const endpoint = (req.body as { endpoint?: unknown } | null)?.endpoint;
      if (typeof endpoint !== 'string' || endpoint === '') {
        const errors = [{ field: 'endpoint', rule: 'is required: the subscription endpoint to remove' }];
        return send(reply, { status: 400, body: { errors } });
      }
      const removed = await removePushSubscription(deps.pool, id, endpoint);
      return send(
        reply,
        removed
          ? { status: 204 }
          : { status: 404, body: { error: 'no active subscription of this fan has that endpoint' } },
      );
    },
  );
}
