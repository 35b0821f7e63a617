// Authentication in one place: the Fastify hook that admits a request to the admin API and console, or refuses it.
//
// Today it wraps the ADMIN_TOKEN check of admin-auth.ts (the bearer token or a console session); swapping the
// principals (people with roles, service credentials) means changing this module and admin-auth.ts only.
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { Auth } from '../auth/auth.ts';
import type { CreatorPrincipal } from '../domain/principal.ts';
import type { AdminAuth, AdminPrincipal } from './admin-auth.ts';
import { refuse, send } from './answer.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `adminOnly` on the requests it admits. */
    adminPrincipal?: AdminPrincipal;
  }
}

/**
 * Runs first (onRequest: before the body is read or validated), so a caller without a login learns nothing about
 * what the route would accept.
 */
export function adminOnly(auth: AdminAuth): onRequestAsyncHookHandler {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const checked = auth.check(req);
    if ('denied' in checked) return send(reply, checked.denied);
    req.adminPrincipal = checked.principal;
  };
}

/** The principal `adminOnly` admitted; a route behind it always has one. */
export function principalOf(req: FastifyRequest): AdminPrincipal {
  if (!req.adminPrincipal) throw new Error(`${req.method} ${req.url} is not behind adminOnly`);
  return req.adminPrincipal;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `creatorOnly` on the requests it admits. */
    creatorPrincipal?: CreatorPrincipal;
  }
}

/** The 401 of a creator route: anonymous, malformed, unknown, revoked or wrong keys all look the same. */
export const CREATOR_KEY_RULE = 'must be "Bearer " and a live creator API key';

/**
 * The creator routes' hook: a live creator key (`Authorization: Bearer ffk_…`) or 401 with `WWW-Authenticate`. Runs
 * onRequest, before the body is read or validated, so a caller without a key learns nothing about the input rules.
 */
export function creatorOnly(auth: Auth): onRequestAsyncHookHandler {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const principal = await auth.creator({ authorization: req.headers.authorization });
    if (!principal) {
      const answer = refuse(401, { field: 'Authorization', rule: CREATOR_KEY_RULE });
      return send(reply, { ...answer, headers: { 'www-authenticate': 'Bearer' } });
    }
    req.creatorPrincipal = principal;
  };
}

/** The creator `creatorOnly` admitted; a route behind it always has one. */
export function creatorOf(req: FastifyRequest): CreatorPrincipal {
  if (!req.creatorPrincipal) throw new Error(`${req.method} ${req.url} is not behind creatorOnly`);
  return req.creatorPrincipal;
}
