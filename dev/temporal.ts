// Starts a Temporal dev server (`temporal server start-dev`) on chosen or free ports and waits until it answers.
import { Connection } from '@temporalio/client';
import type { ToolPaths } from '../app/config.ts';
import { freePort } from '../testing/free-port.ts';
import { spawnGuarded } from './guarded-process.ts';
import { findTemporalCli } from './temporal-cli.ts';

export type DevServerOptions = {
  /** Where to find (or build) the temporal CLI; from the environment when omitted. */
  paths?: ToolPaths;
  /** Front-end gRPC port; a free port when omitted. */
  port?: number;
  /** Web UI port; the UI is off (`--headless`) when omitted. */
  uiPort?: number;
  /** HTTP API port; a free port when omitted. */
  httpPort?: number;
  /** SQLite file that keeps state across runs; in memory when omitted. */
  dbFile?: string;
  /** Namespace registered at start (besides `default`) and checked for readiness. */
  namespace?: string;
  /** Address the front end and UI bind to. */
  ip?: string;
  /** Receives each line the server prints; by default lines are only kept for error messages. */
  log?: (line: string) => void;
  /** How long to wait for the server to answer; the SDK's own 5 s is too short for a cold start. */
  readyTimeoutMs?: number;
  /** Extra `start-dev` flags, e.g. `['--dynamic-config-value', 'key=true']`. */
  extraArgs?: string[];
};

export type DevServer = {
  /** host:port of the front-end gRPC service. */
  address: string;
  namespace: string;
  uiUrl?: string;
  pid: number;
  stop(): Promise<void>;
  /** Kills the server's process group at once, without waiting. */
  kill(): void;
};

const OUTPUT_KEPT = 40;

function checkPort(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isInteger(value) && value > 0 && value < 65536)) {
    throw new Error(`startDevServer: ${name} must be an integer port between 1 and 65535, got ${value}`);
  }
}

/** How many times a server that exits before it is ready is started (on fresh free ports where they were free). */
export const DEV_SERVER_START_ATTEMPTS = 3;

/** The server's process ended before it answered: a start worth trying again, unlike a server that never answers. */
export class DevServerExitedError extends Error {}

/**
 * Starts the server and waits until it answers. A server process that exits before it is ready (a port taken between
 * choosing it and binding it, or a start-up panic the dev server sometimes has under load) is started again, up to
 * DEV_SERVER_START_ATTEMPTS times; each failed start's output is kept in the final error.
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  checkPort('port', options.port);
  checkPort('uiPort', options.uiPort);
  checkPort('httpPort', options.httpPort);
  const failures: string[] = [];
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (!(err instanceof DevServerExitedError) || attempt >= DEV_SERVER_START_ATTEMPTS) {
        const earlier = failures.map((f, i) => `\nstart ${i + 1} of ${attempt} failed: ${f}`).join('');
        throw new Error(`${message}${earlier}`, { cause: err });
      }
      failures.push(message);
      options.log?.(`Temporal dev server exited before it was ready (start ${attempt}); starting it again`);
    }
  }
}

async function startOnce(options: DevServerOptions): Promise<DevServer> {
  const ip = options.ip ?? '127.0.0.1';
  const namespace = options.namespace ?? 'default';
  const port = options.port ?? (await freePort(ip));
  const httpPort = options.httpPort ?? (await freePort(ip));
  const cli = await findTemporalCli(options.paths);

  const args = [
    'server',
    'start-dev',
    '--ip',
    ip,
    '--port',
    String(port),
    '--http-port',
    String(httpPort),
    '--log-level',
    'warn',
  ];
  args.push(...(options.uiPort !== undefined ? ['--ui-port', String(options.uiPort)] : ['--headless']));
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  if (namespace !== 'default') args.push('--namespace', namespace);
  args.push(...(options.extraArgs ?? []));

  const output: string[] = [];
  const server = spawnGuarded(cli, args, (line) => {
    output.push(line);
    if (output.length > OUTPUT_KEPT) output.shift();
    options.log?.(line);
  });
  const connectHost = ip === '0.0.0.0' ? '127.0.0.1' : ip;
  const address = `${connectHost}:${port}`;
  try {
    await waitUntilReady(address, namespace, options.readyTimeoutMs ?? 60_000, () => server.hasExited());
  } catch (err) {
    await server.stop();
    const tail = output.length ? `\nlast server output:\n${output.join('\n')}` : '';
    const message = `${err instanceof Error ? err.message : String(err)} (${cli} ${args.join(' ')})${tail}`;
    throw err instanceof DevServerExitedError ? new DevServerExitedError(message) : new Error(message);
  }
  return {
    address,
    namespace,
    uiUrl: options.uiPort !== undefined ? `http://${connectHost}:${options.uiPort}` : undefined,
    pid: server.pid,
    stop: () => server.stop(),
    kill: () => server.kill(),
  };
}

/** Polls the front end until the namespace can be described, failing early if the server process exits. */
export async function waitUntilReady(
  address: string,
  namespace: string,
  timeoutMs: number,
  exited: () => boolean = () => false,
  name = 'Temporal dev server',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no answer yet';
  while (Date.now() < deadline) {
    if (exited()) throw new DevServerExitedError(`${name} exited before it was ready at ${address}`);
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({
        address,
        connectTimeout: Math.max(500, Math.min(5_000, deadline - Date.now())),
      });
      await connection.workflowService.describeNamespace({ namespace });
      return;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    } finally {
      await connection?.close().catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(
    `${name} at ${address} did not answer describeNamespace(${namespace}) ` + `within ${timeoutMs} ms: ${lastError}`,
  );
}
