// The hourly digest schedule: created if missing, brought up to date if present, so any number of workers may call it.
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import { DIGEST_SCHEDULE_ID, TASK_QUEUE } from '../workflows/names.ts';

/** On the hour: every fan's local digest hour starts at a whole UTC hour except in half- and quarter-hour zones. */
export const DIGEST_CRON = '0 * * * *';

function scheduleOptions(): ScheduleOptions {
  return {
    scheduleId: DIGEST_SCHEDULE_ID,
    spec: { cronExpressions: [DIGEST_CRON] },
    action: { type: 'startWorkflow', workflowType: 'sendDigests', taskQueue: TASK_QUEUE, args: [{}], workflowId: 'send-digests-scheduled' },
    // A run still going when the next hour comes is left to finish; the digests ledger would stop any double send anyway.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '30 minutes' },
  };
}

/** Creates the schedule, or updates its spec and action when it exists; returns which. */
export async function ensureDigestSchedule(client: Client): Promise<'created' | 'updated'> {
  const options = scheduleOptions();
  try {
    await client.schedule.create(options);
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(DIGEST_SCHEDULE_ID).update((previous) => ({
    ...previous,
    spec: options.spec,
    action: options.action,
    policies: { ...previous.policies, ...options.policies },
  }));
  return 'updated';
}
