// `fanfare seed`: generates the simulated world from a spec and writes it into the database named by DATABASE_URL.
import type { Command } from './command.ts';
import { databaseUrl } from '../app/config.ts';
import { createPool } from '../db/pool.ts';
import { writeHistory } from '../simulator/history.ts';
import { seedWorld } from '../simulator/seed.ts';
import { storeSimulatedWorld } from '../simulator/world-setting.ts';
import { loadWorldSpec, parseWorldSpec, startEndingNow, type WorldSpec } from '../simulator/spec.ts';
import { generateWorld } from '../simulator/world.ts';
import { DAY_MS } from '../domain/time.ts';
import { analyzeLogTables } from '../db/seed-history.ts';

const USAGE = 'usage: fanfare seed [--world SPEC.json] [--fans N] [--creators N] [--seed N] [--history-days N [--history-ends-now]]';

export type SeedArgs = {
  world?: string;
  fans?: number;
  creators?: number;
  seed?: number;
  /** Days of baseline history to write from the world's start. */
  historyDays?: number;
  /** Move the world's start so that the history ends at the current hour: "now" in training and serving. */
  historyEndsNow?: boolean;
};

function integerFlag(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(n) || n < min) {
    throw new Error(`${flag}: must be ${min > 0 ? 'a positive' : 'an'} integer, got "${value}"; ${USAGE}`);
  }
  return n;
}

export function parseSeedArgs(args: string[]): SeedArgs {
  const parsed: SeedArgs = {};
  for (let i = 0; i < args.length; i += 2) {
    if (args[i] === '--history-ends-now') {
      parsed.historyEndsNow = true;
      i -= 1;
      continue;
    }
    const [flag, value] = [args[i], args[i + 1]];
    if (value === undefined || value.startsWith('--')) {
      if (['--world', '--fans', '--creators', '--seed', '--history-days'].includes(flag)) throw new Error(`${flag}: needs a value; ${USAGE}`);
    }
    if (flag === '--world') parsed.world = value;
    else if (flag === '--fans') parsed.fans = integerFlag(flag, value, 1);
    else if (flag === '--creators') parsed.creators = integerFlag(flag, value, 1);
    else if (flag === '--seed') parsed.seed = integerFlag(flag, value, -Infinity);
    else if (flag === '--history-days') parsed.historyDays = integerFlag(flag, value, 1);
    else throw new Error(`unknown argument "${flag}"; ${USAGE}`);
  }
  if (parsed.historyEndsNow && !parsed.historyDays) throw new Error(`--history-ends-now: needs --history-days; ${USAGE}`);
  return parsed;
}

/** The spec file (or the defaults), with the command-line counts and seed on top. */
export async function specFromArgs(args: SeedArgs): Promise<WorldSpec> {
  const base = args.world ? await loadWorldSpec(args.world) : parseWorldSpec({});
  return parseWorldSpec({
    ...base,
    start: args.historyEndsNow && args.historyDays ? startEndingNow(args.historyDays) : base.start,
    seed: args.seed ?? base.seed,
    fans: { ...base.fans, count: args.fans ?? base.fans.count },
    creators: { ...base.creators, count: args.creators ?? base.creators.count },
  });
}

export const command: Command = {
  summary: 'write the simulated world (and, with --history-days, baseline history) into DATABASE_URL',
  async run(args) {
    const parsed = parseSeedArgs(args);
    const spec = await specFromArgs(parsed);
    const connectionString = databaseUrl();
    const started = performance.now();
    const world = generateWorld(spec);
    const pool = createPool(connectionString, 2);
    try {
      const log = (message: string) => process.stdout.write(`seed: ${message}\n`);
      const ids = await seedWorld(pool, world, { log });
      await storeSimulatedWorld(pool, spec);
      if (parsed.historyDays) {
        const toMs = world.startMs + parsed.historyDays * DAY_MS;
        const history = await writeHistory(pool, world, ids, { fromMs: world.startMs, toMs, log });
        log(`history: ${history.sends} sends, ${history.opens} opens, ${history.clicks} clicks, ${history.unsubscribes} unsubscribes`);
        await analyzeLogTables(pool);
      }
    } catch (err) {
      if ((err as { code?: string }).code === '42P01') {
        throw new Error(`the schema is missing a table (${(err as Error).message}); run "fanfare migrate" first`);
      }
      throw err;
    } finally {
      await pool.end();
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stdout.write(`seed: world ${spec.seed} with ${spec.creators.count} creators and ${spec.fans.count} fans in ${seconds} s\n`);
  },
};
