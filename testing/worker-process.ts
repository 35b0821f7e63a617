// `fanfare worker` as a child process of a test, for tests that kill workers: started, awaited, killed by SIGKILL.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/fanfare.js', import.meta.url));

/** Where a worker process finds its database, Temporal and the local delivery peers. */
export interface PeerWorkerSetting {
  databaseUrl: string;
  temporalAddress: string;
  smtp: { host: string; port: number };
  /** The local push service's CA certificate, written to a file the worker trusts (PUSH_CA_FILE). */
  pushCaCertPem: string;
  /** Where the CA file goes; a new temporary folder when omitted. */
  dir?: string;
}

/**
 * The environment of a `fanfare worker` that delivers to the local SMTP capture and push service, with its metrics
 * listeners off (their default ports could meet another test's); callers add what their run needs.
 */
export function peerWorkerEnv(setting: PeerWorkerSetting): NodeJS.ProcessEnv {
  const caFile = join(setting.dir ?? mkdtempSync(join(tmpdir(), 'fanfare-ca-')), 'push-ca.pem');
  writeFileSync(caFile, setting.pushCaCertPem);
  return {
    ...process.env,
    DATABASE_URL: setting.databaseUrl,
    TEMPORAL_ADDRESS: setting.temporalAddress,
    SMTP_HOST: setting.smtp.host,
    SMTP_PORT: String(setting.smtp.port),
    PUSH_CA_FILE: caFile,
    FANFARE_WORKER_METRICS_ADDRESS: 'off',
    FANFARE_TEMPORAL_METRICS_ADDRESS: 'off',
  };
}

export interface WorkerProcess {
  child: ChildProcess;
  /** Resolves once the worker says it polls its task queues; rejects if it exits first. */
  polling: Promise<void>;
  /** SIGKILL, resolved once it has exited. */
  kill(): Promise<void>;
}

export function startWorkerProcess(env: NodeJS.ProcessEnv, name = 'worker'): WorkerProcess {
  const child = spawn(process.execPath, [BIN, 'worker'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.on('exit', (code, signal) => {
    if (code) process.stderr.write(`${name} exited ${code} ${signal}: ${err.slice(-2000)}\n`);
  });
  const polling = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('fanfare worker: polling')) resolve();
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`${name} exited (${code ?? signal}) before polling: ${err}`)),
    );
  });
  polling.catch(() => undefined);
  return {
    child,
    polling,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
