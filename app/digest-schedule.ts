// The hourly digest schedule.
import { type Client, ScheduleOverlapPolicy } from '@temporalio/client';
import { DIGEST_SCHEDULE_ID, TASK_QUEUE } from '../workflows/names.ts';
import { sendDigests } from '../workflows/send-digests.ts';
import { ensureSchedule } from './schedules.ts';

/** On the hour: every fan's local digest hour starts at a whole UTC hour except in half- and quarter-hour zones. */
export const DIGEST_CRON = '0 * * * *';

export function ensureDigestSchedule(client: Client): Promise<'created' | 'updated'> {
  return ensureSchedule(client, {
    scheduleId: DIGEST_SCHEDULE_ID,
    spec: { cronExpressions: [DIGEST_CRON] },
    action: {
      type: 'startWorkflow',
      workflowType: sendDigests,
      taskQueue: TASK_QUEUE,
      args: [{}],
      workflowId: 'send-digests-scheduled',
    },
    // Each hour's run serves other fans (those whose local digest hour it is), and a run can outlast its hour while it
    // retries digests the relay refused or was too busy for: skipping the next hour's run would leave that hour's fans
    // without their digest. So runs may overlap; the digests ledger stops any double send anyway.
    policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL, catchupWindow: '30 minutes' },
  });
}
