// The worker process: workflows and activities on the fanfare task queue, and training on its own queue beside it.

import type { Agent } from 'node:https';
import { fileURLToPath } from 'node:url';
import { IllegalStateError } from '@temporalio/common';
import {
  bundleWorkflowCode,
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  type WorkflowBundle,
} from '@temporalio/worker';
import { createActivities } from '../activities/index.ts';
import { createMonitorActivities } from '../activities/monitor.ts';
import { createTrainingActivities } from '../activities/training.ts';
import type { Pool } from '../db/pool.ts';
import { createProviderGate } from '../delivery/backpressure.ts';
import { smtpProvider } from '../delivery/provider-limits.ts';
import type { FanfareMetrics } from '../metrics/fanfare-metrics.ts';
import type { HoldoutOracle } from '../models/relevance-training.ts';
import { createRelevanceScorer } from '../models/scoring.ts';
import { TASK_QUEUE, trainingTaskQueue } from '../workflows/names.ts';
import { type Config, formatAddress, type ListenAddress, type LogLevel, mailDomain } from './config.ts';
import { connectTemporal, createSenders, messageLinks } from './services.ts';
import { slotWaker } from './workflow-starts.ts';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

let bundle: Promise<WorkflowBundle> | undefined;
let runtimeInstalled = false;

/**
 * The SDK logs every worker state change at INFO; keep warnings and errors only (FANFARE_LOG_LEVEL overrides). The
 * runtime serves the SDK's own worker metrics (task slots, poll and schedule-to-start latencies, …) on its address;
 * a taken address fails the start, as any listener's would.
 */
function installRuntime(level: LogLevel, metrics: ListenAddress | null): void {
  if (runtimeInstalled) return;
  try {
    Runtime.install({
      logger: new DefaultLogger(level),
      ...(metrics ? { telemetryOptions: { metrics: { prometheus: { bindAddress: formatAddress(metrics) } } } } : {}),
    });
  } catch (error) {
    // Already installed by the host process (for example a test harness): keep its choice.
    if (!(error instanceof IllegalStateError)) {
      const where = metrics ? ` (FANFARE_TEMPORAL_METRICS_ADDRESS ${formatAddress(metrics)})` : '';
      throw new Error(`Temporal runtime${where}: ${(error as Error).message}`, { cause: error });
    }
  }
  runtimeInstalled = true;
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

/** What a worker process serves: both queues (the default), or one of them. */
export const WORKER_ROLES = ['main', 'training'] as const;
export type WorkerRole = (typeof WORKER_ROLES)[number];

/** The task queue a role polls: 'main' the workflows' own, 'training' the one beside it. */
export function roleTaskQueue(role: WorkerRole): string {
  return role === 'main' ? TASK_QUEUE : trainingTaskQueue(TASK_QUEUE);
}

export interface RunningWorker {
  /** The roles this process serves. */
  roles: WorkerRole[];
  /** Resolves when every worker of the process has stopped. */
  done: Promise<void>;
  stop(): Promise<void>;
}

export interface StartWorkerOptions {
  pushAgent?: Agent;
  /**
   * Serve only this queue: 'main' (workflows, decisions, delivery, the promotion gate) or 'training'. Default: both.
   */
  only?: WorkerRole;
  /** Scores each training holdout with the truth, where the database holds a simulated world (dev stack, tests). */
  oracle?: HoldoutOracle;
  /** Where the activities count decisions and deliveries; the caller serves its registry. */
  metrics?: FanfareMetrics;
}

/**
 * Starts the workers of one process. The main worker runs every workflow and every activity but training on the
 * fanfare queue; the training worker runs `trainCandidate` alone, one at a time, on the training queue. In one
 * process (the default, as in `fanfare dev`) a training run holds the event loop while it bins and for each boosting
 * iteration (it yields between them); run
 * `fanfare worker --only main` and `fanfare worker --only training` apart where decisions must not wait for it.
 */
export async function startWorker(
  config: Config,
  pool: Pool,
  options: StartWorkerOptions = {},
): Promise<RunningWorker> {
  installRuntime(config.logLevel, config.metrics.temporal);
  const roles: WorkerRole[] = options.only ? [options.only] : [...WORKER_ROLES];
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const closers: (() => Promise<void> | void)[] = [() => connection.close()];
  const workers: Worker[] = [];
  const training = createTrainingActivities({ pool, oracle: options.oracle });
  try {
    if (roles.includes('main')) {
      const temporal = await connectTemporal(config);
      closers.push(() => temporal.connection.close());
      const senders = await createSenders(config, pool, options.pushAgent);
      closers.push(() => senders.email.close());
      workers.push(
        await Worker.create({
          connection,
          namespace: config.temporalNamespace,
          taskQueue: roleTaskQueue('main'),
          workflowBundle: await workflowBundle(),
          activities: {
            ...createActivities({
              pool,
              wakeSlot: slotWaker(temporal),
              email: senders.email,
              push: senders.push,
              messageIdDomain: mailDomain(config.mailFrom),
              links: await messageLinks(config, pool),
              listId: config.listId,
              deliveryConcurrency: config.deliveryConcurrency,
              globalHoldoutPercent: config.globalHoldoutPercent,
              providers: {
                gate: createProviderGate({ pool, limits: config.providerLimits }),
                smtp: smtpProvider(config.smtp.host, config.smtp.port),
              },
              scorer: createRelevanceScorer({ pool }),
              metrics: options.metrics,
            }),
            gateCandidate: training.gateCandidate,
            ...createMonitorActivities({
              pool,
              mail: config.alertEmail
                ? { to: config.alertEmail, email: senders.email, messageIdDomain: mailDomain(config.mailFrom) }
                : undefined,
              log: (line) => process.stderr.write(`${line}\n`),
            }),
          },
          maxConcurrentActivityTaskExecutions: 8,
        }),
      );
    }
    if (roles.includes('training')) {
      workers.push(
        await Worker.create({
          connection,
          namespace: config.temporalNamespace,
          taskQueue: roleTaskQueue('training'),
          activities: { trainCandidate: training.trainCandidate },
          maxConcurrentActivityTaskExecutions: 1,
          // Training heartbeats its progress for `fanfare train` to show; sent each second, not each 30 s.
          defaultHeartbeatThrottleInterval: '1 second',
        }),
      );
    }
  } catch (error) {
    for (const close of closers.reverse()) await close();
    throw error;
  }
  const runs = workers.map((w) => w.run());
  const done = (async () => {
    try {
      // One worker failing stops the others: the process serves all its roles or exits.
      await Promise.all(
        runs.map((run) =>
          run.catch((error: unknown) => {
            for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
            throw error;
          }),
        ),
      );
    } finally {
      await Promise.allSettled(runs);
      for (const close of closers.reverse()) await close();
    }
  })();
  return {
    roles,
    done,
    async stop() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await done;
    },
  };
}
