// `fanfare worker [--only main|training]`: runs workflows and activities until SIGINT or SIGTERM.
import { readConfig } from '../app/config.ts';
import { ensureDigestSchedule } from '../app/digest-schedule.ts';
import { startProcessMetrics } from '../app/metrics.ts';
import { ensureMonitorSchedule } from '../app/monitor-schedule.ts';
import { connectTemporal, openPool } from '../app/services.ts';
import { ensureRetrainSchedule } from '../app/training-schedule.ts';
import { roleTaskQueue, startWorker, WORKER_ROLES, type WorkerRole } from '../app/worker.ts';
import { defineCommand, ENV, parseFlags, type Syntax } from './args.ts';

const SYNTAX = {
  command: 'worker',
  summary: 'run the Temporal worker: workflows, activities and model training, until SIGINT or SIGTERM',
  flags: { only: { value: 'main|training', help: "serve one role's task queue only (default: both)" } },
  env: {
    ...ENV.database,
    ...ENV.temporal,
    ...ENV.mail,
    ...ENV.push,
    ...ENV.links,
    DELIVERY_CONCURRENCY: 'provider calls in flight per delivery batch (default 8)',
    'PROVIDER_CONCURRENCY, PROVIDER_RATE_LIMIT': 'per provider across all workers: in flight (32), per second (none)',
    PROVIDER_LIMITS: 'per-provider overrides, smtp=CONCURRENCY/RATE,https://push.origin=CONCURRENCY/RATE',
    FANFARE_LOG_LEVEL: 'Temporal SDK log level (default WARN)',
    ...ENV.metricsWorker,
  },
} satisfies Syntax;

/** `--only ROLE`, or both roles when absent. */
export function parseWorkerArgs(args: string[]): { only?: WorkerRole } {
  const only = parseFlags(args, SYNTAX).oneOf('only', WORKER_ROLES);
  return only ? { only } : {};
}

export const command = defineCommand(SYNTAX, async (args) => {
  const { only } = parseWorkerArgs(args);
  const config = readConfig();
  const pool = openPool(config, 'worker', 20);
  const served = await startProcessMetrics(pool, config.metrics.worker, 'FANFARE_WORKER_METRICS_ADDRESS');
  const running = await startWorker(config, pool, { only, metrics: served.metrics }).catch(async (error) => {
    await served.close();
    throw error;
  });
  if (running.roles.includes('main')) {
    // Every main worker start makes sure the nightly retraining, the hourly digests and the hourly monitor exist and
    // are current; all are idempotent.
    const client = await connectTemporal(config);
    await Promise.all([
      ensureRetrainSchedule(client),
      ensureDigestSchedule(client),
      ensureMonitorSchedule(client),
    ]).finally(() => client.connection.close());
  }
  const queues = running.roles.map((role) => `"${roleTaskQueue(role)}"`).join(' and ');
  const where = `${config.temporalAddress} (namespace ${config.temporalNamespace})`;
  process.stdout.write(`fanfare worker: polling ${queues} on ${where}\n`);
  if (served.server) process.stdout.write(`fanfare worker: metrics at ${served.server.url}\n`);
  const stop = () => void running.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await running.done;
  await served.close();
  await pool.end();
  return 0;
});
