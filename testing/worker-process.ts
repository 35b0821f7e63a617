// `fanfare worker` as a child process of a test, for tests that kill workers: started, awaited, killed by SIGKILL.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/fanfare.js', import.meta.url));

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
