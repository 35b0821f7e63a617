// The Temporal Schedules the system keeps: created if missing, else brought up to date; any worker may ensure them.
import { type Client, ScheduleAlreadyRunning, type ScheduleOptions } from '@temporalio/client';

/** Creates the schedule, or updates its spec, action and policies when it exists; returns which. */
export async function ensureSchedule(client: Client, options: ScheduleOptions): Promise<'created' | 'updated'> {
  try {
    await client.schedule.create(options);
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(options.scheduleId).update((previous) => ({
    ...previous,
    spec: options.spec,
    action: options.action,
    policies: { ...previous.policies, ...options.policies },
  }));
  return 'updated';
}
