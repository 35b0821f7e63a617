// What the HTTP layer calls, whatever the framework: who a request is, logging in and out, the announce allowance,
// and the session cookie's text. One object per API process, over the pool and the settings from app/config.ts.
import type { Pool } from '../db/pool.ts';
import type { CreatorPrincipal, TeamPrincipal } from '../domain/principal.ts';
import { authenticateCreatorKey } from './creator-keys.ts';
import { type AnnounceLimiter, createAnnounceLimiter } from './rate-limit.ts';
import { authenticateServiceCredential } from './service-credentials.ts';
import type { AuthSettings } from './settings.ts';
import { type LoginResult, login, logout, logoutEverywhere, sessionFromToken } from './team.ts';
import { createLoginThrottle } from './throttle.ts';
import { createTokenThrottle, type TokenThrottle } from './token-throttle.ts';
import { bearerToken } from './tokens.ts';

/** The console session's cookie. */
export const SESSION_COOKIE = 'fanfare_session';

/** The request headers authentication reads, as any framework gives them. */
export interface AuthHeaders {
  authorization?: string;
  cookie?: string;
}

export interface Auth {
  /** The creator a request's `Authorization: Bearer ffk_…` acts for; null → 401. */
  creator(headers: AuthHeaders): Promise<CreatorPrincipal | null>;
  /**
   * The team principal of a request: a service credential when it carries `Authorization: Bearer`, else the member
   * of its session cookie. A bearer header that is not a live credential is null (no falling back to the cookie).
   */
  team(headers: AuthHeaders): Promise<TeamPrincipal | null>;
  /** Checks a login from a client address; a session's token goes into `sessionCookie`. */
  login(username: string, password: string, address: string): Promise<LoginResult>;
  /** Ends the request's session, if it has one. */
  logout(headers: AuthHeaders): Promise<void>;
  /** Ends every session of a member. */
  logoutEverywhere(memberId: number): Promise<number>;
  /** Takes one announcement from a creator's allowance; refused → 429 with `Retry-After`. */
  announce: AnnounceLimiter['take'];
  /** Wrong bearer tokens counted per client address; a locked address is refused every token (429). */
  tokens: TokenThrottle;
}

export function createAuth(pool: Pool, settings: AuthSettings): Auth {
  const throttle = createLoginThrottle(pool, settings.loginThrottle);
  const announce = createAnnounceLimiter(pool, settings.announceRate);
  return {
    async creator(headers) {
      const token = bearerToken(headers.authorization);
      return token ? authenticateCreatorKey(pool, token) : null;
    },
    async team(headers) {
      if (headers.authorization !== undefined) {
        const token = bearerToken(headers.authorization);
        return token ? authenticateServiceCredential(pool, token) : null;
      }
      const session = cookieValue(headers.cookie, SESSION_COOKIE);
      return session ? sessionFromToken(pool, session) : null;
    },
    login: (username, password, address) =>
      login({ pool, throttle, sessionLifetimeMs: settings.sessionLifetimeMs }, username, password, address),
    async logout(headers) {
      const session = cookieValue(headers.cookie, SESSION_COOKIE);
      if (session) await logout(pool, session);
    },
    logoutEverywhere: (memberId) => logoutEverywhere(pool, memberId),
    announce: (creatorId) => announce.take(creatorId),
    tokens: createTokenThrottle(pool, settings.tokenThrottle),
  };
}

/** A cookie's value from a Cookie header; undefined when absent. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/**
 * The Set-Cookie value of a new session: HttpOnly (no script reads it), SameSite=Strict (no other site's page makes
 * the browser send it), and Secure when the API is served over TLS, so it never travels in clear.
 */
export function sessionCookie(token: string, expiresAt: Date, o: { secure: boolean }): string {
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000));
  const secure = o.secure ? '; Secure' : '';
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure}`;
}

/** The Set-Cookie value that clears the session cookie (logout). */
export function clearedSessionCookie(o: { secure: boolean }): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${o.secure ? '; Secure' : ''}`;
}
