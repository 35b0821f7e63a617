// `fanfare model list | show VERSION | promote VERSION | rollback`: the model registry from the console.
import { readConfig } from '../app/config.ts';
import { openPool } from '../app/services.ts';
import { getModel, listModels, promoteModel, rollbackModel } from '../db/models.ts';
import { formatModelList, formatModelReport } from './model-report.ts';
import type { Command } from './command.ts';

const USAGE = 'usage: fanfare model list | show VERSION | promote VERSION | rollback';

function version(value: string | undefined): number {
  if (value === undefined || !/^\d+$/.test(value) || Number(value) < 1) throw new Error(`VERSION: must be a positive integer; ${USAGE}`);
  return Number(value);
}

export const command: Command = {
  summary: 'list, show, promote or roll back relevance models (DATABASE_URL)',
  async run(args) {
    const [action, arg, ...rest] = args;
    if (!['list', 'show', 'promote', 'rollback'].includes(action ?? '') || rest.length > 0) throw new Error(USAGE);
    const pool = openPool(readConfig(), 2);
    try {
      if (action === 'list') {
        process.stdout.write(`${formatModelList(await listModels(pool))}\n`);
      } else if (action === 'show') {
        const model = await getModel(pool, version(arg));
        if (!model) throw new Error(`VERSION: no model ${arg}`);
        process.stdout.write(`${formatModelReport(model)}\n`);
      } else if (action === 'promote') {
        const v = version(arg);
        await promoteModel(pool, v, 'promoted by hand (fanfare model promote)');
        process.stdout.write(`model ${v} is active; workers switch to it on their next batch\n`);
      } else {
        const { from, to } = await rollbackModel(pool, 'rolled back by hand (fanfare model rollback)');
        process.stdout.write(`model ${from} retired; model ${to} is active again\n`);
      }
    } finally {
      await pool.end();
    }
  },
};
