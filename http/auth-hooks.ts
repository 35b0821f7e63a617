// Authentication in one place: the Fastify hooks that admit a request to the admin API and console, or refuse it.
//
// A team principal (a member's session, a service credential, ADMIN_TOKEN's `env`) and a role that may take the
// route's action; http/admin-auth.ts says who a request is.
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { Auth } from '../auth/auth.ts';
import { type Action, type CreatorPrincipal, principalCan, type TeamPrincipal } from '../domain/principal.ts';
import { forbidden, foreignOrigin, type TeamGate, unauthorized } from './admin-auth.ts';
import { refuse, send } from './answer.ts';
import { lockedOutAnswer, throttledBearer } from './token-lockout.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `teamOnly` on the requests it admits. */
    teamPrincipal?: TeamPrincipal;
  }
}

/**
 * Runs first (onRequest: before the body is read or validated), so a caller without a login learns nothing about
 * what the route would accept: no principal → 401; an address locked out for wrong bearer tokens → 429; a session's
 * change from another origin → 403 naming Origin; a role that may not take the action → 403 naming role.
 */
export function teamOnly(gate: TeamGate, action: Action): onRequestAsyncHookHandler {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const principal = await gate.principal(req);
    if (!principal) return send(reply, unauthorized());
    if (principal.kind === 'locked-out') return send(reply, lockedOutAnswer(principal));
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

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `creatorOnly` on the requests it admits. */
    creatorPrincipal?: CreatorPrincipal;
  }
}

/** The 401 of a creator route: anonymous, malformed, unknown, revoked or wrong keys all look the same. */
export const CREATOR_KEY_RULE = 'must be "Bearer " and a live creator API key';

/**
 * The creator routes' hook: a live creator key (`Authorization: Bearer ffk_…`) or 401 with `WWW-Authenticate`, or 429
 * while the address is locked out for wrong tokens. Runs onRequest, before the body is read or validated, so a caller
 * without a key learns nothing about the input rules.
 */
export function creatorOnly(auth: Auth): onRequestAsyncHookHandler {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const principal = await throttledBearer(auth.tokens, req, () =>
      auth.creator({ authorization: req.headers.authorization }),
    );
    if (principal?.kind === 'locked-out') return send(reply, lockedOutAnswer(principal));
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
