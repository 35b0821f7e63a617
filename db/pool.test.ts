// A pool's lost connection, idle or checked out: no crash, one line naming the pool for an idle one, and the next query
// reconnects.
import { afterAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../app/config.ts';
import { createPool, ping } from './pool.ts';

const lines: string[] = [];
const pool = createPool(testDatabaseUrl(), 1, { name: 'worker', log: (line) => lines.push(line) });
const admin = createPool(testDatabaseUrl(), 1, { name: 'test admin', log: () => undefined });

afterAll(async () => {
  await pool.end();
  await admin.end();
});

describe('createPool', () => {
  it('logs an idle connection cut by the server with the pool name, and serves the next query', async () => {
    const pid = (await pool.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0].pid;
    expect(pool.idleCount).toBe(1);
    await admin.query('select pg_terminate_backend($1)', [pid]);
    const deadline = Date.now() + 5_000;
    while (lines.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));

    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^postgres pool "worker": idle connection lost: \S/);
    await ping(pool);
    const again = (await pool.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0].pid;
    expect(again).not.toBe(pid);
  });

  it('survives a checked-out connection cut by the server between queries: its next query fails instead', async () => {
    const client = await pool.connect();
    const pid = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0].pid;
    // As a server shutting down does right after a reply: the client holds no query, so the goodbye is its 'error'
    // event, which nobody but the pool's own listener would hear.
    await admin.query('select pg_terminate_backend($1)', [pid]);
    await new Promise((r) => setTimeout(r, 500));
    await expect(client.query('select 1')).rejects.toThrow();
    client.release();
    const again = (await pool.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0].pid;
    expect(again).not.toBe(pid);
  });
});
