// The relevance monitor against real PostgreSQL and SMTP: an injected calibration drift and an injected unsubscribe
// spike each raise an alert (a row and an email) and then clear it when the log is healthy again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMonitorActivities, runMonitor } from '../activities/monitor.ts';
import { activateAlertRules, listAlertRulesAudit } from '../db/alert-rules.ts';
import { openAlerts } from '../db/alerts.ts';
import { latestRelevanceReport } from '../db/monitoring.ts';
import type { Pool } from '../db/pool.ts';
import { createEmailSender, type EmailSender } from '../delivery/email-sender.ts';
import { DAY_MS, HOUR_MS } from '../domain/time.ts';
import { FEATURE_NAMES } from '../models/features.ts';
import { type SmtpCapture, startSmtpCapture } from '../peers/smtp-capture.ts';
import { DEFAULT_ALERT_RULES } from '../policy/alert-rules.ts';
import { useTestSchema } from '../testing/db.ts';
import { trainActiveModel } from '../testing/model.ts';

const db = useTestSchema('monitor_alerts');
const FANS = 1000;
const ALERT_TO = 'ops@fanfare.test';
let smtp: SmtpCapture;
let email: EmailSender;
let creatorId: number;
let batch = 0;

beforeAll(async () => {
  smtp = await startSmtpCapture();
  email = createEmailSender({ host: smtp.host, port: smtp.port, from: 'Fanfare <notify@mail.fanfare.test>' });
  const { pool } = db();
  const c = await pool.query(`insert into creators (handle, display_name) values ('mon', 'Mon') returning id`);
  creatorId = c.rows[0].id;
  await pool.query(`insert into fans (email) select 'fan' || i || '@fans.test' from generate_series(1, $1::int) i`, [
    FANS,
  ]);
});

afterAll(async () => {
  email?.close();
  await smtp?.stop();
});

/**
 * The golden-ratio sequence: a low-discrepancy stand-in for chance, so any run of a hundred fans holds the share a
 * probability says (within a percent or two), and a healthy decile never misses by luck.
 */
const u = (i: number) => (i * 0.6180339887498949) % 1;

/**
 * One event sent by email to `sends` fans at `sentAt`, the i-th with model score `score(i)`; fan i opens an hour later
 * when `opens(i)` says so, and `unsubscribes` of them unsubscribe two hours later.
 */
async function sendBatch(
  pool: Pool,
  at: Date,
  o: { sends?: number; score?: (i: number) => number; opens?: (i: number) => boolean; unsubscribes?: number },
): Promise<void> {
  const b = ++batch;
  const sends = o.sends ?? FANS;
  const score = o.score ?? (() => 0.2);
  const e = await pool.query(
    `insert into creator_events (creator_id, kind, title, url, audience, idempotency_key, created_at)
     values ($1::bigint, 'post', 'Post', 'https://creators.test/p', 'all', $2::text, $3::timestamptz) returning id`,
    [creatorId, `batch-${b}`, at],
  );
  const eventId = e.rows[0].id;
  const fans = await pool.query(`select id from fans order by id limit $1::int`, [sends]);
  const fanIds = fans.rows.map((r) => Number(r.id));
  const scores = fanIds.map((_, i) => score(i));
  await pool.query(
    `insert into decisions (event_id, fan_id, channel, action, send_at, policy, reason, score, decided_at)
     select $1::bigint, f, 'email', 'alert', $2::timestamptz, 'test', 'alert_best_hour', s, $2::timestamptz
       from unnest($3::bigint[], $4::float8[]) as t(f, s)`,
    [eventId, at, fanIds, scores],
  );
  await pool.query(
    `insert into deliveries (decision_id, channel, status, started_at, finished_at)
     select id, 'email', 'sent', $2::timestamptz, $2::timestamptz from decisions where event_id = $1::bigint`,
    [eventId, at],
  );
  const openers = fanIds.filter((_, i) => o.opens?.(i) ?? false);
  await pool.query(
    `insert into engagement_events (delivery_id, decision_id, fan_id, event_id, channel, kind, occurred_at)
     select v.id, d.id, d.fan_id, d.event_id, 'email', 'open', $3::timestamptz
       from decisions d join deliveries v on v.decision_id = d.id
      where d.event_id = $1::bigint and d.fan_id = any($2::bigint[])`,
    [eventId, openers, new Date(at.getTime() + HOUR_MS)],
  );
  await pool.query(
    `insert into engagement_events (decision_id, fan_id, event_id, channel, kind, occurred_at)
     select d.id, d.fan_id, d.event_id, 'email', 'unsubscribe', $3::timestamptz
       from decisions d where d.event_id = $1::bigint order by d.fan_id limit $2::int`,
    [eventId, o.unsubscribes ?? 0, new Date(at.getTime() + 2 * HOUR_MS)],
  );
}

const monitor = (asOf: Date) =>
  runMonitor(
    { pool: db().pool, mail: { to: ALERT_TO, email, messageIdDomain: 'mail.fanfare.test' } },
    {
      asOfMs: asOf.getTime(),
    },
  );

const alertsOf = async (rule: string) =>
  (await db().pool.query(`select * from alerts where rule = $1::text order by id`, [rule])).rows;

/** Scores spread over 0.05…0.5 so every decile is populated; a calibrated fan opens with the probability scored. */
const spread = (i: number) => 0.05 + (0.45 * i) / FANS;

describe('an injected calibration drift', () => {
  const day = (k: number) => new Date(Date.parse('2026-03-02T00:00:00Z') + k * DAY_MS);

  it('raises a calibration alert (a row and an email) once, keeps it while it holds, and clears it', async () => {
    const { pool } = db();
    // Day 0: the model is calibrated. Judged two days on, when every send's 24-hour label window has closed.
    await sendBatch(pool, new Date(day(0).getTime() + 12 * HOUR_MS), {
      score: spread,
      opens: (i) => u(i) < spread(i),
    });
    const first = await monitor(day(2));
    const calibration = first.report.findings.find((f) => f.rule === 'calibration')!;
    expect(calibration.status).toBe('ok');
    expect(first.report.calibration.sends).toBe(FANS);
    expect(first.report.calibration.auc).toBeGreaterThan(0.6);
    expect(first.report.calibration.deciles).toHaveLength(10);
    expect(first.raised).toEqual([]);

    // Day 1: the same scores, but fans open a fifth as often as predicted: the top deciles miss by far more than 0.1.
    await sendBatch(pool, new Date(day(1).getTime() + 12 * HOUR_MS), {
      score: spread,
      opens: (i) => u(i) < spread(i) / 5,
    });
    const mailsBefore = smtp.messages.length;
    const drifted = await monitor(day(3));
    expect(drifted.raised.map((a) => a.rule)).toEqual(['calibration']);
    const [row] = await alertsOf('calibration');
    expect(row.cleared_at).toBeNull();
    expect(row.value).toBeGreaterThan(0.1);
    expect(row.threshold).toBe(0.1);
    expect(row.message).toMatch(/^calibration: score decile \d+ predicted/);
    expect(row.notified_at).not.toBeNull();
    const [mail] = await smtp.waitFor(mailsBefore + 1, 10_000).then((m) => m.slice(mailsBefore));
    expect(mail.envelope.to).toEqual([ALERT_TO]);
    expect(mail.parsed.subject).toBe(`[Fanfare alert] ${row.message}`);
    expect(mail.parsed.text).toContain('docs/OPERATIONS.md#alerts');

    // An hour later the condition still holds: still one open alert, no second email.
    const again = await monitor(new Date(day(3).getTime() + HOUR_MS));
    expect(again.raised).toEqual([]);
    expect(again.open.map((a) => a.rule)).toEqual(['calibration']);
    expect(await alertsOf('calibration')).toHaveLength(1);
    expect(smtp.messages.length).toBe(mailsBefore + 1);

    // Day 2 is calibrated again: the alert clears itself, and the address hears so.
    await sendBatch(pool, new Date(day(2).getTime() + 12 * HOUR_MS), {
      score: spread,
      opens: (i) => u(i) < spread(i),
    });
    const healed = await monitor(day(4));
    expect(healed.cleared.map((a) => a.rule)).toEqual(['calibration']);
    expect(healed.open).toEqual([]);
    const [cleared] = await alertsOf('calibration');
    expect(cleared.cleared_at.getTime()).toBe(day(4).getTime());
    const [clearMail] = await smtp.waitFor(mailsBefore + 2, 10_000).then((m) => m.slice(mailsBefore + 1));
    expect(clearMail.parsed.subject).toMatch(/^\[Fanfare alert cleared\] calibration: /);
    const stored = await latestRelevanceReport<{ findings: { rule: string; status: string }[] }>(pool);
    expect(stored?.asOf.getTime()).toBe(day(4).getTime());
    expect(stored?.report.findings.find((f) => f.rule === 'calibration')?.status).toBe('ok');
  });
});

describe('an injected unsubscribe spike', () => {
  const day = (k: number) => new Date(Date.parse('2026-05-04T00:00:00Z') + k * DAY_MS);

  it('raises an unsubscribe alert under the stored rules, and clears it when the rate falls back', async () => {
    const { pool } = db();
    // The team tightens the rule: a stored, audited version, which the alert then names.
    const rules = structuredClone(DEFAULT_ALERT_RULES);
    rules.unsubscribeSpike.maxRate = 0.004;
    const { version } = await activateAlertRules(pool, rules, 'person:ana');
    expect((await listAlertRulesAudit(pool))[0]).toMatchObject({ version, actor: 'person:ana', action: 'activate' });

    // A week of 1,000 sends a day with one unsubscribe each (0.1%), from a calibrated model.
    const healthy = { score: () => 0.2, opens: (i: number) => u(i) < 0.2 };
    for (let k = 0; k < 7; k++)
      await sendBatch(pool, new Date(day(k).getTime() + 10 * HOUR_MS), { ...healthy, unsubscribes: 1 });
    const quiet = await monitor(day(7));
    expect(quiet.report.findings.find((f) => f.rule === 'unsubscribeSpike')?.status).toBe('ok');
    expect(quiet.report.unsubscribes).toEqual({ events: 1, sends: FANS, baselineEvents: 6, baselineSends: 6 * FANS });

    // Day 7: 12 of 1,000 unsubscribe (1.2%, twelve times the week).
    await sendBatch(pool, new Date(day(7).getTime() + 10 * HOUR_MS), { ...healthy, unsubscribes: 12 });
    const spiked = await monitor(day(8));
    expect(spiked.raised.map((a) => a.rule)).toEqual(['unsubscribeSpike']);
    const [row] = await alertsOf('unsubscribeSpike');
    expect(row.rule_version).toBe(version);
    expect(row.value).toBeCloseTo(0.012);
    expect(row.threshold).toBe(0.004);
    expect((await openAlerts(pool)).map((a) => a.rule)).toEqual(['unsubscribeSpike']);

    // Day 8: back to one. The spike now sits in the baseline; the last 24 hours are healthy, so the alert clears.
    await sendBatch(pool, new Date(day(8).getTime() + 10 * HOUR_MS), { ...healthy, unsubscribes: 1 });
    const calm = await monitor(day(9));
    expect(calm.cleared.map((a) => a.rule)).toEqual(['unsubscribeSpike']);
    expect(await openAlerts(pool)).toEqual([]);
    const subjects = smtp.messages.map((m) => m.parsed.subject ?? '').filter((s) => s.includes('unsubscribe rate'));
    expect(subjects.map((s) => /^\[Fanfare alert( cleared)?\]/.exec(s)?.[0])).toEqual([
      '[Fanfare alert]',
      '[Fanfare alert cleared]',
    ]);
  });
});

describe('feature drift against a real model', () => {
  it("replays the week's features against the active model's training window, PSI per feature", async () => {
    const { pool } = db();
    const asOf = Date.parse('2026-06-20T00:00:00Z');
    const version = await trainActiveModel(pool, asOf - 2 * DAY_MS);
    const run = await runMonitor({ pool }, { asOfMs: asOf, drift: true });
    const drift = run.report.featureDrift!;
    expect(run.report.modelVersion).toBe(version);
    expect(run.report.driftAsOf).toBe(new Date(asOf).toISOString());
    expect(drift.features.map((f) => f.feature)).toEqual([...FEATURE_NAMES]);
    expect(drift.sends).toBeGreaterThan(500);
    expect(drift.referenceSends).toBeGreaterThan(drift.sends);
    // One simulated world throughout: most features hold still between training and the week after.
    const still = drift.features.filter((f) => f.psi < 0.1).length;
    expect(still).toBeGreaterThan(FEATURE_NAMES.length / 2);
    // An hour on, the day's replay is carried over, not redone.
    const next = await runMonitor({ pool }, { asOfMs: asOf + HOUR_MS });
    expect(next.report.driftAsOf).toBe(run.report.driftAsOf);
    expect(next.report.featureDrift).toEqual(drift);
  }, 180_000);
});

describe('the scheduled monitor run', () => {
  it("first folds the console's counts: one row per bucket and group over an hour old", async () => {
    const { pool } = db();
    const groups = async () =>
      (
        await pool.query(
          `select count(*)::int as rows, count(distinct (bucket, event_id, channel))::int as groups from send_counts`,
        )
      ).rows[0];
    const before = await groups();
    expect(before.rows).toBeGreaterThan(before.groups);
    const now = new Date(Date.parse('2026-06-20T02:00:00Z'));
    const activities = createMonitorActivities({ pool, now: () => now });
    const run = await activities.monitorRelevance();
    expect(run.reportId).toBeGreaterThan(0);
    expect(await groups()).toEqual({ rows: before.groups, groups: before.groups });
  }, 180_000);
});
