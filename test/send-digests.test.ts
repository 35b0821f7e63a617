// sendDigests end to end (real Temporal, PostgreSQL, SMTP capture): a digest per due fan, exactly once; the schedule.

import { type Client, ScheduleOverlapPolicy } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../app/config.ts';
import { DIGEST_CRON, ensureDigestSchedule } from '../app/digest-schedule.ts';
import { connectTemporal } from '../app/services.ts';
import { type RunningWorker, startWorker } from '../app/worker.ts';
import { insertDecisions } from '../db/decisions.ts';
import { insertEvent } from '../db/events.ts';
import { localHour } from '../domain/clock.ts';
import { type SmtpCapture, startSmtpCapture } from '../peers/smtp-capture.ts';
import { localWeekday } from '../policy/digest.ts';
import { type SeededAudience, seedAudience } from '../testing/audience.ts';
import { createTestSchema, type TestSchema } from '../testing/db.ts';
import { useTemporalDevServer } from '../testing/temporal.ts';
import { DIGEST_SCHEDULE_ID, TASK_QUEUE } from '../workflows/names.ts';
import { sendDigests } from '../workflows/send-digests.ts';

const temporal = useTemporalDevServer();
let db: TestSchema;
let smtp: SmtpCapture;
let worker: RunningWorker;
let client: Client;
let audience: SeededAudience;
const HOUR = 3_600_000;
const runAtMs = Math.floor(Date.now() / HOUR) * HOUR;
const hourNow = localHour('Europe/Paris', runAtMs);

beforeAll(async () => {
  db = await createTestSchema('send_digests');
  smtp = await startSmtpCapture();
  const config = readConfig({
    DATABASE_URL: db.connectionString,
    TEMPORAL_ADDRESS: temporal().address,
    SMTP_HOST: smtp.host,
    SMTP_PORT: String(smtp.port),
    // Another test file's worker or a running `fanfare dev` may hold the default address.
    FANFARE_TEMPORAL_METRICS_ADDRESS: 'off',
  });
  audience = await seedAudience(db.pool, {
    fans: 5,
    handle: 'dee',
    noPush: [0, 1, 2, 3, 4],
    subscribe: () => {
      throw new Error('no push in this test');
    },
  });
  // Fan 0: daily, due now. Fan 1: daily, another hour. Fan 2: weekly, due only on the policy's weekly day (Monday).
  // Fan 3: due, but everything waiting for them was also alerted. Fan 4: due, unsubscribed since.
  const prefs = [
    ['daily', hourNow],
    ['daily', (hourNow + 3) % 24],
    ['weekly', hourNow],
    ['daily', hourNow],
    ['daily', hourNow],
  ] as const;
  for (const [i, [cadence, hour]] of prefs.entries()) {
    await db.pool.query(
      `update preferences set digest_cadence = $2::text, digest_hour = $3::int where fan_id = $1::bigint`,
      [audience.fanIds[i], cadence, hour],
    );
  }
  const scores = [0.31, 0.52, 0.18, 0.77, 0.44, 0.26, 0.61, 0.01];
  for (const [k, score] of scores.entries()) {
    const { event } = await insertEvent(db.pool, {
      creatorId: audience.creatorId,
      kind: 'post',
      title: `Item ${k} score ${score}`,
      url: `https://creators.example/dee/${k}`,
      audience: { rule: 'all' },
      idempotencyKey: `digest-${k}`,
      deadline: null,
    });
    const digest = (fan: number) => ({
      fanId: audience.fanIds[fan],
      channel: 'email' as const,
      action: 'digest' as const,
      sendAt: null,
      policy: 'test',
      reason: 'digest_below_alert_threshold' as const,
      reasonDetail: {},
      score,
    });
    const alert = (fan: number) => ({
      ...digest(fan),
      channel: 'push' as const,
      action: 'alert' as const,
      sendAt: new Date(runAtMs - HOUR),
      reason: 'alert_best_hour' as const,
    });
    // Event 3 (the best) also went out to fan 0 as a push alert: it must not appear in fan 0's digest.
    await insertDecisions(db.pool, event.id, [
      digest(0),
      digest(1),
      digest(2),
      digest(3),
      digest(4),
      ...(k === 3 ? [alert(0)] : []),
      alert(3),
    ]);
  }
  await db.pool.query(`update preferences set unsubscribed_at = now() where fan_id = $1::bigint`, [audience.fanIds[4]]);
  worker = await startWorker(config, db.pool);
  client = await connectTemporal(config);
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await client?.connection.close();
  await smtp?.stop();
  await db?.drop();
});

const run = (id: string) =>
  client.workflow.execute(sendDigests, { workflowId: id, taskQueue: TASK_QUEUE, args: [{ runAtMs }] });

describe('sendDigests', () => {
  it('emails each due fan once: top items, none alerted, a refused one again, none if none qualify', async () => {
    const weeklyDue = localWeekday('Europe/Paris', runAtMs) === 1;
    // The relay refuses the first digest for now: the run passes over it again after the pause, and sends it.
    smtp.failNext(1, 451, '4.7.1 Try again later');
    const result = await run('digests-first');
    expect(result).toMatchObject({ runAtMs, fans: 5, sent: weeklyDue ? 2 : 1 });
    const mails = await smtp.waitFor(weeklyDue ? 2 : 1, 10_000);
    const mine = mails.filter((m) => m.envelope.to.includes(audience.emails[0]));
    expect(mine).toHaveLength(1);
    const mail = mine[0].parsed;
    expect(mail.subject).toBe('Your daily digest: 5 new updates from Creator dee');
    // Top five of the seven above the minimum score, best first, without event 3 (alerted) or event 7 (0.01).
    const order = [
      'Item 6 score 0.61',
      'Item 1 score 0.52',
      'Item 4 score 0.44',
      'Item 0 score 0.31',
      'Item 5 score 0.26',
    ];
    const at = order.map((t) => mail.text!.indexOf(t));
    expect(at.every((p) => p >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(mail.text).not.toContain('Item 3 ');
    expect(mail.text).not.toContain('Item 2 ');
    expect(mail.headerLines.some((h) => h.key === 'list-unsubscribe')).toBe(true);
    expect(mails.some((m) => m.envelope.to.some((to) => [1, 3, 4].map((i) => audience.emails[i]).includes(to)))).toBe(
      false,
    );

    const { rows } = await db.pool.query(
      `select fan_id, status, period, attempts, jsonb_array_length(items) as n from digests order by fan_id`,
    );
    expect(rows[0]).toMatchObject({ fan_id: audience.fanIds[0], status: 'sent', n: 5, attempts: 2 });
    expect(rows.find((r) => r.fan_id === audience.fanIds[4])).toMatchObject({ status: 'skipped' });
    expect(rows.some((r) => r.fan_id === audience.fanIds[3] || r.fan_id === audience.fanIds[1])).toBe(false);
  });

  it('sends nothing twice when the same hour runs again', async () => {
    const before = smtp.messages.length;
    const again = await run('digests-again');
    expect(again.sent).toBe(0);
    await new Promise((r) => setTimeout(r, 1000));
    expect(smtp.messages.length).toBe(before);
  });

  it('runs hourly on a Temporal Schedule created once and updated after', async () => {
    expect(await ensureDigestSchedule(client)).toBe('created');
    expect(await ensureDigestSchedule(client)).toBe('updated');
    const described = await client.schedule.getHandle(DIGEST_SCHEDULE_ID).describe();
    expect(described.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'sendDigests',
      taskQueue: TASK_QUEUE,
    });
    expect(JSON.stringify(described.spec)).toContain('"minute"');
    expect(DIGEST_CRON).toBe('0 * * * *');
    // A run retrying a refusing relay past its hour must not skip the next hour's fans.
    expect(described.policies.overlap).toBe(ScheduleOverlapPolicy.ALLOW_ALL);
  });
});
