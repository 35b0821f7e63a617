// `fanfare model list | show VERSION | promote VERSION | rollback`: the model registry from the console.
import { getModel, listModels, promoteModel, rollbackModel } from '../db/models.ts';
import { defineCommand, defineGroup, ENV, parseFlags, type Syntax } from './args.ts';
import { formatModelList, formatModelReport } from './model-report.ts';
import { defaultActor } from './policy.ts';
import { withPool } from './pool.ts';

const LIST = {
  command: 'model list',
  summary: "list the registry's models with their holdout metrics",
  env: ENV.database,
} satisfies Syntax;
const SHOW = {
  command: 'model show',
  summary: "a model's holdout report beside the oracle's: AUC, logloss, calibration, lift",
  operands: ['VERSION'],
  env: ENV.database,
} satisfies Syntax;
const PROMOTE = {
  command: 'model promote',
  summary: 'make a model the active one; workers switch to it on their next batch',
  operands: ['VERSION'],
  env: ENV.database,
} satisfies Syntax;
const ROLLBACK = {
  command: 'model rollback',
  summary: 'retire the active model and reactivate the one promoted before it',
  env: ENV.database,
} satisfies Syntax;

/** The VERSION operand: a positive integer. */
export function parseVersionArgs(args: string[], syntax: typeof SHOW | typeof PROMOTE): number {
  const line = parseFlags(args, syntax);
  const [raw] = line.operands;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) line.fail(`VERSION: must be a positive integer, got "${raw}"`);
  return Number(raw);
}

const list = defineCommand(LIST, async (args) => {
  parseFlags(args, LIST);
  await withPool(
    LIST.command,
    async (pool) => void process.stdout.write(`${formatModelList(await listModels(pool))}\n`),
  );
  return 0;
});

const show = defineCommand(SHOW, async (args) => {
  const version = parseVersionArgs(args, SHOW);
  await withPool(SHOW.command, async (pool) => {
    const model = await getModel(pool, version);
    if (!model) throw new Error(`VERSION: no model ${version}`);
    process.stdout.write(`${formatModelReport(model)}\n`);
  });
  return 0;
});

const promote = defineCommand(PROMOTE, async (args) => {
  const version = parseVersionArgs(args, PROMOTE);
  await withPool(PROMOTE.command, async (pool) => {
    await promoteModel(pool, version, 'promoted by hand (fanfare model promote)', { actor: defaultActor() });
    process.stdout.write(`model ${version} is active; workers switch to it on their next batch\n`);
  });
  return 0;
});

const rollback = defineCommand(ROLLBACK, async (args) => {
  parseFlags(args, ROLLBACK);
  await withPool(ROLLBACK.command, async (pool) => {
    const { from, to } = await rollbackModel(pool, 'rolled back by hand (fanfare model rollback)', defaultActor());
    process.stdout.write(`model ${from} retired; model ${to} is active again\n`);
  });
  return 0;
});

export const command = defineGroup(
  { command: 'model', summary: 'list, show, promote or roll back relevance models', env: ENV.database },
  { list, show, promote, rollback },
);
