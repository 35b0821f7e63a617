// Who may use the admin API and the console: the ADMIN_TOKEN as a bearer token, or a session cookie got by logging in.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FieldError } from '../domain/field-error.ts';
import type { ErrorAnswer } from '../wire/errors.ts';
import type { Answer, RequestHead } from './answer.ts';

export const SESSION_COOKIE = 'fanfare_admin';
/** A console session lasts a working day; logging in again starts a new one. */
export const SESSION_TTL_MS = 12 * 3_600_000;
const ACTOR_RULE = /^[\w.@+ -]{1,100}$/;

export interface AdminSession {
  /** The name given at login, recorded as `console:<name>` in the policy audit. */
  name: string;
  expiresAt: number;
}

/** Who an authorized request acts as: a console session's person, or the bearer token's caller. */
export type AdminPrincipal = { kind: 'session'; name: string } | { kind: 'bearer' };

export interface AdminAuth {
  /** null when the request may pass; else the 401 to answer. */
  check(req: RequestHead): { principal: AdminPrincipal } | { denied: Answer };
  /** Checks the token and the name; on success a new session and its Set-Cookie value. */
  login(token: string, name: string): { cookie: string } | { errors: FieldError[] };
  /** Ends the request's session, if any; returns the Set-Cookie value that clears it. */
  logout(req: RequestHead): string;
}

export function unauthorized(rule: string): Answer {
  const body: ErrorAnswer = { errors: [{ field: 'Authorization', rule }] };
  return { status: 401, headers: { 'www-authenticate': 'Bearer realm="fanfare-admin"' }, body };
}

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function cookieValue(req: RequestHead, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
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
 * Sessions live in this process's memory: a restart logs everyone out, and several API processes behind a balancer
 * would need sticky sessions. The cookie is HttpOnly and SameSite=Strict, so a page on another site can neither read
 * it nor make the browser send it.
 */
export function createAdminAuth(token: string | undefined, now: () => number = Date.now): AdminAuth {
  const sessions = new Map<string, AdminSession>();

  function session(req: RequestHead): AdminSession | null {
    const id = cookieValue(req, SESSION_COOKIE);
    if (!id) return null;
    const s = sessions.get(id);
    if (!s) return null;
    if (s.expiresAt <= now()) {
      sessions.delete(id);
      return null;
    }
    return s;
  }

  return {
    check(req) {
      if (!token) return { denied: unauthorized('the admin API is disabled: set ADMIN_TOKEN') };
      const header = req.headers.authorization;
      if (header !== undefined) {
        const m = /^Bearer (\S+)$/.exec(header);
        if (!m) return { denied: unauthorized('must be "Bearer <ADMIN_TOKEN>"') };
        if (!sameToken(m[1], token)) return { denied: unauthorized('must carry the admin token') };
        return { principal: { kind: 'bearer' } };
      }
      const s = session(req);
      if (!s)
        return { denied: unauthorized('must be "Bearer <ADMIN_TOKEN>" or a console session: log in at /console/') };
      // A cookie rides along on any request the browser makes; a change must also come from our own pages.
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        const origin = req.headers.origin;
        const host = req.headers.host;
        if (origin !== undefined && host !== undefined && originHost(origin) !== host) {
          const rule = 'must be this console for a change made with a session';
          const body: ErrorAnswer = { errors: [{ field: 'Origin', rule }] };
          return { denied: { status: 403, body } };
        }
      }
      return { principal: { kind: 'session', name: s.name } };
    },

    login(given, name) {
      const errors: FieldError[] = [];
      if (!token) errors.push({ field: 'token', rule: 'the admin API is disabled: set ADMIN_TOKEN' });
      else if (!sameToken(given, token)) errors.push({ field: 'token', rule: 'must be the admin token' });
      if (!ACTOR_RULE.test(name.trim()))
        errors.push({ field: 'name', rule: 'must be 1 to 100 letters, digits, spaces or . _ @ + -' });
      if (errors.length) return { errors };
      const id = randomBytes(32).toString('base64url');
      sessions.set(id, { name: name.trim(), expiresAt: now() + SESSION_TTL_MS });
      return { cookie: `${SESSION_COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_TTL_MS / 1000}` };
    },

    logout(req) {
      const id = cookieValue(req, SESSION_COOKIE);
      if (id) sessions.delete(id);
      return `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`;
    },
  };
}

/**
 * The audit's actor for a change: `console:<name>` for a session,
 * else the X-Fanfare-Actor header's `api:<name>`, else "admin-api".
 */
export function actorOf(req: RequestHead, principal: AdminPrincipal): { actor: string } | { error: Answer } {
  if (principal.kind === 'session') return { actor: `console:${principal.name}` };
  const raw = req.headers['x-fanfare-actor'];
  if (raw === undefined) return { actor: 'admin-api' };
  const value = Array.isArray(raw) ? raw.join(',') : raw;
  if (!ACTOR_RULE.test(value.trim())) {
    const rule = 'must be 1 to 100 letters, digits, spaces or . _ @ + -';
    const body: ErrorAnswer = { errors: [{ field: 'X-Fanfare-Actor', rule }] };
    return { error: { status: 400, body } };
  }
  return { actor: `api:${value.trim()}` };
}
