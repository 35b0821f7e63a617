// The worker process: runs the workflows and activities on the fanfare task queue.
import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import type { Agent } from 'node:https';
import { createActivities } from '../activities/index.ts';
import { createTrainingActivities } from '../activities/training.ts';
import { createRelevanceScorer } from '../models/scoring.ts';
import { TASK_QUEUE } from '../workflows/names.ts';
import type { Pool } from '../db/pool.ts';
import { connectTemporal, createSenders, messageLinks } from './services.ts';
import { mailDomain, type Config } from './config.ts';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

let bundle: Promise<WorkflowBundle> | undefined;
let runtimeInstalled = false;

/** The SDK logs every worker state change at INFO; keep warnings and errors only (FANFARE_LOG_LEVEL overrides). */
function installRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const level = (process.env.FANFARE_LOG_LEVEL ?? 'WARN').toUpperCase() as 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  try {
    Runtime.install({ logger: new DefaultLogger(level) });
  } catch {
    // Already installed by the host process (for example a test harness): keep its choice.
  }
}

/** Bundles the workflow code once per process. */
export function workflowBundle(): Promise<WorkflowBundle> {
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
  return bundle;
}

const quietLogger = {
  log() {},
  trace() {},
  debug() {},
  info() {},
  warn(message: string) {
    process.stderr.write(`bundler: ${message}\n`);
  },
  error(message: string) {
    process.stderr.write(`bundler: ${message}\n`);
  },
};

export interface RunningWorker {
  worker: Worker;
  /** Resolves when the worker has stopped. */
  done: Promise<void>;
  stop(): Promise<void>;
}

export async function startWorker(config: Config, pool: Pool, options: { pushAgent?: Agent } = {}): Promise<RunningWorker> {
  installRuntime();
  const temporal = await connectTemporal(config);
  const senders = await createSenders(config, pool, options.pushAgent);
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const worker = await Worker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: TASK_QUEUE,
    workflowBundle: await workflowBundle(),
    activities: {
      ...createActivities({
        pool,
        temporal,
        email: senders.email,
        push: senders.push,
        messageIdDomain: mailDomain(config.mailFrom),
        links: await messageLinks(config, pool),
        listId: config.listId,
        deliveryConcurrency: config.deliveryConcurrency,
        scorer: createRelevanceScorer({ pool }),
      }),
      ...createTrainingActivities({ pool }),
    },
    maxConcurrentActivityTaskExecutions: 8,
  });
  const done = worker.run().finally(async () => {
    senders.email.close();
    await connection.close();
    await temporal.connection.close();
  });
  return {
    worker,
    done,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
