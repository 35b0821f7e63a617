// Service credentials for automation: a name, the SHA-256 of the token's secret, a role; revocable.
import type { Role } from '../domain/principal.ts';
import type { Pool } from './pool.ts';

/** A row of service_credentials, without its hash. */
export interface ServiceCredential {
  id: number;
  name: string;
  role: Role;
  createdBy: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const COLUMNS = 'id, name, role, created_by, created_at, last_used_at, revoked_at';

type Row = {
  id: number;
  name: string;
  role: Role;
  created_by: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
};

const toCredential = (r: Row): ServiceCredential => ({
  id: r.id,
  name: r.name,
  role: r.role,
  createdBy: r.created_by,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at,
});

export class DuplicateCredentialNameError extends Error {
  constructor(readonly credentialName: string) {
    super(`name: an unrevoked service credential is already named "${credentialName}"`);
  }
}

/** Stores a new credential's hash; throws DuplicateCredentialNameError when an unrevoked one has the name. */
export async function insertServiceCredential(
  pool: Pool,
  c: { name: string; secretHash: Buffer; role: Role; createdBy: string },
): Promise<ServiceCredential> {
  try {
    const r = await pool.query<Row>(
      `insert into service_credentials (name, secret_hash, role, created_by)
       values ($1::text, $2::bytea, $3::text, $4::text) returning ${COLUMNS}`,
      [c.name, c.secretHash, c.role, c.createdBy],
    );
    return toCredential(r.rows[0]);
  } catch (err) {
    if ((err as { code?: string }).code === '23505') throw new DuplicateCredentialNameError(c.name);
    throw err;
  }
}

/** An unrevoked credential with its hash, to compare with a presented secret; null when revoked or unknown. */
export async function activeServiceCredential(
  pool: Pool,
  id: number,
): Promise<(ServiceCredential & { secretHash: Buffer }) | null> {
  const r = await pool.query<Row & { secret_hash: Buffer }>(
    `select ${COLUMNS}, secret_hash from service_credentials where id = $1::bigint and revoked_at is null`,
    [id],
  );
  const row = r.rows[0];
  return row ? { ...toCredential(row), secretHash: row.secret_hash } : null;
}

/** Records a use, at most once a minute. */
export async function touchServiceCredential(pool: Pool, id: number): Promise<void> {
  await pool.query(
    `update service_credentials set last_used_at = now()
      where id = $1::bigint and (last_used_at is null or last_used_at < now() - interval '1 minute')`,
    [id],
  );
}

/** Every credential, revoked ones included, oldest first. */
export async function listServiceCredentials(pool: Pool): Promise<ServiceCredential[]> {
  const r = await pool.query<Row>(`select ${COLUMNS} from service_credentials order by id`);
  return r.rows.map(toCredential);
}

/** Revokes a credential from now on (a second revocation keeps the first time); null when there is none. */
export async function revokeServiceCredential(pool: Pool, id: number): Promise<ServiceCredential | null> {
  const r = await pool.query<Row>(
    `update service_credentials set revoked_at = coalesce(revoked_at, now()) where id = $1::bigint
     returning ${COLUMNS}`,
    [id],
  );
  return r.rows[0] ? toCredential(r.rows[0]) : null;
}
