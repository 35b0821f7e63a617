// The console's model, caps and fan inspector pages in real headless Chromium (issue 18): labelled importance bars,
// training notes, rollback only with an earlier model; caps bounded by the server; a fan with an imminent deadline
// and an unscored candidate. The setup is test/console.e2e.test.ts's; screenshots in test-artifacts/console-inspect/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideAndRecord } from '../activities/policy-decisions.ts';
import { createPolicyLoader } from '../activities/policy-loader.ts';
import { REASON_LABELS } from '../console/src/labels.ts';
import { audiencePage } from '../db/audience.ts';
import { getEvent, insertEvent } from '../db/events.ts';
import { getModel, insertCandidateModel, modelText, promoteModel } from '../db/models.ts';
import type { ReasonCode } from '../domain/decision.ts';
import type { HttpApp } from '../http/app.ts';
import { createRelevanceScorer } from '../models/scoring.ts';
import { createReplayThreads } from '../replay/threads.ts';
import { type HeadlessChromium, launchChromium, serveConsole } from '../testing/browser.ts';
import { type ConsoleWorld, seedConsoleWorld } from '../testing/console-world.ts';
import { useTestSchema } from '../testing/db.ts';
import { addTestMember, TEST_PASSWORD } from '../testing/team.ts';
import { SIMULATE_LIMITS } from '../wire/replay.ts';

const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/console-inspect', import.meta.url));
const db = useTestSchema('console_inspect_e2e');
const replays = createReplayThreads();
let app: HttpApp;
let base: string;
let world: ConsoleWorld;
let browser: HeadlessChromium;
let page: Page;

/** Decides a new event of the world's creator for the world's fan alone, now; `deadline` as given. */
async function decideForFan(title: string, deadline: Date | null, withModel: boolean): Promise<void> {
  const pool = db().pool;
  const first = (await getEvent(pool, world.eventId))!;
  const { event } = await insertEvent(pool, {
    creatorId: first.creatorId,
    kind: 'live',
    title,
    url: 'https://creators.example/live/now',
    audience: { rule: 'all' },
    idempotencyKey: `console-inspect-${title}`,
    deadline,
  });
  const members = await audiencePage(pool, event.id, world.fan.id - 1, 1);
  expect(members.map((m) => m.fanId)).toEqual([world.fan.id]);
  // Without a model: the active one retired for this one decision, then active again.
  if (!withModel) await pool.query(`update models set status = 'retired' where version = $1`, [world.modelVersion]);
  try {
    const deps = {
      pool,
      scorer: createRelevanceScorer({ pool, log: () => undefined }),
      policy: createPolicyLoader(pool).current,
    };
    await decideAndRecord(deps, event.id, members, new Date());
  } finally {
    if (!withModel) await pool.query(`update models set status = 'active' where version = $1`, [world.modelVersion]);
  }
}

beforeAll(async () => {
  world = await seedConsoleWorld(db().pool);
  await decideForFan('Live in twenty minutes', new Date(Date.now() + 20 * 60_000), true);
  await decideForFan('Decided without a model', null, false);
  await addTestMember(db().pool, 'mia', 'editor');
  ({ app, base } = await serveConsole(db().pool, { simulate: replays.run }));
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium({ viewport: { width: 1280, height: 800 } });
  page = browser.page;
  await fetch(`${base}/console/`, { method: 'POST' }).catch(() => undefined);
  await page.goto(`${base}/console/`);
  await page.getByLabel('Username').fill('mia');
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByLabel('Password').press('Enter');
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await replays.close();
});

const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false });

async function drawn(selector: string): Promise<boolean> {
  return page.locator(selector).evaluate((c: HTMLCanvasElement) => {
    const ctx = c.getContext('2d')!;
    return c.width > 0 && ctx.getImageData(0, 0, c.width, c.height).data.some((v) => v !== 0);
  });
}

describe('model, caps and fan inspector in Chromium', () => {
  it('plots every candidate, an imminent deadline readably, and Inspect moves to the panel it opened', async () => {
    await page.goto(`${base}/console/#/fans?q=${encodeURIComponent(world.fan.email)}`);
    await page.locator('#fan-heading').waitFor();
    const timeline = page.getByRole('table', { name: /Timeline/ });
    const rows = await timeline.locator('tbody tr').count();
    // The fan's history plus the two decisions made here, all plotted, the one without a model among the unscored.
    expect(rows).toBeGreaterThanOrEqual(3);
    const plotted = (await page.locator('#chart-fan-timeline').getAttribute('aria-label'))!;
    const m = /^Candidates over time: (\d+) plotted by score, (\d+) without a score marked ×$/.exec(plotted);
    expect(Number(m![1])).toBe(rows);
    expect(Number(m![2])).toBeGreaterThanOrEqual(1);
    expect(await drawn('#chart-fan-timeline')).toBe(true);
    // Reasons in words, as on the overview, each code kept in a title attribute.
    const reasons = timeline.locator('tbody tr td:nth-child(5) span[title]');
    expect(await reasons.count()).toBe(rows);
    for (const cell of await reasons.all()) {
      const code = (await cell.getAttribute('title'))!;
      expect(code).toMatch(/^[a-z_]+$/);
      expect(await cell.textContent()).toBe(REASON_LABELS[code as ReasonCode]);
    }

    // The imminent deadline: a short curve drawn as points on a two-hour axis, said so.
    const live = timeline.getByRole('row', { name: /Live in twenty minutes/ });
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await live.getByRole('button', { name: /Inspect decision/ }).click();
    const heading = page.locator('#candidate-heading');
    await expect.poll(() => page.locator('#chart-curve').getAttribute('aria-label')).toMatch(/send time\(s\) scored/);
    const label = (await page.locator('#chart-curve').getAttribute('aria-label'))!;
    expect(Number(/(\d+) send time/.exec(label)![1])).toBeLessThanOrEqual(2);
    expect(await drawn('#chart-curve')).toBe(true);
    // Inspect focused the panel's heading and scrolled it into view.
    expect(await heading.evaluate((el) => document.activeElement === el)).toBe(true);
    const box = (await heading.boundingBox())!;
    // Scrolled to the top edge, give or take the sub-pixel rounding of a fractional layout.
    expect(box.y).toBeGreaterThan(-1);
    expect(box.y).toBeLessThan(800);
    await shot('01-fan-deadline');

    // Contributions read as values, with the base value; the "Why" table has no raw JSON or null.
    expect(await drawn('#chart-contributions')).toBe(true);
    await page.getByText('Contributions as a table').click();
    const contributionRows = page
      .getByRole('table', { name: 'Feature contributions to the score' })
      .locator('tbody tr');
    expect(await contributionRows.count()).toBeGreaterThan(0);
    for (const row of await contributionRows.all()) {
      const [feature, value] = await row.locator('td').allTextContents();
      if (feature === 'channel') expect(value).toMatch(/^(email|push)$/);
      if (feature === 'kind') expect(value).toBe('live');
      expect(value, feature).not.toMatch(/\d\.\d{4,}|NaN|null/);
    }
    await expect.poll(() => page.locator('#contribution-base').textContent()).toMatch(/^Base value: -?[\d.]+ log-odds/);
    const why = await page.getByRole('table', { name: /Why/ }).locator('tbody').textContent();
    expect(why).not.toMatch(/[{}"]|null|\d\.\d{5,}/);
    expect(why).toContain('policy version');

    // The unscored candidate: inspectable, said to have no score.
    await timeline
      .getByRole('row', { name: /Decided without a model/ })
      .getByRole('button', { name: /Inspect decision/ })
      .click();
    await expect
      .poll(() => page.locator('#candidate-detail').textContent())
      .toContain('none (decided without a model)');
    expect(await heading.evaluate((el) => document.activeElement === el)).toBe(true);
    await shot('02-fan-unscored');
  }, 120_000);

  it("bounds the replay's days by the server, Apply off with no change, an edit clears the replay", async () => {
    await page.getByRole('link', { name: 'Caps' }).click();
    const editor = page.getByLabel('Policy document (JSON)');
    await expect.poll(() => page.locator('#policy-validation').textContent()).toContain('Valid policy.');
    // The simulated world's bounds (the logged-history mode's are checked in test/console-growth.e2e.test.ts).
    await page.locator('#mode-world').check();
    const days = page.getByLabel('Replay days');
    expect(await days.getAttribute('max')).toBe(String(SIMULATE_LIMITS.days.max));
    expect(await days.getAttribute('min')).toBe(String(SIMULATE_LIMITS.days.min));
    expect(await page.getByRole('button', { name: 'Apply' }).isDisabled()).toBe(true);
    await days.fill(String(SIMULATE_LIMITS.days.max + 1));
    await page.getByRole('button', { name: 'Simulate' }).click();
    expect(await page.locator('#simulation [role="alert"]').textContent()).toBe(
      `days: must be an integer from ${SIMULATE_LIMITS.days.min} to ${SIMULATE_LIMITS.days.max}`,
    );

    const doc = JSON.parse(await editor.inputValue());
    doc.rules.find((r: { name: string }) => r.name === 'push_gap').minGap = '45m';
    doc.rules.splice(0, 1);
    await editor.fill(JSON.stringify(doc, null, 2));
    await expect.poll(() => page.locator('#policy-diff').textContent()).toContain('rules[push_gap]');
    await expect.poll(() => page.locator('#policy-validation').textContent()).toContain('Valid policy.');
    const diff = await page.locator('#policy-diff').textContent();
    expect(diff).toContain('rules[push_gap].minGap: "30m" → "45m"');
    expect(diff).toContain('rules[push_per_day]: removed');
    await expect.poll(() => page.getByRole('button', { name: 'Apply' }).isEnabled()).toBe(true);

    await days.fill('1');
    await page.getByRole('button', { name: 'Simulate' }).click();
    await page.locator('#simulation canvas, #simulation [role="alert"]').first().waitFor({ timeout: 120_000 });
    expect(await page.locator('#simulation [role="alert"]').allTextContents()).toEqual([]);
    await editor.press('End');
    await editor.type(' ');
    expect(await page.locator('#simulation canvas').count()).toBe(0);
    expect(await page.locator('#simulation-stale').textContent()).toContain('Simulate to replay it');
    await page.getByRole('button', { name: 'Reset to active' }).click();
    await expect.poll(() => page.locator('#policy-diff').textContent()).toContain('No changes');
    await expect.poll(() => page.locator('#policy-validation').textContent()).toContain('Valid policy.');
    expect(await page.getByRole('button', { name: 'Apply' }).isDisabled()).toBe(true);
    await shot('03-caps');
  }, 180_000);

  it('labels every importance bar, shows the training notes, offers rollback only with an earlier model', async () => {
    await page.getByRole('link', { name: 'Model' }).click();
    await page.locator('#chart-importance').waitFor();
    expect(await page.locator('#rollback').count()).toBe(0);
    expect(await page.locator('#rollback-note').textContent()).toContain('No rollback');
    const training = await page.locator('#model-training').textContent();
    expect(training).toMatch(/holdout.*\d{4}/);
    expect(await page.locator('#model-base-rate').textContent()).toMatch(/Holdout base rate: \d+\.\d\d%/);
    await page.getByText('Feature importance as a table').click();
    const bars = await page
      .getByRole('table', { name: /Feature importance/ })
      .locator('tbody tr')
      .count();
    expect(bars).toBeGreaterThan(10);
    // Every bar's label drawn: the chart is tall enough for one label per bar and does not skip any.
    const height = await page.locator('#chart-importance').evaluate((c) => c.getBoundingClientRect().height);
    expect(height).toBeGreaterThanOrEqual(24 * bars);
    expect(await drawn('#chart-importance')).toBe(true);
    await page.locator('#chart-importance').scrollIntoViewIfNeeded();
    await shot('04-model-importance');

    // A second model promoted: now there is an earlier one to roll back to.
    const pool = db().pool;
    const current = (await getModel(pool, world.modelVersion))!;
    const next = await insertCandidateModel(pool, {
      params: {},
      metrics: current.metrics,
      oracleMetrics: current.oracleMetrics,
      trainFrom: current.trainFrom ?? new Date(),
      trainTo: current.trainTo ?? new Date(),
      modelText: (await modelText(pool, world.modelVersion))!,
    });
    await promoteModel(pool, next, 'a second model in a test');
    await page.reload();
    await page.locator('#chart-importance').waitFor();
    expect(await page.locator('#rollback').textContent()).toBe(`Roll back to version ${world.modelVersion}`);
    page.once('dialog', (d) => void d.accept());
    await page.locator('#rollback').click();
    await expect
      .poll(() => page.locator('#model-status').textContent())
      .toBe(`Model ${next} retired; model ${world.modelVersion} is active again.`);
    // Rolling back again would reactivate the model just retired: the page names it.
    expect(await page.locator('#rollback').textContent()).toBe(`Roll back to version ${next}`);
  }, 120_000);
});
