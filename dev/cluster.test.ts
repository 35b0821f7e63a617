// The cluster's process bookkeeping: a detached process is seen running, stopped by its group, and a recorded pid
// whose start time does not match (a pid reused after a reboot or a long while) is never taken for it.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isRunning, spawnDetached, stopProcess } from './cluster.ts';

describe('cluster processes', () => {
  it('starts a detached process with its log, and stops it with SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fanfare-cluster-'));
    const log = join(dir, 'p.log');
    const p = spawnDetached('sh', ['-c', 'echo started; exec sleep 30'], log, { PATH: '/usr/bin:/bin' });
    expect(isRunning(p)).toBe(true);
    expect(isRunning({ pid: p.pid, startTicks: '1' })).toBe(false);
    while ((await readFile(log, 'utf8')) === '') await new Promise((resolve) => setTimeout(resolve, 20));
    await expect(stopProcess(p, 5_000)).resolves.toBe('stopped');
    expect(isRunning(p)).toBe(false);
    await expect(stopProcess(p, 5_000)).resolves.toBe('gone');
    expect(await readFile(log, 'utf8')).toBe('started\n');
  });

  it('kills a process that ignores SIGTERM once the grace is over', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fanfare-cluster-'));
    const p = spawnDetached('sh', ['-c', "trap '' TERM; while :; do sleep 0.1; done"], join(dir, 'p.log'), {
      PATH: '/usr/bin:/bin',
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(stopProcess(p, 500)).resolves.toBe('killed');
    expect(isRunning(p)).toBe(false);
  });
});
