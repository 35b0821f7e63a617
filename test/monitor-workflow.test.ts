// The monitor through the worker: the monitorRelevance workflow raises an alert and emails FANFARE_ALERT_EMAIL through
// the stack's SMTP settings; the worker's hourly schedule starts that workflow.
import { describe, expect, it } from 'vitest';
import { ensureMonitorSchedule, MONITOR_CRON } from '../app/monitor-schedule.ts';
import { useTestStack } from '../testing/stack.ts';
import { useTemporalDevServer } from '../testing/temporal.ts';
import { monitorRelevance } from '../workflows/monitor-relevance.ts';
import { MONITOR_SCHEDULE_ID, TASK_QUEUE } from '../workflows/names.ts';

const temporal = useTemporalDevServer();
const stack = useTestStack('monitor_workflow', temporal, { env: { FANFARE_ALERT_EMAIL: 'oncall@fanfare.test' } });

describe('monitorRelevance', () => {
  it('runs the monitor in the worker: an overdue decision raises a backlog alert, emailed to the address', async () => {
    const { db, client, smtp } = stack();
    await db.pool.query(`insert into creators (handle, display_name) values ('w', 'W')`);
    await db.pool.query(`insert into fans (email) values ('w@fans.test')`);
    await db.pool.query(
      `insert into creator_events (creator_id, kind, title, url, audience, idempotency_key)
       select id, 'post', 'T', 'https://c.test/', 'all', 'w' from creators`,
    );
    // Due 20 minutes ago, and no dispatcher was ever woken for it.
    await db.pool.query(
      `insert into decisions (event_id, fan_id, channel, action, send_at, policy, reason)
       select e.id, f.id, 'email', 'alert', now() - interval '20 minutes', 'test', 'alert_best_hour'
         from creator_events e, fans f`,
    );
    const mark = smtp.messages.length;
    const result = await client.workflow.execute(monitorRelevance, {
      taskQueue: TASK_QUEUE,
      workflowId: 'monitor-relevance-test',
    });
    expect(result.raised).toEqual(['backlogAge']);
    expect(result.open).toEqual(['backlogAge']);
    const [mail] = (await smtp.waitFor(mark + 1, 30_000)).slice(mark);
    expect(mail.envelope.to).toEqual(['oncall@fanfare.test']);
    expect(mail.parsed.subject).toMatch(/^\[Fanfare alert\] backlog: the oldest due alert has waited \d+ s/);
  }, 120_000);

  it('runs hourly on a Temporal Schedule created once and updated after', async () => {
    const { client } = stack();
    expect(await ensureMonitorSchedule(client)).toBe('created');
    expect(await ensureMonitorSchedule(client)).toBe('updated');
    const described = await client.schedule.getHandle(MONITOR_SCHEDULE_ID).describe();
    expect(described.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'monitorRelevance',
      taskQueue: TASK_QUEUE,
    });
    expect(MONITOR_CRON).toBe('20 * * * *');
  });
});
