// `fanfare worker`: runs workflows and activities until SIGINT or SIGTERM.
import { readConfig } from '../app/config.ts';
import { connectTemporal, openPool } from '../app/services.ts';
import { ensureRetrainSchedule } from '../app/training-schedule.ts';
import { ensureDigestSchedule } from '../app/digest-schedule.ts';
import { startWorker } from '../app/worker.ts';
import type { Command } from './commands.ts';

export const command: Command = {
  summary: 'run the Temporal worker (DATABASE_URL, TEMPORAL_ADDRESS, SMTP_*, PUSH_CA_FILE)',
  async run() {
    const config = readConfig();
    const pool = openPool(config, 20);
    const running = await startWorker(config, pool);
    // Every worker start makes sure the nightly retraining and the hourly digests exist and are current; both are idempotent.
    const client = await connectTemporal(config);
    await Promise.all([ensureRetrainSchedule(client), ensureDigestSchedule(client)]).finally(() => client.connection.close());
    process.stdout.write(`fanfare worker: polling task queue on ${config.temporalAddress} (namespace ${config.temporalNamespace})\n`);
    const stop = () => void running.stop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    await running.done;
    await pool.end();
  },
};
