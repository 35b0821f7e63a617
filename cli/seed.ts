// `fanfare seed`: generates the simulated world from a spec and writes it into the database named by DATABASE_URL.
import { databaseUrl } from '../app/config.ts';
import { createPool } from '../db/pool.ts';
import { analyzeLogTables } from '../db/seed-history.ts';
import { DAY_MS } from '../domain/time.ts';
import { writeHistory } from '../simulator/history.ts';
import { seedWorld } from '../simulator/seed.ts';
import { loadWorldSpec, parseWorldSpec, startEndingNow, type WorldSpec } from '../simulator/spec.ts';
import { generateWorld } from '../simulator/world.ts';
import { storeSimulatedWorld } from '../simulator/world-setting.ts';
import { defineCommand, ENV, parseFlags, type Syntax } from './args.ts';
import { type Progress, startProgress } from './progress.ts';

const SYNTAX = {
  command: 'seed',
  summary: 'write the simulated world (and, with --history-days, baseline history) into DATABASE_URL',
  flags: {
    world: { value: 'SPEC.json', help: 'the world spec (default: the built-in one; docs/SIMULATOR.md)' },
    fans: { value: 'N', help: "fans, instead of the spec's count" },
    creators: { value: 'N', help: "creators, instead of the spec's count" },
    seed: { value: 'N', help: "random seed, instead of the spec's (a negative one is written --seed=-N)" },
    'history-days': { value: 'N', help: "also write N days of baseline sends and engagement from the world's start" },
    'history-ends-now': { help: 'with --history-days: start the world so that its history ends at the current hour' },
  },
  env: ENV.database,
} satisfies Syntax;

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

export function parseSeedArgs(args: string[]): SeedArgs {
  const line = parseFlags(args, SYNTAX);
  const parsed: SeedArgs = {
    world: line.string('world'),
    fans: line.integer('fans', { min: 1 }),
    creators: line.integer('creators', { min: 1 }),
    seed: line.integer('seed'),
    historyDays: line.integer('history-days', { min: 1 }),
  };
  if (line.switch('history-ends-now')) {
    if (!parsed.historyDays) line.fail('--history-ends-now: needs --history-days');
    parsed.historyEndsNow = true;
  }
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

export const command = defineCommand(SYNTAX, async (args) => {
  const parsed = parseSeedArgs(args);
  const spec = await specFromArgs(parsed);
  const connectionString = databaseUrl();
  const started = performance.now();
  const world = generateWorld(spec);
  const pool = createPool(connectionString, 2, { name: 'seed' });
  // The history's bar starts with its first event; until then, and after, lines print as usual.
  let progress: Progress | undefined;
  const log = (message: string) => {
    if (progress) progress.log(`seed: ${message}`, process.stdout);
    else process.stdout.write(`seed: ${message}\n`);
  };
  try {
    const ids = await seedWorld(pool, world, { log });
    await storeSimulatedWorld(pool, spec);
    const days = parsed.historyDays;
    if (days) {
      const fromMs = world.startMs;
      const onProgress = (played: number, events: number, atMs: number) => {
        progress ??= startProgress({ label: 'seed history', unit: 'events', total: events });
        progress.update(played, `day ${Math.min(days, Math.floor((atMs - fromMs) / DAY_MS) + 1)} of ${days}`);
      };
      const history = await writeHistory(pool, world, ids, { fromMs, toMs: fromMs + days * DAY_MS, log, onProgress });
      progress?.stop();
      progress = undefined;
      const { sends, opens, clicks, unsubscribes } = history;
      log(`history: ${sends} sends, ${opens} opens, ${clicks} clicks, ${unsubscribes} unsubscribes`);
      await analyzeLogTables(pool);
    }
  } catch (err) {
    if ((err as { code?: string }).code === '42P01') {
      throw new Error(`the schema is missing a table (${(err as Error).message}); run "fanfare migrate" first`);
    }
    throw err;
  } finally {
    progress?.stop();
    await pool.end();
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const counts = `${spec.creators.count} creators and ${spec.fans.count} fans`;
  process.stdout.write(`seed: world ${spec.seed} with ${counts} in ${seconds} s\n`);
  return 0;
});
