// Who is calling, on the wire: GET /api/admin/session, read by the console's header.

export interface SessionAnswer {
  /** The name given at login; null for a caller with the bearer token. */
  name: string | null;
  /** How the caller got in: a console session cookie, or ADMIN_TOKEN as a bearer token. */
  via: 'session' | 'bearer';
}
