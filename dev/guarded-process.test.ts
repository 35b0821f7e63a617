// Tests the guardian around long-running servers: stop signal, SIGKILL escalation, and no orphans when Node is killed.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnGuarded } from './guarded-process.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function eventually(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return check();
}

// A server that prints its pid, reports the signal it got, and exits 0 on it. Not sh: a background job of a
// non-interactive shell starts with SIGINT ignored, and sh cannot trap a signal ignored on entry (postgres can).
const polite = (signal: string) => [
  '-e',
  `process.on('SIG${signal}', () => { console.log('got ${signal}'); process.exit(0); }); ` +
    "console.log('pid ' + process.pid); setInterval(() => {}, 1000);",
];

function pidFrom(lines: string[]): Promise<number> {
  return eventually(() => lines.some((l) => l.startsWith('pid ')), 5_000).then(() =>
    Number(lines.find((l) => l.startsWith('pid '))!.slice(4)),
  );
}

describe('spawnGuarded', () => {
  it('forwards the chosen stop signal and resolves once the server exited', async () => {
    const lines: string[] = [];
    const server = spawnGuarded(process.execPath, polite('INT'), (line) => lines.push(line), { stopSignal: 'INT' });
    const pid = await pidFrom(lines);
    await server.stop();
    expect(lines).toContain('got INT');
    expect(await server.exited).toBe(0);
    expect(alive(pid)).toBe(false);
  });

  it('kills a server that ignores the stop signal after the grace period', async () => {
    const lines: string[] = [];
    const server = spawnGuarded('sh', ['-c', "trap '' TERM; echo pid $$; while :; do sleep 0.1; done"], (line) =>
      lines.push(line),
    );
    const pid = await pidFrom(lines);
    const started = Date.now();
    await server.stop(500);
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(await eventually(() => !alive(pid), 2_000)).toBe(true);
  });

  it('stops the server when its Node parent is killed with SIGKILL', async () => {
    const script = `
      import { spawnGuarded } from ${JSON.stringify(join(import.meta.dirname, 'guarded-process.ts'))};
      spawnGuarded('sh', ['-c', 'echo pid $$; while :; do sleep 0.1; done'], (line) =>
        process.stdout.write(line + '\\n'),
      );
      setInterval(() => {}, 1000);
    `;
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const pid = await new Promise<number>((resolve) =>
      parent.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim().slice(4)))),
    );
    expect(alive(pid)).toBe(true);
    parent.kill('SIGKILL');
    expect(await eventually(() => !alive(pid), 10_000)).toBe(true);
  });
});
