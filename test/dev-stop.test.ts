// Ctrl-C on the real `fanfare dev`: one stops everything within 10 s despite open connections; two quit at once.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { STOP_DEADLINE_MS } from '../cli/dev.ts';
import { DEFAULT_CAP_POLICY } from '../policy/cap-policy.ts';
import type { ReplayAnswer, SimulateBody } from '../wire/replay.ts';

const BIN = fileURLToPath(new URL('../bin/fanfare.js', import.meta.url));
/** Embedded PostgreSQL, the Temporal dev server, seeding and a first model: well under this on a small world. */
const START_TIMEOUT_MS = 200_000;

interface RunningDev {
  child: ChildProcess;
  api: URL;
  adminToken: string;
  /** The demo creator's key `fanfare dev` printed, so a request gets past the creator routes' login. */
  creatorKey: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>;
}

/** Starts `fanfare dev` on a small world in a process group of its own, as a shell would; waits for its banner. */
async function startDev(until = /Ctrl-C stops everything/): Promise<RunningDev> {
  // Everything embedded: no database, Temporal, port or token from the environment.
  const env = { ...process.env };
  for (const name of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'PORT', 'ADMIN_TOKEN']) delete env[name];
  const child = spawn(process.execPath, [BIN, 'dev', '--fans', '150', '--creators', '4', '--seed', '3'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  const collect = (d: Buffer) => {
    out += d.toString();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, atMs: performance.now() })),
  );
  const started = performance.now();
  while (!until.test(out)) {
    if (child.exitCode !== null) throw new Error(`fanfare dev exited early:\n${out}`);
    if (performance.now() - started > START_TIMEOUT_MS) {
      process.kill(-child.pid!, 'SIGKILL');
      throw new Error(`fanfare dev did not come up:\n${out}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const api = new URL(/ {2}API\s+(http:\/\/\S+)/.exec(out)?.[1] ?? 'http://not-yet-listening');
  const adminToken = /authorization: Bearer (\S+)'/.exec(out)?.[1] ?? '';
  const creatorKey = /export FANFARE_KEY=(\S+)/.exec(out)?.[1] ?? '';
  running = { child, api, adminToken, creatorKey, output: () => out, exited };
  return running;
}

let running: RunningDev | undefined;
afterEach(() => {
  // A failed test must not leave the stack behind; its guardians then stop the child servers.
  if (running && running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGKILL');
  running = undefined;
});

/**
 * Ctrl-C under `npm run dev`: the terminal signals the foreground process group, and npm forwards its own copy to the
 * script, so one press reaches `fanfare dev` twice.
 */
async function ctrlC(dev: RunningDev): Promise<void> {
  process.kill(-dev.child.pid!, 'SIGINT');
  // npm's copy follows once its own handler has run; sent at once, the kernel would merge the two.
  await new Promise((resolve) => setTimeout(resolve, 30));
  dev.child.kill('SIGINT');
}

/** When the process exited, or a failure with its output if it is still running after withinMs. */
async function exitWithin(dev: RunningDev, withinMs: number) {
  const late = new Promise<null>((resolve) => setTimeout(() => resolve(null), withinMs));
  const exit = await Promise.race([dev.exited, late]);
  if (!exit) throw new Error(`fanfare dev still running ${withinMs} ms after the signal:\n${dev.output()}`);
  return exit;
}

/** Every process below pid (the guardians, the Temporal dev server, PostgreSQL and its backends). */
function descendants(pid: number): number[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number));
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of rows) {
      if (ppid === parent) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

/** Alive and not a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function survivors(pids: number[], withinMs: number): Promise<number[]> {
  const until = performance.now() + withinMs;
  let left = pids.filter(alive);
  while (left.length > 0 && performance.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    left = left.filter(alive);
  }
  return left;
}

describe('fanfare dev and Ctrl-C', () => {
  it(
    'stops everything within 10 s on one Ctrl-C, with a keep-alive connection and requests in flight',
    async () => {
      const dev = await startDev();
      const children = descendants(dev.child.pid!);
      // The Temporal dev server and PostgreSQL, each under its guardian.
      expect(children.length, dev.output()).toBeGreaterThanOrEqual(4);

      // An idle keep-alive connection, left open after its answer.
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const health = await new Promise<http.IncomingMessage>((resolve, reject) =>
        http.get(new URL('/healthz', dev.api), { agent }, resolve).on('error', reject),
      );
      expect(health.statusCode).toBe(200);
      health.resume();
      await once(health, 'end');
      const keptAlive = Object.values(agent.freeSockets).flat()[0]!;
      expect(keptAlive).toBeDefined();
      const keptAliveClosed = once(keptAlive, 'close');

      // A request whose body never finishes arriving, and a replay busy on its worker thread.
      const trickle = net.connect(Number(dev.api.port), dev.api.hostname);
      await once(trickle, 'connect');
      trickle.write(
        'POST /api/events HTTP/1.1\r\nHost: localhost\r\ncontent-type: application/json\r\n' +
          `authorization: Bearer ${dev.creatorKey}\r\ncontent-length: 1000\r\n\r\n{"creatorId": `,
      );
      const trickleClosed = once(trickle, 'close');
      const simulate = (body: SimulateBody) =>
        fetch(new URL('/api/admin/simulate', dev.api), {
          method: 'POST',
          headers: { authorization: `Bearer ${dev.adminToken}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      // The replay thread loads its TypeScript under bin/fanfare.js too: a small replay answers in full.
      const small = await simulate({ policy: DEFAULT_CAP_POLICY, days: 1, world: { seed: 2, fans: 80, creators: 3 } });
      expect(small.status, dev.output()).toBe(200);
      expect(((await small.json()) as ReplayAnswer).outcomes).toHaveLength(3);
      const replay = simulate({ policy: DEFAULT_CAP_POLICY, days: 7 }).then(
        (res) => res.status,
        () => 'connection closed',
      );
      await new Promise((resolve) => setTimeout(resolve, 1000));

      const signalled = performance.now();
      await ctrlC(dev);
      const { code, atMs } = await exitWithin(dev, STOP_DEADLINE_MS + 5_000);
      const tookMs = atMs - signalled;
      expect(tookMs, dev.output()).toBeLessThan(STOP_DEADLINE_MS);
      expect(code, dev.output()).toBe(0);
      expect(dev.output()).toMatch(/stopping…/);
      expect(dev.output()).toMatch(/\nstopped in \d+\.\d s\n/);
      // npm's forwarded copy of the same press is not taken for a second Ctrl-C.
      expect(dev.output()).not.toMatch(/fanfare dev: quit at once/);
      await Promise.all([keptAliveClosed, trickleClosed]);
      // The replay either finished in time or was cut off with its connection; either way it did not hold the stop.
      expect(['connection closed', 200, 500]).toContain(await replay);
      expect(await survivors(children, 2000)).toEqual([]);
      agent.destroy();
    },
    START_TIMEOUT_MS + 180_000,
  );

  it(
    'quits at once on a second Ctrl-C, killing the child servers',
    async () => {
      const dev = await startDev();
      const children = descendants(dev.child.pid!);
      expect(children.length, dev.output()).toBeGreaterThanOrEqual(4);
      // A request that never completes keeps the clean stop busy for its grace period.
      const trickle = net.connect(Number(dev.api.port), dev.api.hostname);
      await once(trickle, 'connect');
      trickle.write(
        'POST /api/events HTTP/1.1\r\nHost: localhost\r\ncontent-length: 100\r\n' +
          `authorization: Bearer ${dev.creatorKey}\r\n\r\n{`,
      );
      trickle.on('error', () => {});
      await ctrlC(dev);
      // A person's second press, well after the first one's echo through npm.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const signalled = performance.now();
      await ctrlC(dev);
      const { code, atMs } = await exitWithin(dev, 5_000);
      expect(atMs - signalled, dev.output()).toBeLessThan(1000);
      expect(code, dev.output()).toBe(130);
      expect(dev.output()).toMatch(/fanfare dev: quit at once/);
      expect(await survivors(children, 2000)).toEqual([]);
    },
    START_TIMEOUT_MS + 30_000,
  );

  it(
    'quits at once on Ctrl-C while starting, and the child servers already started stop with it',
    async () => {
      // PostgreSQL is up and the Temporal dev server on its way.
      const dev = await startDev(/temporal: starting the dev server/);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const children = descendants(dev.child.pid!);
      expect(children.length, dev.output()).toBeGreaterThanOrEqual(2);
      await ctrlC(dev);
      const { code } = await exitWithin(dev, 2_000);
      expect(code, dev.output()).toBe(130);
      expect(dev.output()).toMatch(/fanfare dev: stopped while starting/);
      // Their guardians stop them gracefully (PostgreSQL's fast shutdown), which takes a moment.
      expect(await survivors(children, 10_000)).toEqual([]);
    },
    START_TIMEOUT_MS,
  );
});
