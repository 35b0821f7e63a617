// Tests the progress display: plain lines now and then off a terminal, one line redrawn in place on one.
import { describe, expect, it } from 'vitest';
import { formatDuration, startProgress } from './progress.ts';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  const stream = { isTTY, columns: 100, write: (s: string) => writes.push(s) > 0 };
  return { stream: stream as unknown as NodeJS.WriteStream, writes };
}

function clock() {
  let t = 0;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe('formatDuration', () => {
  it('writes seconds, minutes and hours', () => {
    expect([0, 45_400, 185_000, 3_720_000].map(formatDuration)).toEqual(['0s', '45s', '3m05s', '1h02m']);
  });
});

describe('off a terminal', () => {
  it('prints nothing for a task done within two seconds', () => {
    const { stream, writes } = fakeStream(false);
    const c = clock();
    const p = startProgress({ label: 'job', unit: 'days', total: 10, stream, now: c.now });
    for (let d = 1; d <= 10; d++) {
      c.advance(150);
      p.update(d);
    }
    p.stop();
    expect(writes).toEqual([]);
  });

  it('prints a line at 10% steps two seconds apart or more, with counts, time left and the stage', () => {
    const { stream, writes } = fakeStream(false);
    const c = clock();
    const p = startProgress({ label: 'simulate replay', unit: 'run-days', total: 100, stream, now: c.now });
    for (let d = 1; d <= 100; d++) {
      c.advance(1000);
      p.update(d, d <= 50 ? 'caps_only_fcfs' : 'default');
    }
    p.stop();
    expect(writes).toHaveLength(10);
    expect(writes[0]).toBe('simulate replay: caps_only_fcfs, 10/100 run-days (10%), 10s elapsed, about 1m30s left\n');
    expect(writes[8]).toBe('simulate replay: default, 90/100 run-days (90%), 1m30s elapsed, about 10s left\n');
    expect(writes[9]).toBe('simulate replay: default, 100/100 run-days (100%), 1m40s elapsed\n');
  });

  it('without a total, prints each new stage at once, every so many units, and after 30 s of quiet', () => {
    const { stream, writes } = fakeStream(false);
    const c = clock();
    const p = startProgress({ label: 'build', unit: 'packages', every: 100, stream, now: c.now });
    p.update(0, 'downloading');
    for (let n = 1; n <= 250; n++) {
      c.advance(100);
      p.update(n, 'compiling');
    }
    c.advance(30_000);
    p.update(250);
    expect(writes).toEqual([
      'build: downloading, 0 packages, 0s elapsed\n',
      'build: compiling, 1 packages, 0s elapsed\n',
      'build: compiling, 100 packages, 10s elapsed\n',
      'build: compiling, 200 packages, 20s elapsed\n',
      'build: compiling, 250 packages, 55s elapsed\n',
    ]);
  });

  it('prints logged lines as they are, to the stream asked for', () => {
    const { stream, writes } = fakeStream(false);
    const other = fakeStream(false);
    const p = startProgress({ label: 'job', total: 3, stream });
    p.log('run finished');
    p.log('[Info] Iteration:1', other.stream);
    expect(writes).toEqual(['run finished\n']);
    expect(other.writes).toEqual(['[Info] Iteration:1\n']);
  });
});

describe('on a terminal', () => {
  it('redraws one line in place, at most every 100 ms, logs above it and clears it when stopped', () => {
    const { stream, writes } = fakeStream(true);
    const c = clock();
    const p = startProgress({ label: 'gbdt train', unit: 'iterations', total: 4, stream, now: c.now });
    expect(writes).toEqual([`\rgbdt train [${'░'.repeat(24)}] 0/4 iterations (0%) | 0s elapsed\x1b[K`]);
    c.advance(2000);
    p.update(1);
    c.advance(50);
    p.update(2);
    expect(writes).toHaveLength(2);
    expect(writes[1]).toBe(
      `\rgbdt train [${'█'.repeat(6)}${'░'.repeat(18)}] 1/4 iterations (25%) | 2s elapsed, about 6s left\x1b[K`,
    );
    p.log('run finished');
    expect(writes.slice(2, 5)).toEqual(['\r\x1b[K', 'run finished\n', expect.stringMatching(/^\rgbdt train .* 2\/4 /)]);
    p.stop();
    expect(writes.at(-1)).toBe('\r\x1b[K');
    p.update(3);
    expect(writes.at(-1)).toBe('\r\x1b[K');
  });

  it('shows a spinner and the stage when there is no total, and keeps within the terminal width', () => {
    const { stream, writes } = fakeStream(true);
    const p = startProgress({ label: 'train', stream });
    p.update(0, `trainCandidate running ${'x'.repeat(200)}`);
    p.stop();
    // 100 columns: the line stops one short, so the terminal never wraps it.
    const head = 'train / 0s elapsed | trainCandidate running ';
    expect(writes[1]).toBe(`\r${head}${'x'.repeat(99 - head.length)}\x1b[K`);
  });
});
