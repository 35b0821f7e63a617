// Console sessions in PostgreSQL: the SHA-256 of each cookie token, its member, when it ends, and its revocation.
import type { Role } from '../domain/principal.ts';
import type { Pool } from './pool.ts';

/** A live session and the member it belongs to, as the member is now (a changed role shows at once). */
export interface LiveSession {
  id: number;
  memberId: number;
  username: string;
  role: Role;
  createdAt: Date;
  expiresAt: Date;
  lastSeenAt: Date;
}

/** Starts a session that lasts lifetimeMs from the database's now. */
export async function insertSession(
  pool: Pool,
  memberId: number,
  tokenHash: Buffer,
  lifetimeMs: number,
): Promise<{ id: number; expiresAt: Date }> {
  const r = await pool.query<{ id: number; expires_at: Date }>(
    `insert into sessions (member_id, token_hash, expires_at)
     values ($1::bigint, $2::bytea, now() + $3::bigint * interval '1 millisecond')
     returning id, expires_at`,
    [memberId, tokenHash, lifetimeMs],
  );
  return { id: r.rows[0].id, expiresAt: r.rows[0].expires_at };
}

/** The session with this token hash if it is unrevoked, unexpired and its member not removed; else null. */
export async function liveSession(pool: Pool, tokenHash: Buffer): Promise<LiveSession | null> {
  const r = await pool.query<{
    id: number;
    member_id: number;
    username: string;
    role: Role;
    created_at: Date;
    expires_at: Date;
    last_seen_at: Date;
  }>(
    `select s.id, s.member_id, m.username, m.role, s.created_at, s.expires_at, s.last_seen_at
       from sessions s join team_members m on m.id = s.member_id
      where s.token_hash = $1::bytea and s.revoked_at is null and s.expires_at > now() and m.removed_at is null`,
    [tokenHash],
  );
  const row = r.rows[0];
  if (!row) return null;
  return {
    id: row.id,
    memberId: row.member_id,
    username: row.username,
    role: row.role,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastSeenAt: row.last_seen_at,
  };
}

/** Records that the session was used, at most once a minute. */
export async function touchSession(pool: Pool, id: number): Promise<void> {
  await pool.query(
    `update sessions set last_seen_at = now() where id = $1::bigint and last_seen_at < now() - interval '1 minute'`,
    [id],
  );
}

/** Revokes the session with this token hash (logout); false when it was not live. */
export async function revokeSession(pool: Pool, tokenHash: Buffer): Promise<boolean> {
  const r = await pool.query(
    `update sessions set revoked_at = now() where token_hash = $1::bytea and revoked_at is null`,
    [tokenHash],
  );
  return r.rowCount === 1;
}

/** Revokes every session of a member (logout everywhere); returns how many were live. */
export async function revokeMemberSessions(pool: Pool, memberId: number): Promise<number> {
  const r = await pool.query(
    `update sessions set revoked_at = now()
      where member_id = $1::bigint and revoked_at is null and expires_at > now()`,
    [memberId],
  );
  return r.rowCount ?? 0;
}
