// `fanfare cluster`: the Temporal server on PostgreSQL, N `fanfare worker` processes and `fanfare api`, each a
// detached process with its own log, recorded in a state file so that `down` stops exactly what `up` started.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ClusterSettings, readToolPaths, type ToolPaths } from '../app/config.ts';
import { ensureDatabase } from '../db/databases.ts';
import { migrate } from '../db/migrate.ts';
import { freePort } from '../testing/free-port.ts';
import { waitUntilReady } from './temporal.ts';
import {
  choosePorts,
  DEFAULT_DATABASE_NAMES,
  findTemporalServer,
  registerNamespace,
  setupTemporalDatabases,
  type TemporalDatabases,
  type TemporalServerPorts,
  writeServerConfig,
} from './temporal-server.ts';

export const CLUSTER_DIR = fileURLToPath(new URL('../.data/cluster', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/fanfare.js', import.meta.url));

/** One detached process: its pid is its process group, and its start time tells it from a later process. */
export interface ClusterProcess {
  pid: number;
  /** /proc/PID/stat's start time (clock ticks since boot): a pid reused by another process does not match. */
  startTicks: string;
  log: string;
}

export interface ClusterState {
  startedAt: string;
  temporal: ClusterProcess & {
    address: string;
    namespace: string;
    ports: TemporalServerPorts;
    databases: { main: string; visibility: string };
  };
  /** The app's database, without its password. */
  database: string;
  workers: (ClusterProcess & { metrics: string; temporalMetrics: string })[];
  api?: ClusterProcess & { url: string; metrics: string };
}

export interface ClusterUpOptions {
  settings: ClusterSettings;
  workers: number;
  /** The API's port; free when omitted. */
  apiPort?: number;
  /** The Temporal front end's port; free when omitted. */
  temporalPort?: number;
  namespace?: string;
  retentionDays?: number;
  historyShards?: number;
  /** The environment the workers and the API start with (SMTP, push, links...); this process's by default. */
  env?: Record<string, string | undefined>;
  dir?: string;
  paths?: ToolPaths;
  log?: (line: string) => void;
}

/** The fields of /proc/PID/stat after the command name, which may itself hold spaces and parentheses. */
function procStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Start time of a live (not zombie) process, or undefined. Field 22 of stat is the 20th after the name. */
function startTicksOf(pid: number): string | undefined {
  const fields = procStat(pid);
  if (!fields || fields[0] === 'Z' || fields[0] === 'X') return undefined;
  return fields[19];
}

export function isRunning(p: Pick<ClusterProcess, 'pid' | 'startTicks'>): boolean {
  return startTicksOf(p.pid) === p.startTicks;
}

/** Starts `command` detached (its own process group), its output written to `log` (emptied first), not waited for. */
export function spawnDetached(
  command: string,
  args: string[],
  log: string,
  env: Record<string, string | undefined>,
): ClusterProcess {
  const fd = openSync(log, 'w', 0o600);
  try {
    const child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd], env });
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    child.unref();
    const startTicks = startTicksOf(child.pid);
    if (startTicks === undefined) throw new Error(`${command} exited at once; see ${log}`);
    return { pid: child.pid, startTicks, log };
  } finally {
    closeSync(fd);
  }
}

/** SIGTERM to the process group, SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopProcess(p: ClusterProcess, graceMs: number): Promise<'stopped' | 'killed' | 'gone'> {
  if (!isRunning(p)) return 'gone';
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-p.pid, s);
    } catch {
      // ESRCH: gone already.
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isRunning(p)) return 'stopped';
    await sleep(100);
  }
  signal('SIGKILL');
  while (isRunning(p)) await sleep(50);
  return 'killed';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function tail(path: string): string {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .slice(-30)
      .map((line) => (line.length > 400 ? `${line.slice(0, 400)}…` : line))
      .join('\n');
  } catch {
    return '';
  }
}

/** Waits until `ready` holds, failing with the log's tail if the process exits first or the time runs out. */
async function waitFor(what: string, p: ClusterProcess, timeoutMs: number, ready: () => Promise<boolean>) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isRunning(p)) throw new Error(`${what} exited before it was ready; last lines of ${p.log}:\n${tail(p.log)}`);
    if (await ready()) return;
    await sleep(250);
  }
  throw new Error(`${what} not ready within ${timeoutMs / 1000} s; last lines of ${p.log}:\n${tail(p.log)}`);
}

function withoutPassword(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

function stateFile(dir: string): string {
  return join(dir, 'state.json');
}

export async function readClusterState(dir = CLUSTER_DIR): Promise<ClusterState | undefined> {
  try {
    return JSON.parse(await readFile(stateFile(dir), 'utf8')) as ClusterState;
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return undefined;
    throw new Error(`${stateFile(dir)}: unreadable cluster state (${(err as Error).message})`);
  }
}

async function writeState(dir: string, state: ClusterState): Promise<void> {
  await writeFile(stateFile(dir), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

/** Every process the state names, the API first and the server last: the order `down` stops them in. */
export function processesOf(state: ClusterState): { name: string; process: ClusterProcess }[] {
  return [
    ...(state.api ? [{ name: 'api', process: state.api }] : []),
    ...state.workers.map((w, i) => ({ name: `worker ${i + 1}`, process: w })),
    { name: 'temporal', process: state.temporal },
  ];
}

/** The environment of one `fanfare worker` of the cluster: its database, its server and its own metrics ports. */
async function workerEnv(base: Record<string, string | undefined>, state: ClusterState, databaseUrl: string) {
  const metrics = `127.0.0.1:${await freePort()}`;
  const temporalMetrics = `127.0.0.1:${await freePort()}`;
  return {
    metrics,
    temporalMetrics,
    env: {
      ...base,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: state.temporal.address,
      TEMPORAL_NAMESPACE: state.temporal.namespace,
      FANFARE_WORKER_METRICS_ADDRESS: metrics,
      FANFARE_TEMPORAL_METRICS_ADDRESS: temporalMetrics,
    },
  };
}

/** Starts one more `fanfare worker` of the cluster and waits until it polls its task queues. */
export async function startClusterWorker(
  state: ClusterState,
  databaseUrl: string,
  base: Record<string, string | undefined>,
  log: string,
): Promise<ClusterState['workers'][number]> {
  const { env, metrics, temporalMetrics } = await workerEnv(base, state, databaseUrl);
  const p = spawnDetached(process.execPath, [BIN, 'worker'], log, env);
  await waitFor(`worker (pid ${p.pid})`, p, 180_000, async () => tail(log).includes('fanfare worker: polling'));
  return { ...p, metrics, temporalMetrics };
}

/**
 * Brings the cluster up: the server's databases set up with its schema tool, the server, its namespace, the app's
 * database migrated, the workers and the API. The state file is written after each start, so a failure part-way
 * leaves what `down` needs to stop what did start (and `up` stops it itself before throwing).
 */
export async function clusterUp(options: ClusterUpOptions): Promise<ClusterState> {
  const dir = options.dir ?? CLUSTER_DIR;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const base = options.env ?? process.env;
  const existing = await readClusterState(dir);
  if (existing && processesOf(existing).some((p) => isRunning(p.process)))
    throw new Error(`a cluster is already running (state in ${stateFile(dir)}); stop it with \`fanfare cluster down\``);
  await mkdir(dir, { recursive: true });
  const timed = async <T>(what: string, step: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await step();
    log(`${what} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    return result;
  };

  const binaries = await findTemporalServer(options.paths ?? readToolPaths(base));
  const databases: TemporalDatabases = { serverUrl: options.settings.temporalPostgresUrl, ...DEFAULT_DATABASE_NAMES };
  await timed('temporal: schemas ready', () => setupTemporalDatabases(binaries.sqlTool, databases, log));
  const databaseUrl = options.settings.databaseUrl;
  await timed(`postgres: ${withoutPassword(databaseUrl)} migrated`, async () => {
    await ensureDatabase(databaseUrl);
    await migrate({ connectionString: databaseUrl });
  });

  const ports = await choosePorts(options.temporalPort);
  const args = await writeServerConfig(join(dir, 'temporal'), {
    databases,
    ports,
    historyShards: options.historyShards,
  });
  const server = spawnDetached(binaries.server, args, join(dir, 'temporal.log'), { PATH: '/usr/bin:/bin' });
  const state: ClusterState = {
    startedAt: new Date().toISOString(),
    temporal: {
      ...server,
      address: `127.0.0.1:${ports.frontend}`,
      namespace: options.namespace ?? 'default',
      ports,
      databases: { main: databases.main, visibility: databases.visibility },
    },
    database: withoutPassword(databaseUrl),
    workers: [],
  };
  await writeState(dir, state);
  try {
    await timed(`temporal: server ${state.temporal.address} ready, pid ${server.pid}`, async () => {
      const exited = () => !isRunning(server);
      await waitUntilReady(state.temporal.address, 'temporal-system', 120_000, exited, 'Temporal server').catch(
        (err: Error) => {
          throw new Error(`${err.message}\nlast lines of ${server.log}:\n${tail(server.log)}`);
        },
      );
      await registerNamespace(state.temporal.address, state.temporal.namespace, options.retentionDays ?? 3);
    });
    await timed(`workers: ${options.workers} polling`, async () => {
      // Started together: each bundles the workflow code on start, seconds of CPU apiece.
      const started = await Promise.all(
        Array.from({ length: options.workers }, (_, i) =>
          startClusterWorker(state, databaseUrl, base, join(dir, `worker-${i + 1}.log`)),
        ),
      );
      state.workers.push(...started);
      await writeState(dir, state);
    });
    await timed('api: answering', async () => {
      const port = options.apiPort ?? (await freePort());
      const metrics = `127.0.0.1:${await freePort()}`;
      const url = `http://127.0.0.1:${port}`;
      const api = spawnDetached(process.execPath, [BIN, 'api'], join(dir, 'api.log'), {
        ...base,
        DATABASE_URL: databaseUrl,
        TEMPORAL_ADDRESS: state.temporal.address,
        TEMPORAL_NAMESPACE: state.temporal.namespace,
        PORT: String(port),
        HOST: '127.0.0.1',
        FANFARE_API_METRICS_ADDRESS: metrics,
      });
      state.api = { ...api, url, metrics };
      await writeState(dir, state);
      await waitFor(`api (pid ${api.pid})`, api, 60_000, () =>
        fetch(`${url}/healthz`).then(
          (r) => r.ok,
          () => false,
        ),
      );
    });
    return state;
  } catch (err) {
    await clusterDown(dir, () => undefined);
    throw err;
  }
}

/** Stops what the state file names (the API, the workers, then the server) and removes the file. */
export async function clusterDown(
  dir = CLUSTER_DIR,
  log: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<boolean> {
  const state = await readClusterState(dir);
  if (!state) return false;
  for (const { name, process: p } of processesOf(state)) {
    const started = performance.now();
    // Workers finish the activity in hand; the server flushes its shards.
    const how = await stopProcess(p, name === 'api' ? 5_000 : 20_000);
    log(`${name}: pid ${p.pid} ${how}${how === 'gone' ? '' : ` in ${Math.round(performance.now() - started)} ms`}`);
  }
  await rm(stateFile(dir), { force: true });
  return true;
}
