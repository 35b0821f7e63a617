// The hourly monitor schedule: the relevance report and the alert rules (docs/OPERATIONS.md#alerts).
import { type Client, ScheduleOverlapPolicy } from '@temporalio/client';
import { monitorRelevance } from '../workflows/monitor-relevance.ts';
import { MONITOR_SCHEDULE_ID, TASK_QUEUE } from '../workflows/names.ts';
import { ensureSchedule } from './schedules.ts';

/** At 20 past each hour: off the digests' and the slots' round minutes. Drift is replayed once a day of these. */
export const MONITOR_CRON = '20 * * * *';

export function ensureMonitorSchedule(client: Client): Promise<'created' | 'updated'> {
  return ensureSchedule(client, {
    scheduleId: MONITOR_SCHEDULE_ID,
    spec: { cronExpressions: [MONITOR_CRON] },
    action: {
      type: 'startWorkflow',
      workflowType: monitorRelevance,
      taskQueue: TASK_QUEUE,
      args: [],
      workflowId: 'monitor-relevance-scheduled',
    },
    // A run still replaying features when the next hour comes is left to finish; that hour is skipped.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '30 minutes' },
  });
}
