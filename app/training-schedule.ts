// The nightly retraining schedule: created if missing, brought up to date if present, so any number of workers may call it.
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import { RETRAIN_SCHEDULE_ID, TASK_QUEUE } from '../workflows/names.ts';

/** 03:00 UTC: after the evening peak's opens are in, before the morning's events. */
export const RETRAIN_CRON = '0 3 * * *';

function scheduleOptions(): ScheduleOptions {
  return {
    scheduleId: RETRAIN_SCHEDULE_ID,
    spec: { cronExpressions: [RETRAIN_CRON] },
    action: { type: 'startWorkflow', workflowType: 'retrainModel', taskQueue: TASK_QUEUE, args: [{}], workflowId: 'retrain-model-scheduled' },
    // A run still training when the next night comes is left to finish; the night is skipped.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
  };
}

/** Creates the schedule, or updates its spec and action when it exists; returns which. */
export async function ensureRetrainSchedule(client: Client): Promise<'created' | 'updated'> {
  const options = scheduleOptions();
  try {
    await client.schedule.create(options);
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(RETRAIN_SCHEDULE_ID).update((previous) => ({
    ...previous,
    spec: options.spec,
    action: options.action,
    policies: { ...previous.policies, ...options.policies },
  }));
  return 'updated';
}
