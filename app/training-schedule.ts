// The nightly retraining schedule.
import { type Client, ScheduleOverlapPolicy } from '@temporalio/client';
import { RETRAIN_SCHEDULE_ID, TASK_QUEUE } from '../workflows/names.ts';
import { retrainModel } from '../workflows/retrain-model.ts';
import { ensureSchedule } from './schedules.ts';

/** 03:00 UTC: after the evening peak's opens are in, before the morning's events. */
export const RETRAIN_CRON = '0 3 * * *';

export function ensureRetrainSchedule(client: Client): Promise<'created' | 'updated'> {
  return ensureSchedule(client, {
    scheduleId: RETRAIN_SCHEDULE_ID,
    spec: { cronExpressions: [RETRAIN_CRON] },
    action: {
      type: 'startWorkflow',
      workflowType: retrainModel,
      taskQueue: TASK_QUEUE,
      args: [{}],
      workflowId: 'retrain-model-scheduled',
    },
    // A run still training when the next night comes is left to finish; the night is skipped.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
  });
}
