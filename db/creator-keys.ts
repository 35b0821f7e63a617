// Creators' API keys: the SHA-256 of each key's secret, never the secret; several per creator, each revocable.
import { UnknownCreatorError } from './events.ts';
import type { Pool } from './pool.ts';

/** A row of creator_keys, without its hash. */
export interface CreatorKey {
  id: number;
  creatorId: number;
  label: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const COLUMNS = 'id, creator_id, label, created_at, last_used_at, revoked_at';

type Row = {
  id: number;
  creator_id: number;
  label: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
};

const toKey = (r: Row): CreatorKey => ({
  id: r.id,
  creatorId: r.creator_id,
  label: r.label,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at,
});

/** Stores a new key's hash; throws UnknownCreatorError when there is no such creator. */
export async function insertCreatorKey(
  pool: Pool,
  creatorId: number,
  label: string,
  secretHash: Buffer,
): Promise<CreatorKey> {
  try {
    const r = await pool.query<Row>(
      `insert into creator_keys (creator_id, label, secret_hash) values ($1::bigint, $2::text, $3::bytea)
       returning ${COLUMNS}`,
      [creatorId, label, secretHash],
    );
    return toKey(r.rows[0]);
  } catch (err) {
    if ((err as { code?: string }).code === '23503') throw new UnknownCreatorError(creatorId);
    throw err;
  }
}

/** An unrevoked key's creator and hash, to compare with a presented secret; null when revoked or unknown. */
export async function activeCreatorKey(
  pool: Pool,
  id: number,
): Promise<{ id: number; creatorId: number; secretHash: Buffer } | null> {
  const r = await pool.query<{ id: number; creator_id: number; secret_hash: Buffer }>(
    `select id, creator_id, secret_hash from creator_keys where id = $1::bigint and revoked_at is null`,
    [id],
  );
  const row = r.rows[0];
  return row ? { id: row.id, creatorId: row.creator_id, secretHash: row.secret_hash } : null;
}

/** Records a use of the key, at most once a minute so a busy key does not write on every request. */
export async function touchCreatorKey(pool: Pool, id: number): Promise<void> {
  await pool.query(
    `update creator_keys set last_used_at = now()
      where id = $1::bigint and (last_used_at is null or last_used_at < now() - interval '1 minute')`,
    [id],
  );
}

/** A creator's keys, revoked ones included, oldest first. */
export async function listCreatorKeys(pool: Pool, creatorId: number): Promise<CreatorKey[]> {
  const r = await pool.query<Row>(`select ${COLUMNS} from creator_keys where creator_id = $1::bigint order by id`, [
    creatorId,
  ]);
  return r.rows.map(toKey);
}

/**
 * Revokes a key from now on; a key revoked before keeps its first revocation time. Scoped to a creator when one is
 * given (the console acting for one creator). Null when there is no such key.
 */
export async function revokeCreatorKey(pool: Pool, id: number, creatorId?: number): Promise<CreatorKey | null> {
  const r = await pool.query<Row>(
    `update creator_keys set revoked_at = coalesce(revoked_at, now())
      where id = $1::bigint and ($2::bigint is null or creator_id = $2::bigint)
      returning ${COLUMNS}`,
    [id, creatorId ?? null],
  );
  return r.rows[0] ? toKey(r.rows[0]) : null;
}
