// `fanfare worker [--only main|training]`: runs workflows and activities until SIGINT or SIGTERM.
import { readConfig } from '../app/config.ts';
import { connectTemporal, openPool } from '../app/services.ts';
import { ensureRetrainSchedule } from '../app/training-schedule.ts';
import { ensureDigestSchedule } from '../app/digest-schedule.ts';
import { roleTaskQueue, startWorker, WORKER_ROLES, type WorkerRole } from '../app/worker.ts';
import type { Command } from './command.ts';

const USAGE = 'usage: fanfare worker [--only main|training]';

/** `--only ROLE`, or both roles when absent. */
export function parseWorkerArgs(args: string[]): { only?: WorkerRole } {
  const out: { only?: WorkerRole } = {};
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    if (flag === '--only') {
      const value = args[++i];
      if (!WORKER_ROLES.includes(value as WorkerRole)) throw new Error(`--only: must be one of ${WORKER_ROLES.join(', ')}; ${USAGE}`);
      out.only = value as WorkerRole;
    } else throw new Error(`unknown argument "${flag}"; ${USAGE}`);
  }
  return out;
}

export const command: Command = {
  summary: 'run the Temporal worker (DATABASE_URL, TEMPORAL_ADDRESS, SMTP_*, PUSH_CA_FILE); --only main|training serves one queue',
  async run(args) {
    const { only } = parseWorkerArgs(args);
    const config = readConfig();
    const pool = openPool(config, 20);
    const running = await startWorker(config, pool, { only });
    if (running.roles.includes('main')) {
      // Every main worker start makes sure the nightly retraining and the hourly digests exist and are current; both are idempotent.
      const client = await connectTemporal(config);
      await Promise.all([ensureRetrainSchedule(client), ensureDigestSchedule(client)]).finally(() => client.connection.close());
    }
    process.stdout.write(`fanfare worker: polling ${running.roles.map((role) => `"${roleTaskQueue(role)}"`).join(' and ')} on ${config.temporalAddress} (namespace ${config.temporalNamespace})\n`);
    const stop = () => void running.stop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    await running.done;
    await pool.end();
  },
};
