// The console in real headless Chromium at 1280 and 390 px: no page scrolls sideways, the login card fits, focus
// moves to the content on navigation, and a hostile event title (HTML, U+202E, a very long word) shows literally and
// isolated wherever creator text appears. Debian's chromium via playwright-core; screenshots in test-artifacts/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { largestCreator } from '../db/creators.ts';
import type { HttpApp } from '../http/app.ts';
import { createReplayThreads } from '../replay/threads.ts';
import { type HeadlessChromium, launchChromium, serveConsole } from '../testing/browser.ts';
import { announceAndDecide, type ConsoleWorld, seedConsoleWorld } from '../testing/console-world.ts';
import { useTestSchema } from '../testing/db.ts';
import { addTestMember, TEST_PASSWORD } from '../testing/team.ts';

const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/console-narrow', import.meta.url));
const db = useTestSchema('console_narrow_e2e');
const replays = createReplayThreads();
const LONG_WORD = `Supercalifragilistic${'expialidocious'.repeat(12)}`;
/** Markup that would run if it were parsed, a right-to-left override, and a word far wider than a phone. */
const HOSTILE = `<img src=x onerror="window.__pwned=1"><b>Live</b> \u202Eevil tour ${LONG_WORD}`;
let app: HttpApp;
let base: string;
let world: ConsoleWorld;
let hostileEventId: number;
let browser: HeadlessChromium;
let page: Page;

/** A second event, with the hostile title, decided for the same audience (so the fixture fan has it too). */
async function announceHostile(): Promise<number> {
  const pool = db().pool;
  const creator = await largestCreator(pool);
  return announceAndDecide(pool, {
    creatorId: creator!.creatorId,
    kind: 'live',
    title: HOSTILE,
    url: 'https://creators.example/p/hostile',
    idempotencyKey: 'console-narrow-hostile',
  });
}

beforeAll(async () => {
  world = await seedConsoleWorld(db().pool);
  hostileEventId = await announceHostile();
  await addTestMember(db().pool, 'ada', 'admin');
  ({ app, base } = await serveConsole(db().pool, { simulate: replays.run }));
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium({ viewport: { width: 390, height: 844 } });
  page = browser.page;
  await fetch(`${base}/console/`, { method: 'POST' }).catch(() => undefined);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await replays.close();
});

const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

/** How wide the document is against the viewport, and the widest elements sticking out (for the failure message). */
async function overflow(): Promise<{ scrollWidth: number; viewport: number; culprits: string[] }> {
  return page.evaluate(() => {
    const viewport = window.innerWidth;
    const culprits = [...document.querySelectorAll<HTMLElement>('body *')]
      .filter((el) => el.getBoundingClientRect().right > viewport + 0.5)
      .slice(0, 8)
      .map((el) => `${el.tagName.toLowerCase()}#${el.id}.${el.className} right=${el.getBoundingClientRect().right}`);
    return { scrollWidth: document.documentElement.scrollWidth, viewport, culprits };
  });
}

async function expectNoSideScroll(label: string): Promise<void> {
  const o = await overflow();
  expect(o.scrollWidth, `${label}: ${o.culprits.join(', ')}`).toBeLessThanOrEqual(o.viewport);
}

const PAGES = [
  { name: 'overview', path: '#/overview', heading: 'Overview' },
  { name: 'fatigue', path: '#/fatigue', heading: 'Fatigue' },
  { name: 'caps', path: '#/caps', heading: 'Caps' },
  { name: 'fans', path: '', heading: 'Fan inspector' },
  { name: 'model', path: '#/model', heading: 'Relevance model' },
  { name: 'creator', path: '', heading: 'Creator view' },
  { name: 'audit', path: '#/audit', heading: 'Audit log' },
  { name: 'experiments', path: '#/experiments', heading: 'Experiments' },
  { name: 'access', path: '#/access', heading: 'Access' },
];
const pathOf = (p: (typeof PAGES)[number]) =>
  p.name === 'fans'
    ? `#/fans?q=${encodeURIComponent(world.fan.email)}&fan=${world.fan.id}`
    : p.name === 'creator'
      ? `#/creator?event=${hostileEventId}`
      : p.path;

async function open(path: string): Promise<void> {
  await page.evaluate((h) => {
    window.location.hash = h;
  }, path);
  await page.locator('.page[aria-busy="false"]').waitFor();
}

describe('console at 390 and 1280 px', () => {
  it('fits the login card into 390 px and logs in', async () => {
    const first = await page.goto(`${base}/console/`);
    expect(first?.status()).toBe(401);
    await expectNoSideScroll('login');
    const card = await page.locator('main').boundingBox();
    expect(card!.x).toBeGreaterThanOrEqual(0);
    expect(card!.x + card!.width).toBeLessThanOrEqual(390);
    await shot('00-login-390');
    await page.getByLabel('Username').fill('ada');
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByLabel('Password').press('Enter');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.locator('.page[aria-busy="false"]').waitFor();
    await page.locator('#nav-access:not([hidden])').waitFor();
  }, 120_000);

  for (const width of [1280, 390]) {
    it(`shows every page at ${width} px without scrolling the page sideways`, async () => {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 800 });
      for (const [i, p] of PAGES.entries()) {
        await open(pathOf(p));
        await page.getByRole('heading', { level: 1, name: p.heading }).waitFor();
        if (p.name === 'fans') await page.locator('#candidate-heading').waitFor();
        await expectNoSideScroll(`${p.name} at ${width}`);
        await shot(`${String(i + 1).padStart(2, '0')}-${p.name}-${width}`);
      }
    }, 180_000);
  }

  it('moves keyboard focus to the new page heading on navigation, and keeps it on a filter within a page', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await open('#/overview');
    await page.getByRole('link', { name: 'Model' }).focus();
    await page.keyboard.press('Enter');
    await page.locator('.page[data-page="model"][aria-busy="false"]').waitFor();
    await expect
      .poll(() => page.evaluate(() => [document.activeElement?.tagName, document.activeElement?.textContent]))
      .toEqual(['H1', 'Relevance model']);
    await page.getByRole('link', { name: 'Creator view' }).focus();
    await page.keyboard.press('Enter');
    await page.locator('.page[data-page="creator"][aria-busy="false"]').waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Creator view');
    // Picking another event changes the hash within the page: the select keeps focus.
    const other = String(world.eventId);
    await page.getByLabel('Event').focus();
    await page.getByLabel('Event').selectOption(other);
    await page.waitForURL(new RegExp(`event=${other}$`));
    await page.locator(`.page[data-page="creator"][aria-busy="false"] #event-select`).waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('event-select');
  });

  it('shows a hostile title literally and isolated in the creator view and the fan inspector', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await open(`#/creator?event=${hostileEventId}`);
    const option = page.locator(`#event-select option[value="${hostileEventId}"]`);
    const text = await option.textContent();
    // Literal: the markup is text, nothing ran, no element was made from it.
    expect(text).toContain(`\u2068${HOSTILE}\u2069 (live,`);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('.page img, .page b').count()).toBe(0);
    // Isolated: the override is closed by PDI before the event's kind, so "(live, …" is not flipped.
    // The page's own table (the charts' data tables come first in the page, under their charts).
    const caption = await page.locator('.page table:not(details.chart-data table) caption').first().textContent();
    expect(caption).toContain(`"\u2068${HOSTILE}\u2069" (live)`);
    await expectNoSideScroll('creator with a hostile title');
    await shot('20-hostile-creator-390');

    await open(`#/fans?q=${encodeURIComponent(world.fan.email)}&fan=${world.fan.id}`);
    await page.locator('#candidate-heading').waitFor();
    const cell = page.locator('#fan-timeline bdi.creator-text', { hasText: 'Live' }).first();
    expect(await cell.textContent()).toBe(HOSTILE);
    expect(await cell.evaluate((el) => getComputedStyle(el).unicodeBidi)).toBe('isolate');
    expect(await page.locator('.page img, .page b').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    // The long word wraps inside its cell rather than widening the page.
    expect(await cell.evaluate((el) => getComputedStyle(el).overflowWrap)).toBe('anywhere');
    await expectNoSideScroll('fans with a hostile title');
    await cell.scrollIntoViewIfNeeded();
    await shot('21-hostile-fans-390');
  });
});
