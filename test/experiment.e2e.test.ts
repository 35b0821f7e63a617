// An experiment end to end on `fanfare dev`'s stack: the simulated fans answer a week's announcements under a control
// and a tighter-caps variant (and a holdout); the results show the difference with 95% intervals through the API, the
// CLI and the console in headless Chromium (screenshot in test-artifacts/console/).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { commands } from '../cli/commands.ts';
import { activateCapPolicy } from '../db/cap-policies.ts';
import { experimentFanResults, experimentFanResultsByDay } from '../db/experiment-results.ts';
import { type DevStack, startDevStack } from '../dev/run-dev.ts';
import { DAY_MS } from '../domain/time.ts';
import { type CapPolicy, DEFAULT_CAP_POLICY } from '../policy/cap-policy.ts';
import { resultDays } from '../policy/experiment-range.ts';
import { CHROMIUM } from '../testing/browser.ts';
import { creatorAuthorization } from '../testing/creator-keys.ts';
import { useTestSchema } from '../testing/db.ts';
import { useTemporalDevServer } from '../testing/temporal.ts';
import type { ExperimentJson, ExperimentResultsAnswer } from '../wire/experiments.ts';

const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/console', import.meta.url));

/**
 * Every kind alerts now (urgent, thresholds at zero, no quiet hours), so what tells the arms apart is the weekly cap
 * alone: 7 alerts in any 7 days for the control, 2 for the variant.
 */
const weekly = (name: string, limit: number): CapPolicy => ({
  ...DEFAULT_CAP_POLICY,
  name,
  quietHours: null,
  rules: [{ type: 'cap', name: 'per_week', limit, window: '7d' }],
  segments: [],
  valueAware: false,
  kinds: {
    post: { priority: 'urgent', weight: 1, alertThreshold: { email: 0, push: 0 } },
    live: { priority: 'urgent', weight: 1.5, alertThreshold: { email: 0, push: 0 } },
    announcement: { priority: 'urgent', weight: 1.2, alertThreshold: { email: 0, push: 0 } },
  },
  digest: { ...DEFAULT_CAP_POLICY.digest, minScore: 0 },
});

/** A simulated week: two announcements a day for seven days, played back to back, each from the next creator. */
const WEEK = 14;

const temporal = useTemporalDevServer();
const db = useTestSchema('experiment_e2e');
let stack: DevStack;
let experiment: ExperimentJson;
let tightVersion: number;

const admin = (path: string, init: RequestInit = {}) =>
  fetch(`${stack.apiUrl}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/json', ...init.headers },
  });

beforeAll(async () => {
  stack = await startDevStack({
    fans: 400,
    creators: 8,
    seed: 11,
    anyPorts: true,
    env: { DATABASE_URL: db().connectionString, TEMPORAL_ADDRESS: temporal().address },
    log: () => undefined,
    responseTimeScale: 0,
  });
}, 240_000);

afterAll(async () => {
  await stack?.stop();
});

describe('an experiment on the dev stack', () => {
  it('shows after a simulated week that tighter caps send fewer alerts than control, with 95% intervals', async () => {
    // The variant's policy is stored first, then the control's becomes the active one.
    tightVersion = (await activateCapPolicy(db().pool, weekly('two_a_week', 2), 'experiment-test')).version;
    await activateCapPolicy(db().pool, weekly('seven_a_week', 7), 'experiment-test');
    const created = await admin('/api/admin/experiments', {
      method: 'POST',
      body: JSON.stringify({
        name: 'tighter weekly cap',
        arms: [
          { name: 'control', allocation: 44 },
          { name: 'tight', allocation: 44, capPolicyVersion: tightVersion },
          { name: 'holdout', allocation: 10, holdout: true },
        ],
      }),
    });
    expect(created.status).toBe(201);
    experiment = await created.json();
    expect(experiment.trafficPercent).toBe(98);

    const client = new Client({ connection: await Connection.connect({ address: temporal().address }) });
    const started = Date.now();
    // Announced together, as a busy week's creators would: the fans' row locks keep every cap exact.
    const runs: Promise<unknown>[] = [];
    for (let i = 0; i < WEEK; i++) {
      const creatorId = stack.creatorIds[i % stack.creatorIds.length];
      const res = await fetch(`${stack.apiUrl}/api/events`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: await creatorAuthorization(db().pool, creatorId),
        },
        body: JSON.stringify({
          creatorId,
          kind: i % 3 === 0 ? 'live' : 'post',
          title: `Day ${Math.floor(i / 2) + 1}, number ${(i % 2) + 1}`,
          url: `https://fans.example/week/${i}`,
          audience: 'all',
          idempotencyKey: `week-${i}`,
        }),
      });
      expect(res.status).toBe(201);
      runs.push(client.workflow.getHandle(`announce-event-${(await res.json()).id}`).result());
    }
    await Promise.all(runs);
    await client.connection.close();

    // Every alert is due now: wait until each is delivered, then until the fans' answers are recorded.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { rows } = await db().pool.query(
        `select count(*)::int as due, count(v.id) filter (where v.status in ('sent', 'failed', 'skipped'))::int as done
           from decisions d left join deliveries v on v.decision_id = d.id and v.channel = d.channel
          where d.experiment_id = $1::bigint and d.action = 'alert'`,
        [experiment.id],
      );
      if (rows[0].due > 0 && rows[0].done >= rows[0].due) break;
      if (Date.now() > deadline) throw new Error(`deliveries did not finish: ${JSON.stringify(rows[0])}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    await stack.responder.idle();
    expect(stack.responder.failures).toEqual([]);
    process.stderr.write(
      `experiment e2e: a week of ${WEEK} events decided and answered in ${Date.now() - started} ms\n`,
    );

    // Each arm decided as it should: the variant with its stored version, the holdout with digests only.
    const { rows: byArm } = await db().pool.query(
      `select arm, action, reason, (reason_detail->>'policyVersion')::int as policy_version, count(*)::int as n
         from decisions where experiment_id = $1::bigint group by 1, 2, 3, 4 order by 1, 2, 3`,
      [experiment.id],
    );
    const tight = byArm.filter((r) => r.arm === 'tight');
    expect(new Set(tight.map((r) => r.policy_version))).toEqual(new Set([tightVersion]));
    expect(tight.some((r) => r.reason === 'digest_cap_reached')).toBe(true);
    expect(byArm.filter((r) => r.arm === 'holdout').every((r) => r.reason.endsWith('_holdout'))).toBe(true);
    const { rows: unassigned } = await db().pool.query(
      `select count(*)::int as n from decisions d join creator_events e on e.id = d.event_id
        where e.idempotency_key like 'week-%' and d.arm is null`,
    );
    // 98% of fans are in the experiment and about 1% in the global holdout: the rest is decided as usual.
    expect(unassigned[0].n).toBeLessThan(byArm.reduce((s, r) => s + r.n, 0) * 0.05);

    // The standing global holdout (1% by default) decides its fans' share of the week without relevance filtering.
    const { rows: global } = await db().pool.query(
      `select distinct d.policy, d.experiment_id from decisions d join creator_events e on e.id = d.event_id
        where e.idempotency_key like 'week-%' and d.arm = 'global_holdout'`,
    );
    for (const g of global) expect(g).toEqual({ policy: 'seven_a_week_no_relevance_filtering', experiment_id: null });
    const lift = await admin('/api/admin/experiments/global-holdout/results');
    expect(lift.status).toBe(200);
    expect(((await lift.json()) as ExperimentResultsAnswer).arms.map((a) => a.arm)).toEqual([
      'system',
      'global_holdout',
    ]);

    const res = await admin(`/api/admin/experiments/${experiment.id}/results`);
    expect(res.status).toBe(200);
    const results: ExperimentResultsAnswer = await res.json();
    const arm = (name: string) => results.arms.find((a) => a.arm === name)!;
    expect(results.control).toBe('control');
    expect(arm('control').fans).toBeGreaterThan(100);
    expect(arm('tight').fans).toBeGreaterThan(100);
    const alerts = arm('tight').metrics.alerts;
    expect(alerts.mean!).toBeLessThanOrEqual(2);
    expect(arm('control').metrics.alerts.mean!).toBeGreaterThan(alerts.mean!);
    // The whole 95% interval of the difference lies below zero.
    expect(alerts.difference!.high!).toBeLessThan(0);
    expect(alerts.difference!.low!).toBeLessThan(alerts.difference!.estimate!);
    expect(arm('holdout').metrics.alerts.mean).toBe(0);
    for (const a of results.arms.filter((a) => a.arm !== 'control'))
      for (const m of Object.values(a.metrics)) expect(m.difference).not.toBeNull();
    const figures = results.arms.map((a) => [a.arm, a.fans, a.metrics.alerts, a.metrics.alertOpens]);
    // Those were read from the counts the triggers kept as the stack decided, delivered and recorded the answers: the
    // recount of the log gives the same rows, for the experiment's run and for the global holdout's days up to now.
    const runFrom = new Date(results.from);
    const runTo = new Date(results.to);
    const today = new Date(Math.floor(runFrom.getTime() / DAY_MS) * DAY_MS);
    for (const [id, from] of [
      [experiment.id, runFrom],
      [null, today],
    ] as const) {
      const days = resultDays(from, runTo, runTo, id !== null)!;
      const kept = await experimentFanResultsByDay(db().pool, id, days, from, runTo);
      expect(kept.length).toBeGreaterThan(0);
      expect(kept).toEqual(await experimentFanResults(db().pool, id, from, runTo));
    }
    process.stderr.write(`experiment e2e results: ${JSON.stringify(figures)}\n`);

    // The same numbers by CLI (`fanfare experiment results ID`), run in-process against the stack's database.
    const written: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = db().connectionString;
    try {
      const cli = await commands.experiment();
      expect(await cli.run(['results', String(experiment.id)])).toBe(0);
      expect(await cli.run(['list'])).toBe(0);
    } finally {
      write.mockRestore();
      process.env.DATABASE_URL = saved;
    }
    const text = written.join('');
    process.stderr.write(`${text}\n`);
    expect(text).toContain(`experiment ${experiment.id}: tighter weekly cap`);
    const tightLine = text
      .split('alerts per fan')[1]
      .split('\n')
      .find((l) => l.startsWith('tight '))!;
    const [, estimate, low, high] = /(-?\d+\.\d+) \[(-?\d+\.\d+), (-?\d+\.\d+)\]/.exec(tightLine)!;
    expect(Number(estimate)).toBeCloseTo(alerts.difference!.estimate!, 3);
    expect(Number(low)).toBeCloseTo(alerts.difference!.low!, 3);
    expect(Number(high)).toBeLessThan(0);
    expect(text).toMatch(/running\s+98%/);
  }, 120_000);

  it('shows the results page in Chromium, the tighter arm marked lower on alerts, and saves a screenshot', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const profile = mkdtempSync(join(tmpdir(), 'fanfare-chromium-'));
    let context: BrowserContext | undefined;
    try {
      context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        viewport: { width: 1280, height: 900 },
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-sync'],
      });
      const page = context.pages()[0] ?? (await context.newPage());
      page.setDefaultTimeout(90_000);
      await page.goto(`${stack.apiUrl}/console/`);
      await page.getByLabel('Username').fill(stack.admin.username);
      await page.getByLabel('Password').fill(stack.admin.password);
      await page.getByLabel('Password').press('Enter');
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
      await page.getByRole('link', { name: 'Experiments' }).click();
      await page.getByRole('heading', { name: 'Experiments' }).waitFor();
      expect(await page.locator('table').first().textContent()).toContain('tighter weekly cap');
      await page.getByRole('link', { name: String(experiment.id), exact: true }).click();
      await page.getByRole('heading', { name: `Experiment ${experiment.id}: tighter weekly cap` }).waitFor();
      await page.locator('.page[aria-busy="false"]').waitFor();
      const cell = page.locator('.ci[data-metric="alerts"][data-arm="tight"]');
      expect(await cell.getAttribute('class')).toBe('ci lower');
      expect(await cell.textContent()).toMatch(/^-\d+\.\d{3} \[-\d+\.\d{3}, -\d+\.\d{3}\]$/);
      expect(await page.locator('#experiment-results table').count()).toBe(5);
      await page.screenshot({ path: join(ARTIFACTS, 'experiment-results.png'), fullPage: true });
    } finally {
      await context?.close();
      rmSync(profile, { recursive: true, force: true });
    }
  }, 180_000);
});
