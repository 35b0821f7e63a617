// The growth team's members: username, argon2id password hash, role; removal keeps the row for the audit.
import type { Role } from '../domain/principal.ts';
import { type Pool, withTransaction } from './pool.ts';

/** A current or removed member, without the password hash. */
export interface TeamMember {
  id: number;
  username: string;
  role: Role;
  createdAt: Date;
  removedAt: Date | null;
}

const COLUMNS = 'id, username, role, created_at, removed_at';

type Row = { id: number; username: string; role: Role; created_at: Date; removed_at: Date | null };

const toMember = (r: Row): TeamMember => ({
  id: r.id,
  username: r.username,
  role: r.role,
  createdAt: r.created_at,
  removedAt: r.removed_at,
});

export class DuplicateUsernameError extends Error {
  constructor(readonly username: string) {
    super(`username: "${username}" is already a team member`);
  }
}

/** Adds a member; throws DuplicateUsernameError when a current member has the username. */
export async function insertMember(
  pool: Pool,
  username: string,
  passwordHash: string,
  role: Role,
): Promise<TeamMember> {
  try {
    const r = await pool.query<Row>(
      `insert into team_members (username, password_hash, role) values ($1::text, $2::text, $3::text)
       returning ${COLUMNS}`,
      [username, passwordHash, role],
    );
    return toMember(r.rows[0]);
  } catch (err) {
    if ((err as { code?: string }).code === '23505') throw new DuplicateUsernameError(username);
    throw err;
  }
}

/** A current member with the password hash to verify a login against; null when there is none. */
export async function memberForLogin(
  pool: Pool,
  username: string,
): Promise<(TeamMember & { passwordHash: string }) | null> {
  const r = await pool.query<Row & { password_hash: string }>(
    `select ${COLUMNS}, password_hash from team_members where username = $1::text and removed_at is null`,
    [username],
  );
  const row = r.rows[0];
  return row ? { ...toMember(row), passwordHash: row.password_hash } : null;
}

/** The current members, by username. */
export async function listMembers(pool: Pool): Promise<TeamMember[]> {
  const r = await pool.query<Row>(`select ${COLUMNS} from team_members where removed_at is null order by username`);
  return r.rows.map(toMember);
}

/** Removes a current member and revokes all their sessions in one transaction; null when there is no such member. */
export async function removeMember(pool: Pool, username: string): Promise<TeamMember | null> {
  return withTransaction(pool, async (client) => {
    const r = await client.query<Row>(
      `update team_members set removed_at = now() where username = $1::text and removed_at is null
       returning ${COLUMNS}`,
      [username],
    );
    if (!r.rows[0]) return null;
    await client.query(`update sessions set revoked_at = now() where member_id = $1::bigint and revoked_at is null`, [
      r.rows[0].id,
    ]);
    return toMember(r.rows[0]);
  });
}

/** Changes a current member's role; their sessions carry the new role from their next request. */
export async function setMemberRole(pool: Pool, username: string, role: Role): Promise<TeamMember | null> {
  const r = await pool.query<Row>(
    `update team_members set role = $2::text where username = $1::text and removed_at is null returning ${COLUMNS}`,
    [username, role],
  );
  return r.rows[0] ? toMember(r.rows[0]) : null;
}

/** Replaces a current member's password hash; false when there is no such member. */
export async function setMemberPassword(pool: Pool, username: string, passwordHash: string): Promise<boolean> {
  const r = await pool.query(
    `update team_members set password_hash = $2::text where username = $1::text and removed_at is null`,
    [username, passwordHash],
  );
  return r.rowCount === 1;
}

/** The current member with this username; null when there is none. */
export async function currentMember(pool: Pool, username: string): Promise<TeamMember | null> {
  const r = await pool.query<Row>(
    `select ${COLUMNS} from team_members where username = $1::text and removed_at is null`,
    [username],
  );
  return r.rows[0] ? toMember(r.rows[0]) : null;
}
