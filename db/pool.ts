// Makes PostgreSQL pools in one place, so every process parses bigints and timestamps alike and logs pool errors.
import pg from 'pg';

// bigint (int8) ids fit in a JS number for any table we will ever have; parse them as numbers.
pg.types.setTypeParser(20, (v) => Number(v));

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

export interface PoolOptions {
  /** Names the pool in its error lines, e.g. "worker" or "api". */
  name?: string;
  /** Where pool errors go; stderr by default. */
  log?: (line: string) => void;
}

export function createPool(connectionString: string, max = 10, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString, max });
  const name = options.name ?? 'fanfare';
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  // An idle client losing its connection (a server restart, a network cut) must not crash the process: the next query
  // reconnects. It is still worth a line, or an outage looks like slowness.
  pool.on('error', (err) => log(`postgres pool "${name}": idle connection lost: ${err.message}`));
  // A checked-out client holding no query hears its connection's loss (a server shutting down right after a reply, in
  // the same read) as an 'error' event that only idle clients have a listener for: unheard, it stops the process. Its
  // next query fails with the loss instead, and the pool discards it on release.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/** Runs fn inside a transaction on one client. */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await fn(client);
    await client.query('commit');
    return result;
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** One round trip, for health checks and waiting until a server accepts queries. */
export async function ping(db: Pick<pg.Pool, 'query'>): Promise<void> {
  await db.query('select 1');
}
