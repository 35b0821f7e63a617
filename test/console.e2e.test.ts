// The console in real headless Chromium: log in, a refused cap edit, edit + simulate + apply, a fan's timeline.
// Debian's chromium, driven by playwright-core; also the audit entry and contributions; screenshots in test-artifacts/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpApp } from '../http/app.ts';
import { createReplayThreads } from '../replay/threads.ts';
import { type HeadlessChromium, launchChromium, serveConsole } from '../testing/browser.ts';
import { type ConsoleWorld, seedConsoleWorld } from '../testing/console-world.ts';
import { useTestSchema } from '../testing/db.ts';
import { addTestMember, TEST_PASSWORD } from '../testing/team.ts';

const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/console', import.meta.url));
const db = useTestSchema('console_e2e');
// The replay as served, on worker threads: the console's two replays (one person's) must not be refused.
const replays = createReplayThreads();
let app: HttpApp;
let base: string;
let world: ConsoleWorld;
let browser: HeadlessChromium;
let page: Page;

beforeAll(async () => {
  world = await seedConsoleWorld(db().pool);
  await addTestMember(db().pool, 'mia', 'editor');
  ({ app, base } = await serveConsole(db().pool, { simulate: replays.run }));
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium({ viewport: { width: 1280, height: 800 } });
  page = browser.page;
  // Building the console (first run after a change) happens on the first page view; give it time once.
  await fetch(`${base}/console/`, { method: 'POST' }).catch(() => undefined);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await replays.close();
});

const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false });

/** True when the canvas has drawn pixels: Chart.js rendered something into it. */
async function drawn(selector: string): Promise<boolean> {
  return page.locator(selector).evaluate((c: HTMLCanvasElement) => {
    const ctx = c.getContext('2d')!;
    return c.width > 0 && ctx.getImageData(0, 0, c.width, c.height).data.some((v) => v !== 0);
  });
}

describe('console in Chromium', () => {
  it('logs in from the keyboard, after a wrong password is refused with its message', async () => {
    const first = await page.goto(`${base}/console/`);
    expect(first?.status()).toBe(401);
    await page.getByLabel('Username').focus();
    await page.keyboard.type('mia');
    await page.keyboard.press('Tab');
    await page.keyboard.type('not-the-password');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByRole('alert').textContent(), { timeout: 30_000 })
      .toContain('password: the username or the password is wrong');
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByLabel('Password').press('Enter');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.locator('.page[aria-busy="false"]').waitFor();
    expect(await page.locator('#who').textContent()).toBe('Logged in as mia (editor)');
    expect(await drawn('#chart-sends')).toBe(true);
    expect(await drawn('#chart-open-rate')).toBe(true);
    await shot('01-overview');
  }, 120_000);

  it("refuses an invalid cap edit with the validator's message", async () => {
    await page.getByRole('link', { name: 'Caps' }).click();
    const editor = page.getByLabel('Policy document (JSON)');
    await editor.waitFor();
    await expect
      .poll(() => page.locator('#policy-validation').textContent(), { timeout: 30_000 })
      .toContain('Valid policy.');
    const doc = JSON.parse(await editor.inputValue());
    doc.rules[0].window = 'a day';
    await editor.fill(JSON.stringify(doc, null, 2));
    await expect
      .poll(() => page.locator('#policy-validation').textContent(), { timeout: 30_000 })
      .toContain('rules[0].window: must be a duration such as "24h"');
    expect(await page.getByRole('button', { name: 'Apply' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Simulate' }).isDisabled()).toBe(true);
    await shot('02-caps-refused');
  });

  it('edits a cap, simulates it side by side with the active policy, applies it, shows the audit entry', async () => {
    const editor = page.getByLabel('Policy document (JSON)');
    const doc = JSON.parse(await editor.inputValue());
    doc.rules[0].window = '24h';
    doc.name = 'fewer_pushes';
    const cap = doc.rules.find((r: { name: string }) => r.name === 'push_per_day');
    cap.limit = 1;
    await editor.fill(JSON.stringify(doc, null, 2));
    await expect
      .poll(() => page.locator('#policy-validation').textContent(), { timeout: 30_000 })
      .toContain('Valid policy.');
    const diff = await page.locator('#policy-diff').textContent();
    expect(diff).toContain('name: "default" → "fewer_pushes"');
    expect(diff).toContain('rules[push_per_day].limit: 3 → 1');

    // The simulated world, one run (the real audience's history is the other mode: test/console-growth.e2e.test.ts).
    await page.locator('#mode-world').check();
    await page.getByLabel('Replay days').fill('3');
    await page.getByRole('button', { name: 'Simulate' }).click();
    // The replay's answer: its charts, or the error the API gave (then the assertion shows it).
    await page.locator('#simulation canvas, #simulation [role="alert"]').first().waitFor({ timeout: 120_000 });
    expect(await page.locator('#simulation [role="alert"]').allTextContents()).toEqual([]);
    for (const id of ['#chart-sim-sends', '#chart-sim-opens', '#chart-sim-unsubscribes'])
      expect(await drawn(id), id).toBe(true);
    const figures = page.getByRole('table', { name: 'Replay figures' });
    const pushRow = await figures
      .getByRole('row', { name: /push alerts/ })
      .locator('td')
      .allTextContents();
    expect(Number(pushRow[2])).toBeLessThan(Number(pushRow[1]));
    await page.locator('#simulation').scrollIntoViewIfNeeded();
    await shot('03-caps-simulated');

    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect
      .poll(() => page.locator('#apply-status').textContent(), { timeout: 30_000 })
      .toMatch(/Applied as version \d+ by member:mia/);
    const version = /version (\d+)/.exec((await page.locator('#apply-status').textContent())!)![1];
    const audit = page.getByRole('table', { name: /Every applied policy/ });
    // The audit table reloads after the apply answers: wait for the new entry rather than read it at once.
    const firstRow = () => audit.locator('tbody tr').first().locator('td').allTextContents();
    await expect.poll(async () => (await firstRow()).slice(0, 2), { timeout: 30_000 }).toEqual([version, 'member:mia']);
    const cells = await firstRow();
    expect(cells[3]).toBe('activate');
    expect(await page.locator('#active-policy').textContent()).toContain('"fewer_pushes", set by member:mia');
    await audit.scrollIntoViewIfNeeded();
    await shot('04-caps-applied-audit');
  }, 180_000);

  it('opens a fan by email: their timeline, the chosen send time on the engagement curve, contributions', async () => {
    await page.getByRole('link', { name: 'Fans' }).click();
    await page.getByLabel('Fan id or email').fill(world.fan.email);
    await page.getByLabel('Fan id or email').press('Enter');
    await page.locator('#fan-heading').waitFor();
    expect(await page.locator('#fan-heading').textContent()).toContain(world.fan.email);
    const timeline = page.getByRole('table', { name: /Timeline/ });
    expect(await timeline.locator('tbody tr').count()).toBeGreaterThan(1);
    const row = timeline.getByRole('row', { name: /Behind the scenes/ }).first();
    // The reason in words, its code in the title.
    expect(await row.locator('span[title^="alert_"]').count()).toBe(1);
    await row.getByRole('button', { name: /Inspect decision/ }).click();
    await page.locator('#candidate-heading').filter({ hasText: 'alert' }).waitFor();
    await expect.poll(() => drawn('#chart-curve'), { timeout: 30_000 }).toBe(true);
    expect(await drawn('#chart-contributions')).toBe(true);
    expect(await drawn('#chart-fan-timeline')).toBe(true);
    await page.locator('#candidate-detail').scrollIntoViewIfNeeded();
    await shot('05-fan-inspector');
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot('06-fan-timeline');
  });

  it('shows the model beside the oracle and the creator view of an event', async () => {
    await page.getByRole('link', { name: 'Model' }).click();
    await page.locator('#chart-reliability').waitFor();
    expect(await drawn('#chart-reliability')).toBe(true);
    expect(await drawn('#chart-lift')).toBe(true);
    await shot('07-model');
    await page.locator('#chart-importance').scrollIntoViewIfNeeded();
    await shot('08-model-importance');
    await page.getByRole('link', { name: 'Creator view' }).click();
    await page.locator('#chart-reach').waitFor();
    expect(await drawn('#chart-reach')).toBe(true);
    expect(await drawn('#chart-schedule')).toBe(true);
    await shot('09-creator');
  });
});
