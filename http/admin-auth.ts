// Who a request to the admin API and the console is: a member's session, a service credential, or ADMIN_TOKEN.
import { timingSafeEqual } from 'node:crypto';
import type { Auth } from '../auth/auth.ts';
import { ENV_CREDENTIAL_NAME } from '../auth/service-credentials.ts';
import { type Action, can, ROLES, type ServicePrincipal, type TeamPrincipal } from '../domain/principal.ts';
import type { Answer, RequestHead } from './answer.ts';
import { refuse } from './answer.ts';
import { type BearerRequest, type LockedOut, throttledBearer } from './token-lockout.ts';

/**
 * ADMIN_TOKEN, when set, is a bootstrap service credential named `env` with the admin role: it lets automation and a
 * first deployment in before anyone has an account. It is not stored; unsetting the variable revokes it. No stored
 * credential may take the name (auth/service-credentials.ts), so the audit's `service:env` is always this one.
 */
export const ENV_CREDENTIAL: ServicePrincipal = {
  kind: 'service',
  credentialId: 0,
  name: ENV_CREDENTIAL_NAME,
  role: 'admin',
};

export const UNAUTHORIZED_RULE =
  'must be "Bearer " and a live service credential, or a console session: log in at /console/';

export function unauthorized(rule = UNAUTHORIZED_RULE): Answer {
  const answer = refuse(401, { field: 'Authorization', rule });
  return { ...answer, headers: { 'www-authenticate': 'Bearer realm="fanfare-admin"' } };
}

/** The 403 of a principal whose role may not take the route's action. */
export function forbidden(action: Action): Answer {
  const roles = ROLES.filter((r) => can(r, action)).join(' or ');
  return refuse(403, { field: 'role', rule: `must be ${roles} to ${action}` });
}

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The host of an Origin header; null for `Origin: null` (a sandboxed or privacy-sensitive context) or garbage. */
function originHost(origin: string): string | null {
  try {
    return new URL(origin).host || null;
  } catch {
    return null;
  }
}

/**
 * A cookie rides along on any request the browser makes; a change made with a session must also come from our own
 * pages. The cookie is SameSite=Strict already; this is the second lock. A 403 naming Origin, or null.
 */
export function foreignOrigin(req: RequestHead): Answer | null {
  if (req.method === 'GET' || req.method === 'HEAD') return null;
  const origin = req.headers.origin;
  const host = req.headers.host;
  if (origin === undefined || host === undefined || originHost(origin) === host) return null;
  return refuse(403, { field: 'Origin', rule: 'must be this console for a change made with a session' });
}

export interface TeamGate {
  auth: Auth;
  /**
   * The request's team principal, or null (→ 401), or locked out for wrong bearer tokens (→ 429). A bearer header
   * never falls back to the cookie.
   */
  principal(req: RequestHead & BearerRequest): Promise<TeamPrincipal | null | LockedOut>;
}

export function createTeamGate(auth: Auth, adminToken: string | undefined): TeamGate {
  return {
    auth,
    principal(req) {
      return throttledBearer(auth.tokens, req, async () => {
        const authorization = req.headers.authorization;
        const m = /^Bearer (\S+)$/i.exec(authorization?.trim() ?? '');
        if (adminToken && m && sameToken(m[1], adminToken)) return ENV_CREDENTIAL;
        return auth.team({ authorization, cookie: req.headers.cookie });
      });
    },
  };
}
