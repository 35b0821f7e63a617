// Tests the Temporal dev server lifecycle for real: start on free ports, readiness, clean stop, no orphans.
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { readToolPaths } from '../app/config.ts';
import { freePort } from '../testing/free-port.ts';
import { useTemporalDevServer } from '../testing/temporal.ts';
import { DEV_SERVER_START_ATTEMPTS, startDevServer, waitUntilReady } from './temporal.ts';
import { locateTemporalCli } from './temporal-cli.ts';

function accepts(address: string): Promise<boolean> {
  const [host, port] = address.split(':');
  return new Promise((resolve) => {
    const socket = connect({ host, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function eventually(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

describe('useTemporalDevServer', () => {
  const temporal = useTemporalDevServer({ namespace: 'fanfare-test' });

  it('serves the requested namespace on a free local port', async () => {
    expect(temporal().address).toMatch(/^127\.0\.0\.1:\d+$/);
    const connection = await Connection.connect({ address: temporal().address });
    try {
      const { namespaceInfo } = await connection.workflowService.describeNamespace({ namespace: 'fanfare-test' });
      expect(namespaceInfo?.name).toBe('fanfare-test');
    } finally {
      await connection.close();
    }
  });
});

describe('startDevServer', () => {
  it('starts with a db file and UI port, and stops cleanly', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fanfare-temporal-'));
    const uiPort = await freePort();
    const server = await startDevServer({ dbFile: join(dir, 'temporal.db'), uiPort });
    try {
      expect(server.uiUrl).toBe(`http://127.0.0.1:${uiPort}`);
      expect((await stat(join(dir, 'temporal.db'))).size).toBeGreaterThan(0);
      expect(await accepts(server.address)).toBe(true);
      await server.stop();
      expect(processAlive(server.pid)).toBe(false);
      expect(await accepts(server.address)).toBe(false);
      await server.stop();
    } finally {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('starts again when the server exits before it is ready, and gives up after its attempts', async () => {
    const real = await locateTemporalCli();
    expect(real).toBeDefined();
    const dir = await mkdtemp(join(tmpdir(), 'fanfare-flaky-cli-'));
    try {
      // A CLI that dies on its first start, as the dev server sometimes does under load, then is the real one.
      const starts = join(dir, 'starts');
      const flaky = join(dir, 'temporal');
      await writeFile(
        flaky,
        `#!/bin/sh\necho start >> ${starts}\n` +
          `[ "$(wc -l < ${starts})" -gt 1 ] || { echo 'panic: start-up failed' >&2; exit 2; }\n` +
          `exec ${real} "$@"\n`,
      );
      await chmod(flaky, 0o755);
      const lines: string[] = [];
      const server = await startDevServer({
        paths: { ...readToolPaths(), temporalCliPath: flaky },
        log: (line) => lines.push(line),
      });
      try {
        expect((await readFile(starts, 'utf8')).trim().split('\n')).toHaveLength(2);
        expect(lines.join('\n')).toMatch(/exited before it was ready \(start 1\); starting it again/);
        const connection = await Connection.connect({ address: server.address });
        await connection.workflowService.describeNamespace({ namespace: 'default' });
        await connection.close();
      } finally {
        await server.stop();
      }

      // A CLI that always dies: every attempt is made, and the error keeps each start's failure.
      const dead = join(dir, 'dead');
      await writeFile(dead, `#!/bin/sh\necho 'panic: start-up failed' >&2\nexit 2\n`);
      await chmod(dead, 0o755);
      const failure = startDevServer({ paths: { ...readToolPaths(), temporalCliPath: dead } });
      await expect(failure).rejects.toThrow(/exited before it was ready/);
      const message = await failure.catch((err: Error) => err.message);
      expect(message).toContain(`start ${DEV_SERVER_START_ATTEMPTS - 1} of ${DEV_SERVER_START_ATTEMPTS} failed`);
      expect(message).toContain('panic: start-up failed');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects an invalid port, naming the option', async () => {
    await expect(startDevServer({ port: 70_000 })).rejects.toThrow(/port must be an integer port between 1 and 65535/);
  });

  it('stops the server when the parent process is killed with SIGKILL', async () => {
    const script = `
      import { startDevServer } from ${JSON.stringify(join(import.meta.dirname, 'temporal.ts'))};
      const server = await startDevServer();
      process.stdout.write(server.address + '\\n');
      setInterval(() => {}, 1000);
    `;
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const address = await new Promise<string>((resolve, reject) => {
      parent.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
      parent.once('exit', (code) => reject(new Error(`parent exited early with ${code}`)));
    });
    expect(await accepts(address)).toBe(true);
    parent.kill('SIGKILL');
    expect(await eventually(async () => !(await accepts(address)), 20_000)).toBe(true);
  });
});

describe('waitUntilReady', () => {
  it('gives up after its own timeout when nothing answers', async () => {
    const port = await freePort();
    const started = Date.now();
    await expect(waitUntilReady(`127.0.0.1:${port}`, 'default', 1_500)).rejects.toThrow(
      /did not answer describeNamespace\(default\) within 1500 ms/,
    );
    expect(Date.now() - started).toBeLessThan(8_000);
  });

  it('fails early when the server process has exited', async () => {
    const port = await freePort();
    await expect(waitUntilReady(`127.0.0.1:${port}`, 'default', 30_000, () => true)).rejects.toThrow(
      /exited before it was ready/,
    );
  });
});
