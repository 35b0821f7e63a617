// POST /api/events latency (p50, p99) and requests/s with a creator's key, through the real API on real PostgreSQL.
//
//   npx tsx bench/announce-http.ts [requests, default 2000] [concurrency, default 16] [--embedded]
// Uses TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/fanfare_test), or with --embedded the embedded
// PostgreSQL `fanfare dev` runs (in a scratch data directory), with a scratch schema and a Temporal dev server of its
// own. Each request is authenticated (key lookup, constant-time hash check), checked,
// counted by the rate limiter (raised for the run), stored and its announceEvent workflow started; no worker runs
// the workflows, so what is timed is the API's part only.
import { chmodSync, mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { readConfig, readToolPaths } from '../app/config.ts';
import { createAuth } from '../auth/auth.ts';
import { startEmbeddedPostgres } from '../dev/embedded-postgres.ts';
import { startDevServer } from '../dev/temporal.ts';
import { createApi } from '../http/api.ts';
import { consoleCacheDir } from '../http/console-static.ts';
import { seedAudience } from '../testing/audience.ts';
import { creatorAuthorization } from '../testing/creator-keys.ts';
import { createTestSchema } from '../testing/db.ts';

const args = process.argv.slice(2);
const EMBEDDED = args.includes('--embedded');
const [requests, concurrency] = args.filter((a) => a !== '--embedded');
const REQUESTS = Number(requests ?? 2000);
const CONCURRENCY = Number(concurrency ?? 16);
const WARM_UP = 50;

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

const load = loadavg();
/** A scratch directory the server's OS user (postgres, when we are root) can walk into. */
function reachableTempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fanfare-bench-pg-'));
  chmodSync(dir, 0o755);
  return dir;
}

const embedded = EMBEDDED
  ? await startEmbeddedPostgres({
      dataDir: join(reachableTempDir(), 'pg'),
      cacheDir: readToolPaths().cacheDir,
    })
  : undefined;
const db = await createTestSchema('bench_announce_http', { url: embedded?.connectionString });
const temporal = await startDevServer();
const connection = await Connection.connect({ address: temporal.address });
const client = new Client({ connection });
const config = readConfig({ DATABASE_URL: db.connectionString, ANNOUNCE_RATE_LIMIT: '1000000' });
const app = await createApi(
  {
    pool: db.pool,
    temporal: client,
    auth: createAuth(db.pool, config.auth),
    console: { cacheDir: consoleCacheDir(readToolPaths().cacheDir), log: () => undefined },
  },
  { log: (line) => process.stderr.write(`${line}\n`) },
);
try {
  const api = await app.listen({ port: 0, host: '127.0.0.1' });
  const { creatorId } = await seedAudience(db.pool, {
    fans: 20,
    noPush: Array.from({ length: 20 }, (_, i) => i),
    subscribe: () => {
      throw new Error('no push subscriptions in this benchmark');
    },
  });
  const authorization = await creatorAuthorization(db.pool, creatorId, 'bench');
  const announce = async (n: number): Promise<number> => {
    const started = performance.now();
    const res = await fetch(`${api}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({
        creatorId,
        kind: 'post',
        title: `Bench post ${n}`,
        url: `https://example.com/bench/${n}`,
        audience: 'all',
        idempotencyKey: `bench-${n}`,
      }),
    });
    await res.arrayBuffer();
    if (res.status !== 201) throw new Error(`POST /api/events answered ${res.status}`);
    return performance.now() - started;
  };

  /** Runs requests from..to with CONCURRENCY in flight; returns each one's milliseconds. */
  const run = async (from: number, to: number) => {
    const times: number[] = [];
    let next = from;
    const lane = async () => {
      while (next < to) times.push(await announce(next++));
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, lane));
    return times;
  };
  await run(0, WARM_UP);
  const t0 = performance.now();
  const times = (await run(WARM_UP, WARM_UP + REQUESTS)).sort((a, b) => a - b);
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(
    `POST /api/events with a creator key: ${REQUESTS} requests, ${CONCURRENCY} in flight: ` +
      `p50 ${quantile(times, 0.5).toFixed(1)} ms, p99 ${quantile(times, 0.99).toFixed(1)} ms, ` +
      `max ${times[times.length - 1].toFixed(1)} ms, ${(REQUESTS / seconds).toFixed(0)} requests/s ` +
      `(load average before: ${load.map((l) => l.toFixed(1)).join(' ')}; after: ` +
      `${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')})\n`,
  );
} finally {
  await app.close();
  await connection.close();
  await temporal.stop();
  await db.drop();
  await embedded?.stop();
}
