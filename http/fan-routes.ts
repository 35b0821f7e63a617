// Fan-facing routes: preferences (page and JSON), push subscriptions, the fan page and its service worker, link routes.
import { readFileSync } from 'node:fs';
import type { Pool } from '../db/pool.ts';
import { getPreferences, putPreferences, UnknownCreatorsError } from '../db/preferences.ts';
import { registerPushSubscription, removePushSubscription } from '../db/push-subscriptions.ts';
import { storedTrackingKeys, vapidKeys } from '../delivery/keys.ts';
import { defaultPushEndpoints, type PushEndpointPolicy } from '../delivery/push-endpoint.ts';
import { createTokenSigner, type TokenSigner, type TrackingKey } from '../delivery/tokens.ts';
import { validatePreferences, validatePushSubscription } from './fan-input.ts';
import { type Request, type Response, type Router, readJson } from './router.ts';
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
}

const STATIC: Record<string, { file: string; type: string }> = {
  '/fan': { file: 'fan.html', type: 'text/html; charset=utf-8' },
  '/fan.js': { file: 'fan.js', type: 'text/javascript; charset=utf-8' },
  '/preferences': { file: 'preferences.html', type: 'text/html; charset=utf-8' },
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

const unauthorized = (rule: string): Response => ({ status: 401, body: { errors: [{ field: 'token', rule }] } });

/** The fan a request speaks for: a preferences token in ?token= or an Authorization: Bearer header. */
async function fanOf(req: Request, signer: TokenSigner, now: Date): Promise<number | Response> {
  const auth = req.headers.authorization;
  const token = req.query.get('token') ?? (auth?.startsWith('Bearer ') ? auth.slice(7).trim() : null);
  if (!token)
    return unauthorized('is required: the token from a preferences link, as ?token= or Authorization: Bearer');
  const v = signer.verify(token, 'preferences', now);
  if (!v.ok)
    return unauthorized(
      v.reason === 'expired' ? 'has expired: use the link in a recent email' : 'must be a valid preferences link token',
    );
  return v.claims.fanId;
}

export function registerFanRoutes(router: Router, deps: FanRouteDeps): void {
  const signer = memo(async () => createTokenSigner(deps.trackingKeys ?? (await storedTrackingKeys(deps.pool))));
  const vapidPublicKey = memo(async () => (await vapidKeys(deps.pool)).publicKey);
  registerTrackingRoutes(router, { pool: deps.pool, signer, now: deps.now });
  const pushEndpoints = deps.pushEndpoints ?? defaultPushEndpoints();

  for (const [path, { file, type }] of Object.entries(STATIC)) {
    const body = readFileSync(new URL(`./static/${file}`, import.meta.url));
    const headers: Record<string, string> = { 'content-type': type, 'cache-control': 'no-cache' };
    if (file.endsWith('.html'))
      headers['content-security-policy'] = "default-src 'self'; style-src 'self' 'unsafe-inline'";
    // The worker must control the whole origin to receive pushes for any page.
    if (file === 'sw.js') headers['service-worker-allowed'] = '/';
    router.on('GET', path, async () => ({ status: 200, headers, body }));
  }

  router.on('GET', '/api/push/vapid-public-key', async () => ({
    status: 200,
    body: { publicKey: await vapidPublicKey() },
  }));

  router.on('GET', '/api/fans/me/preferences', async (req) => {
    const fan = await fanOf(req, await signer(), deps.now());
    if (typeof fan !== 'number') return fan;
    const p = await getPreferences(deps.pool, fan);
    if (!p) return { status: 404, body: { error: 'this fan no longer exists' } };
    return {
      status: 200,
      headers: { 'cache-control': 'no-store' },
      body: { ...p, unsubscribedAt: p.unsubscribedAt?.toISOString() ?? null },
    };
  });

  router.on('PUT', '/api/fans/me/preferences', async (req) => {
    const fan = await fanOf(req, await signer(), deps.now());
    if (typeof fan !== 'number') return fan;
    const input = validatePreferences(await readJson(req));
    if (!input.ok) return { status: 400, body: { errors: input.errors } };
    if (!(await getPreferences(deps.pool, fan))) return { status: 404, body: { error: 'this fan no longer exists' } };
    try {
      await putPreferences(deps.pool, fan, input.value);
    } catch (err) {
      if (err instanceof UnknownCreatorsError) {
        return {
          status: 400,
          body: {
            errors: [
              { field: 'mutedCreatorIds', rule: `must name existing creators; unknown: ${err.creatorIds.join(', ')}` },
            ],
          },
        };
      }
      throw err;
    }
    const p = await getPreferences(deps.pool, fan);
    return { status: 200, body: { ...p, unsubscribedAt: p?.unsubscribedAt?.toISOString() ?? null } };
  });

  router.on('POST', '/api/push/subscriptions', async (req) => {
    const fan = await fanOf(req, await signer(), deps.now());
    if (typeof fan !== 'number') return fan;
    const input = await validatePushSubscription(await readJson(req), pushEndpoints);
    if (!input.ok) return { status: 400, body: { errors: input.errors } };
    const r = await registerPushSubscription(deps.pool, fan, input.value);
    if (r === 'held by another fan')
      return { status: 409, body: { errors: [{ field: 'endpoint', rule: 'is registered to another fan' }] } };
    return { status: r.created ? 201 : 200, body: { id: r.id, endpoint: input.value.endpoint } };
  });

  router.on('DELETE', '/api/push/subscriptions', async (req) => {
    const fan = await fanOf(req, await signer(), deps.now());
    if (typeof fan !== 'number') return fan;
    const body = await readJson(req);
    const endpoint = (body as { endpoint?: unknown } | null)?.endpoint;
    if (typeof endpoint !== 'string' || endpoint === '')
      return {
        status: 400,
        body: { errors: [{ field: 'endpoint', rule: 'is required: the subscription endpoint to remove' }] },
      };
    const removed = await removePushSubscription(deps.pool, fan, endpoint);
    return removed
      ? { status: 204 }
      : { status: 404, body: { error: 'no active subscription of this fan has that endpoint' } };
  });
}
