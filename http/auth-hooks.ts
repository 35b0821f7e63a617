// Authentication in one place: the Fastify hook that admits a request to the admin API and console, or refuses it.
//
// Today it wraps the ADMIN_TOKEN check of admin-auth.ts (the bearer token or a console session); swapping the
// principals (people with roles, service credentials) means changing this module and admin-auth.ts only.
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { AdminAuth, AdminPrincipal } from './admin-auth.ts';
import { send } from './answer.ts';

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
