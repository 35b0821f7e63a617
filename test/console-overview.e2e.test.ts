// The overview and fatigue pages in real headless Chromium at 1280 and 390 px: headline figures and their changes, a
// date range applied and kept on reload, today marked partial, empty days folded, reasons in words, a data table
// behind every chart, CSV downloads, and the fatigue figures against SQL over the test world.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recountAlertsPerFanDay } from '../db/console-recount.ts';
import { largestCreator } from '../db/creators.ts';
import type { HttpApp } from '../http/app.ts';
import { type HeadlessChromium, launchChromium, serveConsole } from '../testing/browser.ts';
import { announceAndDecide, type ConsoleWorld, seedConsoleWorld } from '../testing/console-world.ts';
import { useTestSchema } from '../testing/db.ts';
import { memberCookie } from '../testing/team.ts';

const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/console', import.meta.url));
const db = useTestSchema('console_overview_e2e');
const DAY = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const today = () => dayOf(Date.now());
let app: HttpApp;
let world: ConsoleWorld;
let base: string;
let browser: HeadlessChromium;
let page: Page;

/** A second post by the same creator, decided now: the first's alerts fill per-creator caps, so rules bind. */
async function announceSecondPost(): Promise<void> {
  const pool = db().pool;
  const creator = await largestCreator(pool);
  await announceAndDecide(pool, {
    creatorId: creator!.creatorId,
    kind: 'post',
    title: '=HYPERLINK("https://evil.example","Second post")',
    url: 'https://creators.example/p/second',
    idempotencyKey: 'console-overview-second',
  });
}

beforeAll(async () => {
  world = await seedConsoleWorld(db().pool);
  await announceSecondPost();
  const cookie = await memberCookie(db().pool, 'gia', 'viewer');
  ({ app, base } = await serveConsole(db().pool));
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium({ viewport: { width: 1280, height: 800 } });
  page = browser.page;
  const [name, value] = cookie.split('=');
  await browser.context.addCookies([{ name, value, url: base }]);
  await fetch(`${base}/console/`, { method: 'POST' }).catch(() => undefined);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

async function open(hash: string): Promise<void> {
  await page.goto(`${base}/console/${hash}`);
  await page.locator('.page[aria-busy="false"]').waitFor({ timeout: 120_000 });
}

async function expectNoSideScroll(label: string): Promise<void> {
  const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  expect(scroll, label).toBeLessThanOrEqual(inner);
}

/** Every chart on the page has a "Data" disclosure with a table of rows right after it. */
async function expectDataBehindEveryChart(): Promise<void> {
  const ids = await page.locator('.page canvas').evaluateAll((cs) => cs.map((c) => c.id));
  expect(ids.length).toBeGreaterThan(0);
  for (const id of ids) {
    const details = page.locator(`details.chart-data[data-chart="${id}"]`);
    expect(await details.count(), id).toBe(1);
    expect(await details.locator('summary').textContent()).toBe('Data');
    expect(await details.locator('tbody tr').count(), id).toBeGreaterThan(0);
  }
}

/** Clicks a table's CSV button and answers the downloaded file's name and text. */
async function downloadCsv(tableName: RegExp): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page
      .getByRole('table', { name: tableName })
      .getByRole('button', { name: /as CSV/ })
      .click(),
  ]);
  return { name: download.suggestedFilename(), text: readFileSync((await download.path())!, 'utf8') };
}

const rows = async (tableName: RegExp) =>
  page
    .getByRole('table', { name: tableName })
    .locator('tbody tr')
    .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));

describe('overview and fatigue in Chromium', () => {
  for (const width of [1280, 390]) {
    it(`shows the overview at ${width} px: headlines, partial today, folded days, reasons in words`, async () => {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 800 });
      await open('#/overview');
      for (const title of ['Sends per fan per day', 'Open rate', 'Click rate', 'Unsubscribe rate'])
        expect(await page.getByRole('heading', { level: 2, name: title }).isVisible()).toBe(true);
      expect(await page.locator('.period-note').textContent()).toContain('Days are UTC days');
      expect(await page.locator('.period-note').textContent()).toContain(`Today (${today()}) is partial`);
      // 28 days, of which about ten have history: the empty ones before it fold into one row.
      const perDay = await rows(/^Per day/);
      expect(perDay.some((r) => /^\d+ days with no activity$/.test(r[1]))).toBe(true);
      expect(perDay.length).toBeLessThan(20);
      expect(perDay[0][0]).toBe(`${today()} (partial)`);
      // Reasons in words, the code in the title.
      const reasons = page.getByRole('table', { name: /Held-back decisions by reason/ });
      const words = await reasons
        .locator('tbody td:nth-child(2) span')
        .evaluateAll((ss) => ss.map((s) => [s.textContent ?? '', s.getAttribute('title') ?? '']));
      expect(words.length).toBeGreaterThan(0);
      for (const [text, code] of words) {
        expect(text).not.toMatch(/_/);
        expect(code).toMatch(/^[a-z]+(_[a-z]+)+$/);
      }
      expect(await page.locator('#chart-unsubscribes').count()).toBe(1);
      expect(await page.locator('#chart-digests').count()).toBe(1);
      await expectDataBehindEveryChart();
      await expectNoSideScroll(`overview at ${width}`);
      await page.screenshot({ path: join(ARTIFACTS, `overview-${width}.png`), fullPage: true });
    }, 120_000);
  }

  it('applies a date range, keeps it on reload, and compares with the previous period', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await open('#/overview');
    const from = dayOf(Date.now() - 4 * DAY);
    await page.getByLabel('From', { exact: true }).fill(from);
    await page.getByLabel('To', { exact: true }).fill(today());
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(new RegExp(`#/overview\\?from=${from}&to=${today()}$`));
    await page.locator('.page[aria-busy="false"]').waitFor();
    await page.reload();
    await page.locator('.page[aria-busy="false"]').waitFor();
    expect(await page.getByLabel('From', { exact: true }).inputValue()).toBe(from);
    expect(await page.getByLabel('To', { exact: true }).inputValue()).toBe(today());
    expect(await page.locator('.period-note').textContent()).toContain(`${from} to ${today()}, 5 days.`);
    // The open rate against SQL, and its change against the five days before (which have history).
    const start = new Date(`${from}T00:00:00Z`);
    const prevStart = new Date(start.getTime() - 5 * DAY);
    const openRate = async (a: Date, b: Date) => {
      const r = await db().pool.query(
        `select count(*)::int as sends, count(*) filter (where exists (select 1 from engagement_events g
           where g.decision_id = dl.decision_id and g.kind = 'open'))::int as opened
         from deliveries dl where dl.status = 'sent' and dl.finished_at >= $1 and dl.finished_at < $2`,
        [a, b],
      );
      return r.rows[0].opened / r.rows[0].sends;
    };
    const now = await openRate(start, new Date(Date.parse(`${today()}T00:00:00Z`) + DAY));
    const before = await openRate(prevStart, start);
    const card = page.locator('#headline-open-rate');
    expect(await card.locator('.figure').textContent()).toBe(`${(100 * now).toFixed(1)}%`);
    const diff = now - before;
    const sign = diff > 0 ? '+' : '−';
    const points = Math.abs(100 * diff).toFixed(1);
    const relative = Math.abs((100 * diff) / before).toFixed(1);
    expect(await card.locator('.change').textContent()).toContain(
      `${diff > 0 ? 'up' : 'down'} ${sign}${points} pp (${sign}${relative}%)`,
    );
    expect(await card.locator('.change').textContent()).toContain(`from ${(100 * before).toFixed(1)}%`);
    await page.screenshot({ path: join(ARTIFACTS, 'overview-range-1280.png'), fullPage: false });

    // The per-day table as CSV: RFC 4180 lines, every day of the range, today marked partial.
    const csv = await downloadCsv(/^Per day/);
    expect(csv.name).toBe('per-day-all-channels-and-kinds-latest-first.csv');
    expect(csv.text.startsWith('\uFEFFday,sends,opened,open rate,unsubscribes,digests\r\n')).toBe(true);
    const lines = csv.text.slice(1).split('\r\n').filter(Boolean);
    expect(lines).toHaveLength(6);
    expect(lines[1].startsWith(`${today()} (partial),`)).toBe(true);
    // A refused range names the field and the rule, and keeps the filter bar to correct it.
    await open(`#/overview?from=${today()}&to=${from}`);
    expect(await page.getByRole('alert').filter({ hasText: 'to: must be on or after from' }).count()).toBe(1);
    expect(await page.getByLabel('From', { exact: true }).inputValue()).toBe(today());
  }, 120_000);

  for (const width of [1280, 390]) {
    it(`shows fatigue at ${width} px, its figures matching SQL`, async () => {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 800 });
      const from = dayOf(Date.now() - 11 * DAY);
      await open(`#/fatigue?from=${from}&to=${today()}`);
      await page.getByRole('heading', { level: 1, name: 'Fatigue' }).waitFor();
      const pool = db().pool;

      const binding = await pool.query(
        `select coalesce(reason_detail->'cap'->>'name', reason_detail->'gap'->>'name') as rule, reason,
                count(*)::int as n
         from decisions where reason in ('digest_cap_reached', 'digest_slot_reserved_for_better', 'digest_min_gap')
         group by 1, 2`,
      );
      expect(binding.rows.length).toBeGreaterThan(0);
      const shown = await rows(/^Binding rules/);
      expect(shown.map((r) => `${r[0]} ${r[2]}`).sort()).toEqual(
        binding.rows.map((r) => `${r.rule} ${r.n.toLocaleString('en')}`).sort(),
      );
      for (const r of shown) expect(r[1]).not.toMatch(/_/);

      // Alerts per fan per day over the whole days (today left out), in each fan's own zone, counted from the log.
      const counted = await recountAlertsPerFanDay(pool, from, dayOf(Date.parse(`${today()}T00:00:00Z`) - DAY));
      const histogram = await rows(/^Alerts per fan per day/);
      expect(histogram.map((r) => [r[0], r[1]])).toEqual(
        counted.map((b) => [b.alerts === 5 ? '5+' : String(b.alerts), b.fanDays.toLocaleString('en')]),
      );
      expect(counted.slice(1).some((b) => b.fanDays > 0)).toBe(true);

      // Volume by membership kind (free or paid with the event's creator).
      const segments = await pool.query(
        `select m.kind, count(*) filter (where d.action = 'alert')::int as alerts
         from decisions d join creator_events e on e.id = d.event_id
         join memberships m on m.fan_id = d.fan_id and m.creator_id = e.creator_id
         where d.decided_at >= $1 group by 1`,
        [new Date(`${from}T00:00:00Z`)],
      );
      const bySegment = await rows(/^Decisions by membership/);
      expect(bySegment.map((r) => `${r[0]} ${r[2]}`).sort()).toEqual(
        segments.rows.map((r) => `${r.kind} ${r.alerts.toLocaleString('en')}`).sort(),
      );
      expect((await rows(/^Decisions by creator/)).length).toBeGreaterThan(0);
      await expectDataBehindEveryChart();
      await expectNoSideScroll(`fatigue at ${width}`);
      await page.screenshot({ path: join(ARTIFACTS, `fatigue-${width}.png`), fullPage: true });
    }, 120_000);
  }

  it('keeps the period when the segment changes, and downloads creator text guarded against formulas', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    const from = dayOf(Date.now() - 11 * DAY);
    await open(`#/fatigue?from=${from}&to=${today()}`);
    await page.getByLabel('Volume by segment').selectOption('channel');
    await page.waitForURL(new RegExp(`#/fatigue\\?from=${from}&to=${today()}&segment=channel$`));
    await page.locator('.page[aria-busy="false"] #fatigue-segment').waitFor();
    await page.reload();
    await page.locator('.page[aria-busy="false"]').waitFor();
    expect(await page.getByLabel('Volume by segment').inputValue()).toBe('channel');
    expect((await rows(/^Decisions by channel/)).map((r) => r[0]).sort()).toEqual(['email', 'push']);
    const csv = await downloadCsv(/^Binding rules/);
    expect(csv.text.split('\r\n')[0]).toBe('\uFEFFrule,reason,code,decisions,share of all decisions');
    // A chart's data table has its CSV button too, once its disclosure is open.
    await page.locator('details[data-chart="chart-alerts-per-fan-day"] summary').click();
    const data = await downloadCsv(/^Data: Alerts per fan per day/);
    expect(data.text).toContain('\r\n5+,');
    // A title that a spreadsheet would run as a formula is exported as text.
    await open(`#/fans?q=${encodeURIComponent(world.fan.email)}&fan=${world.fan.id}`);
    await page.locator('#candidate-heading').waitFor();
    const timeline = await downloadCsv(/Timeline/);
    expect(timeline.text).toContain(`,"'=HYPERLINK(""https://evil.example"",""Second post"") (post, creator`);
    expect(timeline.text).not.toContain('Inspect');
    expect(timeline.text).not.toContain(',=HYPERLINK');
  }, 60_000);
});
