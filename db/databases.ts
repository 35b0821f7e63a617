// Databases and schemas themselves: created when missing (a fresh server, a test run), dropped when a test is done.
import pg from 'pg';

/** Creates the database named in `url` through the server's `postgres` database, unless it exists already. */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!name) throw new Error(`database URL must name a database, got "${url}"`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1::text', [name]);
    if (rowCount) return;
    await client.query(`create database ${client.escapeIdentifier(name)}`);
  } catch (err) {
    // Two processes creating it at once: one wins, the other sees duplicate_database or unique_violation.
    const code = (err as { code?: string }).code;
    if (code !== '42P04' && code !== '23505') throw err;
  } finally {
    await client.end();
  }
}

async function onOneClient(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

/** An empty schema in the database at `url`. */
export async function createSchema(url: string, schema: string): Promise<void> {
  await onOneClient(url, `create schema ${pg.escapeIdentifier(schema)}`);
}

/** Drops the schema and everything in it. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  await onOneClient(url, `drop schema if exists ${pg.escapeIdentifier(schema)} cascade`);
}

/** The process ids of the server backends serving connections with this application_name. */
export async function backendPids(db: Pick<pg.Pool, 'query'>, applicationName: string): Promise<number[]> {
  const r = await db.query(`select pid from pg_stat_activity where application_name = $1::text`, [applicationName]);
  return r.rows.map((row) => row.pid);
}

/** Drops the database named in `url` (through the server's `postgres` database), ending its sessions; none is fine. */
export async function dropDatabase(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!name) throw new Error(`database URL must name a database, got "${url}"`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  await onOneClient(admin.toString(), `drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
}

/** The size of the connected database on disk, in bytes. */
export async function databaseSize(db: Pick<pg.Pool, 'query'>): Promise<number> {
  const r = await db.query<{ bytes: string }>('select pg_database_size(current_database())::text as bytes');
  return Number(r.rows[0].bytes);
}

/** Exact row counts of the tables a seeded history fills (a count scan each: seconds on millions of rows). */
export async function historyRowCounts(db: Pick<pg.Pool, 'query'>): Promise<Record<string, number>> {
  const r = await db.query<Record<string, string>>(
    `select (select count(*) from fans)::text as fans, (select count(*) from memberships)::text as memberships,
            (select count(*) from creator_events)::text as events, (select count(*) from decisions)::text as decisions,
            (select count(*) from deliveries)::text as deliveries,
            (select count(*) from engagement_events)::text as engagement_events`,
  );
  return Object.fromEntries(Object.entries(r.rows[0]).map(([k, v]) => [k, Number(v)]));
}

/** Refreshes the planner's statistics of every table in the connected database (after a bulk load). */
export async function analyzeDatabase(db: Pick<pg.Pool, 'query'>): Promise<void> {
  await db.query('analyze');
}

/** Reclaims a table's dead rows and refreshes its statistics (between benchmark runs that delete what they wrote). */
export async function vacuumTable(db: Pick<pg.Pool, 'query'>, table: 'decisions'): Promise<void> {
  await db.query(`vacuum analyze ${pg.escapeIdentifier(table)}`);
}

/** Has `clients` of the pool's connections open at once, so a measurement that follows pays no connection set-up. */
export async function openConnections(db: pg.Pool, clients: number): Promise<void> {
  const held = await Promise.all(Array.from({ length: clients }, () => db.connect()));
  for (const client of held) client.release();
}
