// Spawns a long-running server that cannot outlive this Node process, and stops it with SIGTERM then SIGKILL.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

// The server runs under a small sh guardian in its own process group. The guardian holds the read end of a
// pipe whose only writer is this Node process: when Node dies, even by SIGKILL, the read hits EOF and the
// guardian sends the stop signal to the server. A plain process.on('exit') hook would miss signals and SIGKILL.
const GUARDIAN = `
sig=\${FANFARE_STOP_SIGNAL:-TERM}
exec 3<&0
"$@" </dev/null 3<&- &
child=$!
{ while read -r _ <&3; do :; done; kill -"$sig" "$child" 2>/dev/null; } &
watcher=$!
trap 'kill -"$sig" "$child" 2>/dev/null' TERM INT HUP
wait "$child"; code=$?
while kill -0 "$child" 2>/dev/null; do wait "$child"; code=$?; done
kill "$watcher" 2>/dev/null
exit "$code"
`;

export type GuardedProcess = {
  pid: number;
  /** Resolves with the server's exit code (or signal name) once it has exited. */
  exited: Promise<number | string>;
  hasExited(): boolean;
  /** SIGTERM, then SIGKILL to the whole group after graceMs; resolves once everything is gone. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL to the whole group, now: for a process that must exit at once (a second Ctrl-C, a missed deadline). */
  kill(): void;
};

export type GuardedOptions = {
  /** Run as this user and group (e.g. the postgres OS user when we are root). */
  uid?: number;
  gid?: number;
  /** Environment of the server; this process's environment by default. */
  env?: Record<string, string | undefined>;
  /**
   * Signal that asks the server to stop (postgres: INT for a fast shutdown); TERM by default. The server starts
   * as a background job of sh, so SIGINT/SIGQUIT begin ignored: fine for servers that install their own handlers.
   */
  stopSignal?: 'TERM' | 'INT' | 'QUIT';
};

export function spawnGuarded(
  command: string,
  args: string[],
  onLine: (line: string) => void,
  options: GuardedOptions = {},
): GuardedProcess {
  const child: ChildProcess = spawn('sh', ['-c', GUARDIAN, 'fanfare-guardian', command, ...args], {
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
    uid: options.uid,
    gid: options.gid,
    env: { ...(options.env ?? process.env), FANFARE_STOP_SIGNAL: options.stopSignal ?? 'TERM' },
  });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  const pid = child.pid;
  let done = false;
  const exited = new Promise<number | string>((resolve) => {
    child.on('close', (code, signal) => {
      done = true;
      resolve(code ?? signal ?? 'unknown');
    });
    child.on('error', (err) => {
      done = true;
      onLine(`spawn error: ${err.message}`);
      resolve('spawn-error');
    });
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', onLine);
  }

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 10_000): Promise<void> => {
    stopping ??= (async () => {
      if (done) return;
      signalGroup(pid, 'SIGTERM', false);
      const timer = setTimeout(() => signalGroup(pid, 'SIGKILL', true), graceMs);
      await exited;
      clearTimeout(timer);
      // The guardian waits for the server, so by now only stray grandchildren could remain.
      signalGroup(pid, 'SIGKILL', true);
    })();
    return stopping;
  };
  return { pid, exited, hasExited: () => done, stop, kill: () => signalGroup(pid, 'SIGKILL', true) };
}

function signalGroup(pid: number, signal: NodeJS.Signals, wholeGroup: boolean): void {
  try {
    process.kill(wholeGroup ? -pid : pid, signal);
  } catch {
    // ESRCH: already gone, which is what we want.
  }
}
