// Bearer tokens under their address's throttle (auth/token-throttle.ts): a locked address is answered 429 for any
// token, the right one included.
import type { TokenThrottle } from '../auth/token-throttle.ts';
import { type Answer, refuse } from './answer.ts';

/** A bearer check refused because the client's address is locked out for wrong tokens. */
export interface LockedOut {
  kind: 'locked-out';
  retryAfterSeconds: number;
}

/** The request parts the throttle reads; a Fastify request is one. */
export interface BearerRequest {
  ip: string;
  headers: { authorization?: string };
}

/** The 429 of a locked-out address, with `Retry-After`. */
export function lockedOutAnswer(l: LockedOut): Answer {
  const rule = `too many wrong bearer tokens from this address: try again in ${l.retryAfterSeconds} s`;
  const answer = refuse(429, { field: 'Authorization', rule });
  return { ...answer, headers: { 'retry-after': String(l.retryAfterSeconds) } };
}

/**
 * Runs a bearer check under the address's throttle. A request without an Authorization header carries no token: it
 * is checked as it is and never counted. Otherwise a locked address is refused before the token is looked at, and a
 * token that proves nobody counts against the address (one that comes past the limit, racing the lockout, is refused
 * as locked out).
 */
export async function throttledBearer<P>(
  tokens: TokenThrottle,
  req: BearerRequest,
  check: () => Promise<P | null>,
): Promise<P | null | LockedOut> {
  if (req.headers.authorization === undefined) return check();
  const before = await tokens.lockedFor(req.ip);
  if (before !== null) return { kind: 'locked-out', retryAfterSeconds: before };
  const principal = await check();
  if (principal !== null) return principal;
  const after = await tokens.failed(req.ip);
  return after === null ? null : { kind: 'locked-out', retryAfterSeconds: after };
}
