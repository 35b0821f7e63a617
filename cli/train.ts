// `fanfare train`: runs the retrainModel workflow now (a worker must be running) or, with --schedule, sets up the nightly schedule.
import { readConfig } from '../app/config.ts';
import { connectTemporal, openPool } from '../app/services.ts';
import { ensureRetrainSchedule, RETRAIN_CRON } from '../app/training-schedule.ts';
import { getModel } from '../db/models.ts';
import { formatModelReport } from './model-report.ts';
import { retrainModel, type RetrainModelInput } from '../workflows/retrain-model.ts';
import { retrainWorkflowId, TASK_QUEUE, trainingTaskQueue } from '../workflows/names.ts';
import type { Command } from './command.ts';

const USAGE = 'usage: fanfare train [--report] [--schedule] [--train-days N] [--holdout-days N] [--max-train-rows N] [--as-of ISO] [--shuffle-labels]';

export interface TrainArgs {
  report: boolean;
  schedule: boolean;
  input: RetrainModelInput;
}

export function parseTrainArgs(args: string[]): TrainArgs {
  const out: TrainArgs = { report: false, schedule: false, input: {} };
  const int = (flag: string, value: string | undefined, min: number) => {
    if (value === undefined || !/^\d+$/.test(value) || Number(value) < min) throw new Error(`${flag}: must be an integer >= ${min}; ${USAGE}`);
    return Number(value);
  };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    if (flag === '--report') out.report = true;
    else if (flag === '--schedule') out.schedule = true;
    else if (flag === '--shuffle-labels') out.input.shuffleLabels = true;
    else if (flag === '--train-days') out.input.trainDays = int(flag, args[++i], 2);
    else if (flag === '--holdout-days') out.input.holdoutDays = int(flag, args[++i], 1);
    else if (flag === '--max-train-rows') out.input.maxTrainRows = int(flag, args[++i], 1000);
    else if (flag === '--as-of') {
      const value = args[++i];
      if (value === undefined || Number.isNaN(Date.parse(value))) throw new Error(`--as-of: must be an ISO 8601 instant; ${USAGE}`);
      out.input.asOf = new Date(value).toISOString();
    } else throw new Error(`unknown argument "${flag}"; ${USAGE}`);
  }
  return out;
}

export const command: Command = {
  summary: 'train a relevance model now (--report: model vs oracle) or set up the nightly schedule (--schedule)',
  async run(args) {
    const parsed = parseTrainArgs(args);
    const config = readConfig();
    const client = await connectTemporal(config);
    try {
      if (parsed.schedule) {
        const how = await ensureRetrainSchedule(client);
        process.stdout.write(`fanfare train: nightly schedule ${how} (cron "${RETRAIN_CRON}" UTC)\n`);
        return;
      }
      const workflowId = retrainWorkflowId(Date.now());
      process.stdout.write(`fanfare train: started ${workflowId}; workers on task queues "${TASK_QUEUE}" and "${trainingTaskQueue(TASK_QUEUE)}" run it\n`);
      const handle = await client.workflow.start(retrainModel, { taskQueue: TASK_QUEUE, workflowId, args: [parsed.input] });
      const result = await handle.result();
      const { candidate: c, gate } = result;
      const oracle = c.oracle ? `; oracle AUC ${c.oracle.auc.toFixed(4)}, ECE ${c.oracle.ece.toFixed(4)}` : '';
      process.stdout.write(`model ${c.version}: holdout AUC ${c.auc.toFixed(4)}, logloss ${c.logloss.toFixed(4)}, ECE ${c.ece.toFixed(4)}${oracle}\n`);
      process.stdout.write(`model ${c.version} ${gate.status === 'active' ? 'promoted' : 'rejected'}: ${gate.reason}\n`);
      if (parsed.report) {
        const pool = openPool(config, 2);
        try {
          const model = await getModel(pool, c.version);
          if (model) process.stdout.write(`\n${formatModelReport(model)}\n`);
        } finally {
          await pool.end();
        }
      }
    } finally {
      await client.connection.close();
    }
  },
};
