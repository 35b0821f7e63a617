// The Temporal server itself (not the dev server): its binary and SQL schema tool, built into the cache like the CLI,
// its own PostgreSQL databases set up by that tool, its configuration file, and its one namespace.
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { readToolPaths, type ToolPaths } from '../app/config.ts';
import { freePort } from '../testing/free-port.ts';
import { spawnGuarded } from './guarded-process.ts';
import { waitUntilReady } from './temporal.ts';
import { goInstall, isExecutable } from './temporal-cli.ts';

export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
const SERVER_MODULE = 'go.temporal.io/server';
/** `go install` names the binaries after their folders: `server` and `sql`. */
const TARGETS = [`${SERVER_MODULE}/cmd/server`, `${SERVER_MODULE}/cmd/tools/sql`].map(
  (p) => `${p}@${TEMPORAL_SERVER_VERSION}`,
);

/** The schema versions the server's schema tool carries inside itself, so no schema files are needed beside it. */
export const SCHEMA_NAMES = { main: 'postgresql/v12/temporal', visibility: 'postgresql/v12/visibility' } as const;

export interface TemporalServerBinaries {
  server: string;
  sqlTool: string;
}

export function cachedTemporalServerDir(paths: ToolPaths = readToolPaths()): string {
  return join(paths.cacheDir, `temporal-server-${TEMPORAL_SERVER_VERSION}`);
}

async function pick(explicit: string | undefined, variable: string, cached: string): Promise<string | undefined> {
  if (explicit) {
    if (await isExecutable(explicit)) return explicit;
    throw new Error(`${variable} must name an executable; "${explicit}" is missing or not executable`);
  }
  return (await isExecutable(cached)) ? cached : undefined;
}

/** The server and the schema tool without building: TEMPORAL_SERVER_PATH / TEMPORAL_SQL_TOOL_PATH, then the cache. */
export async function locateTemporalServer(
  paths: ToolPaths = readToolPaths(),
): Promise<Partial<TemporalServerBinaries>> {
  const dir = cachedTemporalServerDir(paths);
  return {
    server: await pick(paths.temporalServerPath, 'TEMPORAL_SERVER_PATH', join(dir, 'server')),
    sqlTool: await pick(paths.temporalSqlToolPath, 'TEMPORAL_SQL_TOOL_PATH', join(dir, 'sql')),
  };
}

function installHint(reason: string): string {
  return (
    `${reason}. Install Go >= 1.22 (https://go.dev/dl/) so Fanfare can build the Temporal server ` +
    `${TEMPORAL_SERVER_VERSION} and its SQL tool into its cache, or set TEMPORAL_SERVER_PATH and ` +
    'TEMPORAL_SQL_TOOL_PATH to binaries of that version.'
  );
}

/** The server and its schema tool, building both into the cache (one `go install`, with progress) if one is missing. */
export async function findTemporalServer(paths: ToolPaths = readToolPaths()): Promise<TemporalServerBinaries> {
  const found = await locateTemporalServer(paths);
  if (found.server && found.sqlTool) return { server: found.server, sqlTool: found.sqlTool };
  const dir = cachedTemporalServerDir(paths);
  await goInstall(paths, {
    label: `Temporal server ${TEMPORAL_SERVER_VERSION}`,
    targets: TARGETS,
    binDir: dir,
    missing: 'No Temporal server or SQL tool found (TEMPORAL_SERVER_PATH / TEMPORAL_SQL_TOOL_PATH unset, none cached)',
    hint: installHint,
  });
  const built = await locateTemporalServer(paths);
  if (!built.server || !built.sqlTool) throw new Error(`go install left no server and sql binaries in ${dir}`);
  return { server: built.server, sqlTool: built.sqlTool };
}

/** The server's two databases on one PostgreSQL server. */
export interface TemporalDatabases {
  /** postgres://user:password@host:port/ (the path is ignored). */
  serverUrl: string;
  main: string;
  visibility: string;
}

export const DEFAULT_DATABASE_NAMES = { main: 'fanfare_temporal', visibility: 'fanfare_temporal_visibility' } as const;

interface SqlConnection {
  host: string;
  port: number;
  user: string;
  password: string;
}

export function sqlConnection(serverUrl: string): SqlConnection {
  const url = new URL(serverUrl);
  return {
    host: url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username) || 'postgres',
    password: decodeURIComponent(url.password),
  };
}

/** The schema tool's arguments for one step on one database (the password goes by SQL_PASSWORD, not argv). */
export function sqlToolArgs(c: SqlConnection, database: string, step: string[]): string[] {
  return [
    '--plugin',
    'postgres12',
    '--endpoint',
    c.host,
    '--port',
    String(c.port),
    '--user',
    c.user,
    '--db',
    database,
  ].concat(step);
}

/** The three steps per database, each a no-op when already done: so setting up an existing pair is safe. */
export function schemaSteps(schemaName: string): string[][] {
  return [['create-database'], ['setup-schema', '--version', '0.0'], ['update-schema', '--schema-name', schemaName]];
}

function runTool(command: string, args: string[], password: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: '/usr/bin:/bin', SQL_PASSWORD: password },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} failed with exit code ${code}:\n${output.slice(-4000)}`));
    });
  });
}

/**
 * Creates the server's databases if missing and brings both schemas to the version this server needs, with its own
 * schema tool (`create-database`, `setup-schema -v 0.0`, `update-schema`): idempotent, so every start runs it.
 */
export async function setupTemporalDatabases(
  sqlTool: string,
  databases: TemporalDatabases,
  log: (line: string) => void = () => undefined,
): Promise<void> {
  const c = sqlConnection(databases.serverUrl);
  for (const kind of ['main', 'visibility'] as const) {
    const started = performance.now();
    for (const step of schemaSteps(SCHEMA_NAMES[kind])) {
      await runTool(sqlTool, sqlToolArgs(c, databases[kind], step), c.password);
    }
    log(`temporal: database ${databases[kind]} at schema ${SCHEMA_NAMES[kind]} latest (${ms(started)})`);
  }
}

function ms(since: number): string {
  return `${Math.round(performance.now() - since)} ms`;
}

/** Every port the server listens on: each service's gRPC and membership ports, and the front end's HTTP API. */
export interface TemporalServerPorts {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
}

/** The lowest and highest port a membership port may take: the server stores it in a smallint column. */
const MEMBERSHIP_PORTS = { low: 20_000, high: 32_767 } as const;

function listensOn(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

const handedOut = new Set<number>();

/** A free port at most 32767 (the kernel's ephemeral ports start above it), not handed out before by this process. */
async function freeMembershipPort(): Promise<number> {
  const { low, high } = MEMBERSHIP_PORTS;
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (!handedOut.has(port) && (await listensOn(port))) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port from ${low} to ${high} for the Temporal server's membership`);
}

/** The given front-end port (or a free one) and free ports for the rest, membership ones below 32768. */
export async function choosePorts(frontend?: number): Promise<TemporalServerPorts> {
  const free = () => freePort('127.0.0.1');
  return {
    frontend: frontend ?? (await free()),
    frontendHttp: await free(),
    frontendMembership: await freeMembershipPort(),
    history: await free(),
    historyMembership: await freeMembershipPort(),
    matching: await free(),
    matchingMembership: await freeMembershipPort(),
    worker: await free(),
    workerMembership: await freeMembershipPort(),
  };
}

export interface ServerConfigOptions {
  databases: TemporalDatabases;
  ports: TemporalServerPorts;
  /** History shards, fixed for the life of the databases (default 4; production clusters use 512 and more). */
  historyShards?: number;
  /**
   * Connections each of the four services keeps to the main database at most (default 10; one process runs all four,
   * so up to 4 × (10 + 2) with the visibility store's 2): PostgreSQL's default max_connections is 100.
   */
  maxConns?: number;
}

/**
 * The server's configuration: persistence on PostgreSQL (postgres12 plugin) for the default and the visibility store,
 * all four services in one process on loopback. Written as JSON, which is YAML too, so no value needs YAML quoting.
 */
export function temporalServerConfig(options: ServerConfigOptions): string {
  const { databases, ports } = options;
  const c = sqlConnection(databases.serverUrl);
  const store = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${c.host.includes(':') ? `[${c.host}]` : c.host}:${c.port}`,
      connectProtocol: 'tcp',
      user: c.user,
      password: c.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const rpc = (grpcPort: number, membershipPort: number, extra: object = {}) => ({
    rpc: { grpcPort, membershipPort, bindOnLocalHost: true, ...extra },
  });
  const config = {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'default',
      visibilityStore: 'visibility',
      numHistoryShards: options.historyShards ?? 4,
      datastores: {
        default: store(databases.main, options.maxConns ?? 10),
        visibility: store(databases.visibility, 2),
      },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services: {
      frontend: rpc(ports.frontend, ports.frontendMembership, { httpPort: ports.frontendHttp }),
      history: rpc(ports.history, ports.historyMembership),
      matching: rpc(ports.matching, ports.matchingMembership),
      worker: rpc(ports.worker, ports.workerMembership),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `127.0.0.1:${ports.frontend}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** Writes the configuration under `dir` and returns the server's command-line arguments to start with it. */
export async function writeServerConfig(dir: string, options: ServerConfigOptions): Promise<string[]> {
  await mkdir(join(dir, 'config'), { recursive: true });
  await writeFile(join(dir, 'config', 'fanfare.yaml'), temporalServerConfig(options), { mode: 0o600 });
  return ['--root', dir, '--config', 'config', '--env', 'fanfare', '--allow-no-auth', 'start'];
}

/**
 * The server makes only its own `temporal-system` namespace: registers ours with a retention period, unless it exists.
 * Then waits until it can be described.
 */
export async function registerNamespace(address: string, namespace: string, retentionDays: number): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    await connection.workflowService
      .registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(`${retentionDays} days`) })
      .catch((err: { code?: number }) => {
        // 6: ALREADY_EXISTS, from an earlier start on the same databases.
        if (err.code !== 6) throw err;
      });
  } finally {
    await connection.close();
  }
  await waitUntilReady(address, namespace, 30_000, undefined, 'Temporal server');
}

export interface TemporalServerOptions {
  paths?: ToolPaths;
  databases: TemporalDatabases;
  /** Where its configuration file is written. */
  dir: string;
  /** The front end's gRPC port; free when omitted. */
  port?: number;
  namespace?: string;
  retentionDays?: number;
  historyShards?: number;
  log?: (line: string) => void;
  readyTimeoutMs?: number;
}

export interface TemporalServer {
  address: string;
  namespace: string;
  ports: TemporalServerPorts;
  pid: number;
  stop(): Promise<void>;
  kill(): void;
}

const OUTPUT_KEPT = 40;

/**
 * Sets up the databases, writes the configuration, starts the server as a child that cannot outlive this process
 * (tests; `fanfare cluster up` starts it detached instead), waits for it and registers the namespace.
 */
export async function startTemporalServer(options: TemporalServerOptions): Promise<TemporalServer> {
  const log = options.log ?? (() => undefined);
  const { server: binary, sqlTool } = await findTemporalServer(options.paths);
  await setupTemporalDatabases(sqlTool, options.databases, log);
  const ports = await choosePorts(options.port);
  const args = await writeServerConfig(options.dir, { ...options, ports });
  const output: string[] = [];
  const child = spawnGuarded(binary, args, (line) => {
    output.push(line);
    if (output.length > OUTPUT_KEPT) output.shift();
    log(line);
  });
  const address = `127.0.0.1:${ports.frontend}`;
  const namespace = options.namespace ?? 'default';
  try {
    const exited = () => child.hasExited();
    await waitUntilReady(address, 'temporal-system', options.readyTimeoutMs ?? 120_000, exited, 'Temporal server');
    await registerNamespace(address, namespace, options.retentionDays ?? 1);
  } catch (err) {
    await child.stop();
    const tail = output.length ? `\nlast server output:\n${output.join('\n')}` : '';
    throw new Error(`${err instanceof Error ? err.message : String(err)} (${binary} ${args.join(' ')})${tail}`, {
      cause: err,
    });
  }
  return { address, namespace, ports, pid: child.pid, stop: () => child.stop(), kill: () => child.kill() };
}
