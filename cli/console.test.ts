// Tests `fanfare console verify` as a process on a real PostgreSQL: a seeded history agrees with its recount, and a
// count row that no write made is found.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../domain/time.ts';
import { writeHistory } from '../simulator/history.ts';
import { seedWorld } from '../simulator/seed.ts';
import { parseWorldSpec, startEndingNow } from '../simulator/spec.ts';
import { generateWorld } from '../simulator/world.ts';
import { useTestSchema } from '../testing/db.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'fanfare.js');

describe('fanfare console verify', () => {
  const db = useTestSchema('console_cli');
  const verify = (...args: string[]) =>
    spawnSync(process.execPath, [BIN, 'console', 'verify', ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: db().connectionString },
      encoding: 'utf8',
    });

  it('answers 0 when every kept count equals its recount, and 1 naming the reads that differ', async () => {
    const { pool } = db();
    const world = generateWorld(parseWorldSpec({ start: startEndingNow(3), fans: { count: 300 } }));
    await writeHistory(pool, world, await seedWorld(pool, world), {
      fromMs: world.startMs,
      toMs: world.startMs + 3 * DAY_MS,
    });
    const ok = verify('--days', '3', '--tz', 'America/New_York');
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^overviewSeries +\d+ +\d+ +yes$/m);
    expect(ok.stdout).toMatch(/^alertsPerFanDay +\d+ +\d+ +yes$/m);
    expect(ok.stdout).not.toContain('NO');

    await pool.query(
      `insert into send_counts (bucket, event_id, channel, sends, opened, clicked)
       select console_bucket(now() - interval '1 hour'), min(id), 'email', 1, 0, 0 from creator_events`,
    );
    const bad = verify('--days', '3');
    expect(bad.status).toBe(1);
    expect(
      bad.stdout
        .split('\n')
        .filter((l) => l.endsWith('NO'))
        .map((l) => l.split(/ +/)[0]),
    ).toEqual(['overviewSeries', 'overviewHeadline']);
    expect(verify('--days', '0').status).toBe(2);
  }, 120_000);
});
