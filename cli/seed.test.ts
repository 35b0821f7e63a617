// Tests the `fanfare seed` command: argument checks name the flag, and a run seeds DATABASE_URL's schema.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { startEndingNow } from '../simulator/spec.ts';
import { readSimulatedWorld } from '../simulator/world-setting.ts';
import { useTestSchema } from '../testing/db.ts';
import { command, parseSeedArgs, specFromArgs } from './seed.ts';

describe('parseSeedArgs', () => {
  it('reads the flags', () => {
    expect(
      parseSeedArgs(['--fans', '100', '--creators', '5', '--world', 'w.json', '--seed', '3', '--history-days', '14']),
    ).toEqual({
      historyDays: 14,
      fans: 100,
      creators: 5,
      world: 'w.json',
      seed: 3,
    });
  });

  it('names the flag and the rule', () => {
    expect(() => parseSeedArgs(['--fans', '0'])).toThrow('--fans: must be a positive integer, got "0"');
    expect(() => parseSeedArgs(['--creators', '2.5'])).toThrow('--creators: must be a positive integer');
    expect(() => parseSeedArgs(['--fans'])).toThrow('--fans: needs a value');
    expect(() => parseSeedArgs(['--verbose'])).toThrow('unknown argument "--verbose"');
    expect(() => parseSeedArgs(['--history-days=-1'])).toThrow('--history-days: must be a positive integer, got "-1"');
    expect(() => parseSeedArgs(['--history-days', '-1'])).toThrow('--history-days: needs a value (one that starts');
    expect(parseSeedArgs(['--seed=-3'])).toEqual({ seed: -3 });
    expect(() => parseSeedArgs(['--history-ends-now'])).toThrow('--history-ends-now: needs --history-days');
  });

  it('moves the start so that the history ends at the current hour', async () => {
    expect(parseSeedArgs(['--history-days', '28', '--history-ends-now', '--fans', '5'])).toEqual({
      historyDays: 28,
      historyEndsNow: true,
      fans: 5,
    });
    expect(startEndingNow(2, Date.parse('2025-06-10T15:42:00Z'))).toBe('2025-06-08T15:00:00.000Z');
    const spec = await specFromArgs({ historyDays: 3, historyEndsNow: true });
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    expect(Date.parse(spec.start)).toBeGreaterThanOrEqual(hour - 3 * 86_400_000 - 3_600_000);
    expect(Date.parse(spec.start)).toBeLessThanOrEqual(hour - 3 * 86_400_000);
  });
});

describe('specFromArgs', () => {
  it('puts the command-line counts over the spec file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fanfare-seed-'));
    const path = join(dir, 'world.json');
    await writeFile(path, JSON.stringify({ seed: 8, fans: { count: 10, pushShare: 1 }, creators: { count: 3 } }));
    const spec = await specFromArgs({ world: path, fans: 25 });
    expect(spec.seed).toBe(8);
    expect(spec.fans.count).toBe(25);
    expect(spec.fans.pushShare).toBe(1);
    expect(spec.creators.count).toBe(3);
  });
});

describe('fanfare seed', () => {
  const db = useTestSchema('simulator_seed_cli');

  it('seeds the database named by DATABASE_URL, with baseline history when asked', async () => {
    const previous = process.env.DATABASE_URL;
    process.env.DATABASE_URL = db().connectionString;
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await command.run(['--fans', '120', '--creators', '6', '--history-days', '2']);
    } finally {
      write.mockRestore();
      process.env.DATABASE_URL = previous;
    }
    const { rows } = await db().pool.query(
      `select (select count(*) from fans)::int as fans, (select count(*) from creators)::int as creators,
              (select count(*) from decisions where policy = 'baseline_send_now')::int as decisions`,
    );
    expect(rows[0]).toMatchObject({ fans: 120, creators: 6 });
    expect(rows[0].decisions).toBeGreaterThan(0);
    const world = await readSimulatedWorld(db().pool);
    expect(world?.fans.count).toBe(120);
  });
});
