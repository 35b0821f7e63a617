// Authentication in one place: the Fastify hooks that admit a request to the admin API and console, or refuse it.
//
// A team principal (a member's session, a service credential, ADMIN_TOKEN's `env`) and a role that may take the
// route's action; http/admin-auth.ts says who a request is.
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { type Action, principalCan, type TeamPrincipal } from '../domain/principal.ts';
import { forbidden, foreignOrigin, type TeamGate, unauthorized } from './admin-auth.ts';
import { send } from './answer.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `teamOnly` on the requests it admits. */
    teamPrincipal?: TeamPrincipal;
  }
}

/**
 * Runs first (onRequest: before the body is read or validated), so a caller without a login learns nothing about
 * what the route would accept: no principal → 401; a session's change from another origin → 403 naming Origin; a role
 * that may not take the action → 403 naming role.
 */
export function teamOnly(gate: TeamGate, action: Action): onRequestAsyncHookHandler {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const principal = await gate.principal(req);
    if (!principal) return send(reply, unauthorized());
    if (principal.kind === 'member') {
      const foreign = foreignOrigin(req);
      if (foreign) return send(reply, foreign);
    }
    if (!principalCan(principal, action)) return send(reply, forbidden(action));
    req.teamPrincipal = principal;
  };
}

/** The principal `teamOnly` admitted; a route behind it always has one. */
export function principalOf(req: FastifyRequest): TeamPrincipal {
  if (!req.teamPrincipal) throw new Error(`${req.method} ${req.url} is not behind teamOnly`);
  return req.teamPrincipal;
}
