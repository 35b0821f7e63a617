// `fanfare train`: runs the retrainModel workflow now, showing its current step, or sets up the nightly schedule.
import { defaultPayloadConverter, type WorkflowHandle } from '@temporalio/client';
import { readConfig } from '../app/config.ts';
import { DEFAULT_TRAINING as TRAINING, type TrainingProgress } from '../models/relevance-training.ts';
import { retrainWorkflowId, TASK_QUEUE, trainingTaskQueue } from '../workflows/names.ts';
import type { RetrainModelInput } from '../workflows/retrain-model.ts';
import { defineCommand, ENV, parseFlags, type Syntax } from './args.ts';
import { formatModelReport } from './model-report.ts';
import { type Progress, startProgress } from './progress.ts';

const SYNTAX = {
  command: 'train',
  summary: 'train a relevance model now (--report: model vs oracle) or set up the nightly schedule (--schedule)',
  flags: {
    report: { help: "print the new model's holdout report beside the oracle's" },
    schedule: { help: 'create or update the nightly retraining schedule instead of training now' },
    'train-days': { value: 'N', help: `days of sends to learn from, 2 or more (default ${TRAINING.trainDays})` },
    'holdout-days': { value: 'N', help: `latest days held out to evaluate on (default ${TRAINING.holdoutDays})` },
    'max-train-rows': { value: 'N', help: `training rows kept, 1000 or more (default ${TRAINING.maxTrainRows})` },
    'as-of': { value: 'ISO', help: 'the data\'s "now": train as if it were this instant (default: now)' },
    'shuffle-labels': { help: 'train on permuted labels: the gate must reject a model that learned nothing' },
  },
  env: { ...ENV.temporal, DATABASE_URL: 'PostgreSQL connection string, for --report' },
  notes: ['A worker (fanfare worker) must serve both task queues; the model is trained there, not here.'],
} satisfies Syntax;

export interface TrainArgs {
  report: boolean;
  schedule: boolean;
  input: RetrainModelInput;
}

export function parseTrainArgs(args: string[]): TrainArgs {
  const line = parseFlags(args, SYNTAX);
  const input: RetrainModelInput = {};
  if (line.switch('shuffle-labels')) input.shuffleLabels = true;
  const trainDays = line.integer('train-days', { min: 2 });
  const holdoutDays = line.integer('holdout-days', { min: 1 });
  const maxTrainRows = line.integer('max-train-rows', { min: 1000 });
  if (trainDays !== undefined) input.trainDays = trainDays;
  if (holdoutDays !== undefined) input.holdoutDays = holdoutDays;
  if (maxTrainRows !== undefined) input.maxTrainRows = maxTrainRows;
  const asOf = line.string('as-of');
  if (asOf !== undefined) {
    if (Number.isNaN(Date.parse(asOf))) line.fail(`--as-of: must be an ISO 8601 instant, got "${asOf}"`);
    input.asOf = new Date(asOf).toISOString();
  }
  return { report: line.switch('report'), schedule: line.switch('schedule'), input };
}

/** PENDING_ACTIVITY_STATE_STARTED and PENDING_WORKFLOW_TASK_STATE_STARTED of temporal.api.enums.v1. */
const STARTED = 2;
const POLL_MS = 1000;

interface Step {
  /** What the workflow is doing: its pending activity, running or waiting for a worker, and any retry. */
  text: string;
  /** The training's own progress, from the training activity's last heartbeat. */
  training?: TrainingProgress;
}

async function currentStep(handle: WorkflowHandle): Promise<Step> {
  const described = await handle.describe();
  const [activity] = described.raw.pendingActivities ?? [];
  if (!activity) {
    const task = described.raw.pendingWorkflowTask;
    return {
      text: task && task.state !== STARTED ? `waiting for a worker on "${described.taskQueue}"` : 'workflow deciding',
    };
  }
  const name = activity.activityType?.name ?? 'activity';
  const attempt = (activity.attempt ?? 1) > 1 ? `, attempt ${activity.attempt}` : '';
  const failure = activity.lastFailure?.message ? ` after "${activity.lastFailure.message}"` : '';
  if (activity.state !== STARTED) return { text: `${name} waiting for a worker${attempt}${failure}` };
  const [details] = activity.heartbeatDetails?.payloads ?? [];
  const training = details ? defaultPayloadConverter.fromPayload<TrainingProgress>(details) : undefined;
  return { text: `${name} ${training?.stage ?? 'running'}${attempt}`, training };
}

/**
 * The workflow's result, with its current step and the time elapsed on stderr meanwhile: while boosting, a bar of
 * the iterations done of num_iterations, with the time left (early stopping may end it sooner: the bar completes).
 */
async function resultWithProgress<T>(handle: WorkflowHandle, result: Promise<T>): Promise<T> {
  let progress: Progress = startProgress({ label: 'train' });
  let total: number | undefined;
  let finished = false;
  void (async () => {
    while (!finished) {
      try {
        const step = await currentStep(handle);
        if (finished) break;
        const next = step.training?.total;
        if (next !== total) {
          progress.stop();
          total = next;
          progress = startProgress({ label: 'train', ...(total === undefined ? {} : { unit: 'iterations', total }) });
        }
        progress.update(step.training?.done ?? 0, step.text);
      } catch {
        // A describe that fails (the connection closing as the result arrives) leaves the last step shown.
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS).unref());
    }
  })();
  try {
    const value = await result;
    if (total !== undefined) progress.update(total, 'done');
    return value;
  } finally {
    finished = true;
    progress.stop();
  }
}

export const command = defineCommand(SYNTAX, async (args) => {
  const parsed = parseTrainArgs(args);
  const config = readConfig();
  // Loaded only to run, so that --help need not wait for the Temporal client.
  const [{ connectTemporal, openPool }, { ensureRetrainSchedule, RETRAIN_CRON }, { getModel }, { retrainModel }] =
    await Promise.all([
      import('../app/services.ts'),
      import('../app/training-schedule.ts'),
      import('../db/models.ts'),
      import('../workflows/retrain-model.ts'),
    ]);
  const client = await connectTemporal(config);
  try {
    if (parsed.schedule) {
      const how = await ensureRetrainSchedule(client);
      process.stdout.write(`fanfare train: nightly schedule ${how} (cron "${RETRAIN_CRON}" UTC)\n`);
      return 0;
    }
    const workflowId = retrainWorkflowId(Date.now());
    const queues = `"${TASK_QUEUE}" and "${trainingTaskQueue(TASK_QUEUE)}"`;
    process.stdout.write(`fanfare train: started ${workflowId}; workers on task queues ${queues} run it\n`);
    const handle = await client.workflow.start(retrainModel, {
      taskQueue: TASK_QUEUE,
      workflowId,
      args: [parsed.input],
    });
    const { candidate: c, gate } = await resultWithProgress(handle, handle.result());
    const oracle = c.oracle ? `; oracle AUC ${c.oracle.auc.toFixed(4)}, ECE ${c.oracle.ece.toFixed(4)}` : '';
    const metrics = `AUC ${c.auc.toFixed(4)}, logloss ${c.logloss.toFixed(4)}, ECE ${c.ece.toFixed(4)}${oracle}`;
    process.stdout.write(`model ${c.version}: holdout ${metrics}\n`);
    const verdict = gate.status === 'active' ? 'promoted' : 'rejected';
    process.stdout.write(`model ${c.version} ${verdict}: ${gate.reason}\n`);
    if (parsed.report) {
      const pool = openPool(config, 'train', 2);
      try {
        const model = await getModel(pool, c.version);
        if (model) process.stdout.write(`\n${formatModelReport(model)}\n`);
      } finally {
        await pool.end();
      }
    }
    return 0;
  } finally {
    await client.connection.close();
  }
});
