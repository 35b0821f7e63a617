// The alert banner in real headless Chromium: a monitor run raises an alert, every console page shows it, and once a
// later run clears it the banner is gone. Debian's chromium, driven by playwright-core; screenshots in test-artifacts/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMonitor } from '../activities/monitor.ts';
import type { HttpApp } from '../http/app.ts';
import { type HeadlessChromium, launchChromium, serveConsole } from '../testing/browser.ts';
import { useTestSchema } from '../testing/db.ts';
import { addTestMember, TEST_PASSWORD } from '../testing/team.ts';

const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/alerts', import.meta.url));
const db = useTestSchema('alert_banner_e2e');
let app: HttpApp;
let base: string;
let browser: HeadlessChromium;
let page: Page;
let decisionId: number;

beforeAll(async () => {
  const { pool } = db();
  await addTestMember(pool, 'vic', 'viewer');
  // One alert decision due 20 minutes ago and never delivered: a backlog past the 5-minute rule.
  await pool.query(`insert into creators (handle, display_name) values ('ana', 'Ana')`);
  await pool.query(`insert into fans (email) values ('fan@fans.test')`);
  await pool.query(
    `insert into creator_events (creator_id, kind, title, url, audience, idempotency_key)
     select id, 'post', 'New post', 'https://creators.test/ana/1', 'all', 'banner' from creators`,
  );
  const d = await pool.query(
    `insert into decisions (event_id, fan_id, channel, action, send_at, policy, reason)
     select e.id, f.id, 'email', 'alert', now() - interval '20 minutes', 'test', 'alert_best_hour'
       from creator_events e, fans f returning id`,
  );
  decisionId = d.rows[0].id;
  ({ app, base } = await serveConsole(pool));
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium({ viewport: { width: 1280, height: 800 }, timeoutMs: 60_000 });
  page = browser.page;
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const banner = () => page.locator('#alert-banner');

describe('the alert banner in Chromium', () => {
  it('shows an alert the monitor raised on every page, and is gone once a later run clears it', async () => {
    const raised = await runMonitor({ pool: db().pool });
    expect(raised.raised.map((a) => a.rule)).toEqual(['backlogAge']);

    await page.goto(`${base}/console/`);
    await page.getByLabel('Username').fill('vic');
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByLabel('Password').press('Enter');
    await page.getByRole('heading', { name: 'Overview' }).waitFor({ timeout: 120_000 });
    await banner().locator('li[data-rule="backlogAge"]').waitFor();
    expect(await banner().isVisible()).toBe(true);
    expect(await banner().getAttribute('role')).toBe('alert');
    expect(await banner().locator('strong').textContent()).toBe('1 open alert');
    expect(await banner().locator('li').textContent()).toMatch(
      /^backlogAge backlog: the oldest due alert has waited \d+ s \(more than 300 s\) since /,
    );
    await page.locator('.page[aria-busy="false"]').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, '01-banner-overview.png') });

    // Another page, the same banner: it sits above the view, not in it.
    await page.getByRole('link', { name: 'Fans' }).click();
    await page.locator('.page[data-page="fans"]').waitFor();
    expect(await banner().locator('li[data-rule="backlogAge"]').count()).toBe(1);

    // The decision is delivered; the next run finds no backlog and clears the alert, and the banner goes.
    await db().pool.query(
      `insert into deliveries (decision_id, channel, status, finished_at) values ($1::bigint, 'email', 'sent', now())`,
      [decisionId],
    );
    const cleared = await runMonitor({ pool: db().pool });
    expect(cleared.cleared.map((a) => a.rule)).toEqual(['backlogAge']);
    await page.reload();
    await page.locator('.page[aria-busy="false"]').waitFor();
    await expect.poll(() => banner().isHidden(), { timeout: 30_000 }).toBe(true);
    expect(await banner().locator('li').count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, '02-banner-cleared.png') });
  }, 240_000);
});
