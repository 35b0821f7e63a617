// The caps form, the creator view and the audit log in real headless Chromium at 1280 and 390 px: form edits change
// the JSON and the diff, a replay on real history shows figures with intervals, a creator's totals match SQL, every
// audited kind appears after the actions are taken through the API, and a hostile creator handle and title (HTML,
// U+202E, a 200-character word) show literally. Screenshots in test-artifacts/console-growth/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getModel, insertCandidateModel, modelText } from '../db/models.ts';
import type { HttpApp } from '../http/app.ts';
import { DEFAULT_ALERT_RULES } from '../policy/alert-rules.ts';
import { DEFAULT_CAP_POLICY } from '../policy/cap-policy.ts';
import { createReplayThreads } from '../replay/threads.ts';
import { type HeadlessChromium, launchChromium, serveConsole } from '../testing/browser.ts';
import { announceAndDecide, type ConsoleWorld, seedConsoleWorld } from '../testing/console-world.ts';
import { useTestSchema } from '../testing/db.ts';
import { memberCookie } from '../testing/team.ts';
import { AUDIT_KINDS } from '../wire/audit.ts';

const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/console-growth', import.meta.url));
const db = useTestSchema('console_growth_e2e');
const replays = createReplayThreads({ maxRunning: 1 });
const LONG_WORD = `W${'x'.repeat(199)}`;
/** Markup that would run if parsed, a right-to-left override, and a 200-character word. */
const HOSTILE_HANDLE = `<img src=x onerror="window.__pwned=1">\u202Eevil_${LONG_WORD}`;
const HOSTILE_NAME = `<b>Bold</b> \u202Erekam`;
const HOSTILE_TITLE = `<script>window.__pwned=2</script>\u202E tour ${LONG_WORD}`;
let app: HttpApp;
let base: string;
let world: ConsoleWorld;
let hostileCreator: number;
let browser: HeadlessChromium;
let page: Page;
let cookie: string;

/** A creator with hostile text, half the world's fans as members, and one decided event with a hostile title. */
async function hostileCreatorWithEvent(): Promise<number> {
  const pool = db().pool;
  const c = await pool.query(`insert into creators (handle, display_name) values ($1, $2) returning id`, [
    HOSTILE_HANDLE,
    HOSTILE_NAME,
  ]);
  const creatorId: number = c.rows[0].id;
  await pool.query(
    `insert into memberships (fan_id, creator_id, kind) select id, $1, 'free' from fans where id % 2 = 0`,
    [creatorId],
  );
  await announceAndDecide(pool, {
    creatorId,
    kind: 'post',
    title: HOSTILE_TITLE,
    url: 'https://creators.example/p/hostile',
    idempotencyKey: 'console-growth-hostile',
  });
  return creatorId;
}

beforeAll(async () => {
  world = await seedConsoleWorld(db().pool);
  hostileCreator = await hostileCreatorWithEvent();
  cookie = await memberCookie(db().pool, 'ada', 'admin');
  ({ app, base } = await serveConsole(db().pool, { simulate: replays.run, simulateHistory: replays.runHistory }));
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium({ viewport: { width: 1280, height: 800 }, timeoutMs: 60_000 });
  page = browser.page;
  const [name, value] = cookie.split('=');
  await browser.context.addCookies([{ name, value, url: base }]);
  // The first page view builds the console when its sources changed; give it time once.
  await page.goto(`${base}/console/`, { timeout: 180_000 });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await replays.close();
});

const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

async function open(hash: string): Promise<void> {
  await page.evaluate((h) => {
    window.location.hash = h;
  }, hash);
  await page.locator('.page[aria-busy="false"]').waitFor();
}

/** Calls the API as ada, from the console's origin as the console does. */
async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { cookie, origin: base, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

async function expectNoSideScroll(label: string): Promise<void> {
  const o = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
    culprits: [...document.querySelectorAll<HTMLElement>('body *')]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
      .slice(0, 6)
      .map((el) => `${el.tagName.toLowerCase()}#${el.id}.${el.className}`),
  }));
  expect(o.scrollWidth, `${label}: ${o.culprits.join(', ')}`).toBeLessThanOrEqual(o.viewport);
}

async function notPwned(): Promise<void> {
  expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(await page.locator('.page img, .page b, .page script').count()).toBe(0);
}

describe('caps form and the replay on logged history', () => {
  it('edits a rule in the form: the JSON and the diff follow, a refusal shows beside its field', async () => {
    await open('#/caps');
    await page.locator('#policy-validation.ok').waitFor();
    const rule = page.locator('fieldset[data-rule="push_per_day"]');
    expect(await rule.locator('legend').textContent()).toBe('Rule push_per_day (cap)');
    const limit = rule.getByLabel('Limit');
    expect(await limit.inputValue()).toBe('3');
    // Help from the server's validator: what it limits, the unit and the allowed range.
    const help = await rule.locator('.help').filter({ hasText: 'rolling window' }).textContent();
    expect(help).toContain('Unit: alerts per window. Allowed: must be an integer from 1 to 1000.');
    await limit.fill('0');
    const refusal = page.locator(`#${await limit.getAttribute('id')}-error`);
    await expect.poll(() => refusal.textContent()).toBe('Refused: must be an integer from 1 to 1000');
    expect(await limit.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#apply').isDisabled()).toBe(true);
    await limit.fill('5');
    await page.locator('#policy-validation.ok').waitFor();
    const json = JSON.parse(await page.locator('#policy-editor').inputValue());
    expect(json.rules.find((r: { name: string }) => r.name === 'push_per_day').limit).toBe(5);
    expect(await page.locator('#policy-diff').textContent()).toContain('rules[push_per_day].limit: 3 → 5');
    expect(await page.locator('#apply').isDisabled()).toBe(false);
    expect(await refusal.isHidden()).toBe(true);
    // And back: an edit of the JSON redraws the form.
    await page.locator('#policy-editor').fill(JSON.stringify({ ...json, name: 'from_json' }, null, 2));
    await expect.poll(() => page.getByLabel('Policy name').inputValue()).toBe('from_json');
  });

  it("offers the server's bounds for each replay mode", async () => {
    expect(await page.locator('#simulate-days').getAttribute('max')).toBe('28');
    expect(await page.locator('#simulate-fans').getAttribute('min')).toBe('50');
    expect(await page.locator('#simulate-fans').getAttribute('max')).toBe('1000');
    await page.locator('#mode-world').check();
    expect(await page.locator('#simulate-days').getAttribute('max')).toBe('14');
    expect(await page.locator('#simulate-fans').getAttribute('max')).toBe('1000');
    await page.locator('#mode-history').check();
  });

  it("replays the proposed caps on the real audience's logged history, with intervals", async () => {
    // One email alert a day instead of two: fewer email alerts on the same logged history.
    await page.locator('fieldset[data-rule="email_per_day"]').getByLabel('Limit').fill('1');
    await expect.poll(() => page.locator('#policy-diff').textContent()).toContain('rules[email_per_day].limit: 2 → 1');
    await page.locator('#policy-validation.ok').waitFor();
    await page.locator('#simulate-days').fill('10');
    await page.locator('#simulate-fans').fill('300');
    await page.locator('#simulate').click();
    const summary = page.locator('#history-replay-summary');
    await summary.waitFor({ timeout: 120_000 });
    expect(await summary.textContent()).toMatch(/^\d+ real fans with a decision from/);
    // The figures' table, not the data tables behind the charts (details.chart-data).
    const rows = page.locator('#simulation table:not(details.chart-data table) tbody tr');
    expect(await rows.count()).toBe(5);
    const push = await rows.nth(1).locator('td').allTextContents();
    expect(push[0]).toBe('push alerts / fan / day');
    for (const cell of push.slice(1)) expect(cell).toMatch(/^[+-]?\d+\.\d{3} ± \d+\.\d{3}$/);
    // The interval behind the ± is in the title, low below high.
    const title = (await rows.nth(1).locator('td .estimate').first().getAttribute('title'))!;
    const [low, high] = title.replace('95% interval ', '').split(' to ').map(Number);
    expect(low).toBeLessThanOrEqual(high);
    // Fewer email alerts under the proposed caps, an interval that leaves out 0: marked as a fall.
    const email = rows.nth(0).locator('td .estimate').nth(2);
    expect(await email.getAttribute('class')).toBe('estimate down');
    expect(await email.textContent()).toMatch(/^-\d+\.\d{3} ± /);
    expect(await page.locator('#chart-history-difference').isVisible()).toBe(true);
    await shot('caps-1280');
    await page.setViewportSize({ width: 390, height: 844 });
    await expectNoSideScroll('caps');
    await shot('caps-390');
    await page.setViewportSize({ width: 1280, height: 800 });
  }, 180_000);
});

describe('creator view', () => {
  it('finds a hostile creator by part of its handle and shows its text literally', async () => {
    await open('#/creator');
    await page.getByLabel('Find a creator').fill('evil_');
    const option = page.locator(`#creator-select option[value="${hostileCreator}"]`);
    await option.waitFor({ state: 'attached' });
    expect(await option.textContent()).toBe(
      `\u2068${HOSTILE_HANDLE}\u2069 (\u2068${HOSTILE_NAME}\u2069) #${hostileCreator}`,
    );
    await page.locator('#creator-select').selectOption(String(hostileCreator));
    await page.waitForURL(new RegExp(`creator=${hostileCreator}`));
    await page.locator('.page[aria-busy="false"] #creator-heading').waitFor();
    const handle = page.locator('#creator-heading bdi.creator-text').first();
    expect(await handle.textContent()).toBe(HOSTILE_HANDLE);
    expect(await handle.evaluate((el) => getComputedStyle(el).unicodeBidi)).toBe('isolate');
    const event = await page.locator('#event-select option').first().textContent();
    expect(event).toContain(`\u2068${HOSTILE_TITLE}\u2069 (post,`);
    expect(await page.locator('[data-total="events"]').textContent()).toBe('1');
    await notPwned();
    await page.setViewportSize({ width: 390, height: 844 });
    await expectNoSideScroll('creator with hostile text');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it("picks the world's creator, then an event; the totals match SQL and the filters are in the hash", async () => {
    const pool = db().pool;
    const { rows } = await pool.query(
      `select c.id, c.handle from creator_events e join creators c on c.id = e.creator_id where e.id = $1`,
      [world.eventId],
    );
    await page.getByLabel('Find a creator').fill(rows[0].handle);
    await page.locator(`#creator-select option[value="${rows[0].id}"]`).waitFor({ state: 'attached' });
    await page.locator('#creator-select').selectOption(String(rows[0].id));
    await page.waitForURL(new RegExp(`creator=${rows[0].id}`));
    await page.locator('.page[aria-busy="false"] #creator-totals').waitFor();
    // A period in the hash: from ten days ago to today.
    const today = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10);
    await open(`#/creator?creator=${rows[0].id}&from=${from}&to=${today}`);
    expect(await page.locator('#creator-from').inputValue()).toBe(from);
    const end = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000);
    const events = `select id from creator_events where creator_id = $1 and created_at >= $2 and created_at < $3`;
    const args = [rows[0].id, `${from}T00:00:00Z`, end];
    const expected = (
      await pool.query(
        `select (select count(*)::int from (${events}) x) as events,
                (select count(*)::int from decisions where event_id in (${events})) as decisions,
                (select count(*)::int from deliveries dl join decisions d on d.id = dl.decision_id
                  where d.event_id in (${events}) and dl.status = 'sent' and dl.channel = 'email') as sent_email,
                (select count(*)::int from deliveries dl join decisions d on d.id = dl.decision_id
                  where d.event_id in (${events}) and dl.status = 'sent' and dl.channel = 'push') as sent_push,
                (select count(*)::int from decisions where event_id in (${events}) and action = 'digest') as digests,
                (select count(*)::int from engagement_events where event_id in (${events}) and kind = 'open') as opens,
                (select count(*)::int from engagement_events where event_id in (${events}) and kind = 'click')
                  as clicks,
                (select count(*)::int from engagement_events where event_id in (${events}) and kind = 'unsubscribe')
                  as unsubscribes`,
        args,
      )
    ).rows[0];
    expect(expected.events).toBeGreaterThan(1);
    expect(expected.opens).toBeGreaterThan(0);
    const shown = async (key: string) =>
      Number((await page.locator(`[data-total="${key}"]`).textContent())!.replaceAll(',', ''));
    for (const [key, column] of [
      ['events', 'events'],
      ['decisions', 'decisions'],
      ['sent-email', 'sent_email'],
      ['sent-push', 'sent_push'],
      ['digests', 'digests'],
      ['opens', 'opens'],
      ['clicks', 'clicks'],
      ['unsubscribes', 'unsubscribes'],
    ])
      expect(await shown(key), key).toBe(expected[column]);
    // Then an event of that creator: its report, and the event last in the address.
    const second = await page.locator('#event-select option').nth(1).getAttribute('value');
    await page.locator('#event-select').selectOption(second!);
    await page.waitForURL(new RegExp(`creator=${rows[0].id}&from=${from}&to=${today}&event=${second}$`));
    await page.locator('.page[aria-busy="false"] #chart-reach').waitFor();
    const title = (await pool.query(`select title from creator_events where id = $1`, [second])).rows[0].title;
    expect(await page.locator('.page table:not(details.chart-data table) caption').first().textContent()).toContain(
      title,
    );
    await shot('creator-1280');
    await page.setViewportSize({ width: 390, height: 844 });
    await expectNoSideScroll('creator');
    await shot('creator-390');
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});

describe('audit log', () => {
  it('lists an entry of every kind after the actions taken through the API, filtered by kind and date', async () => {
    const pool = db().pool;
    expect((await call('PUT', '/api/admin/policy', { ...DEFAULT_CAP_POLICY, name: 'audited' })).status).toBe(201);
    const rules = { ...DEFAULT_ALERT_RULES, backlogAge: { maxSeconds: 600 } };
    expect((await call('PUT', '/api/admin/alert-rules', rules)).status).toBe(201);
    const current = (await getModel(pool, world.modelVersion))!;
    const next = await insertCandidateModel(pool, {
      params: {},
      metrics: current.metrics,
      oracleMetrics: current.oracleMetrics,
      trainFrom: current.trainFrom ?? new Date(),
      trainTo: current.trainTo ?? new Date(),
      modelText: (await modelText(pool, world.modelVersion))!,
    });
    expect((await call('POST', `/api/admin/models/${next}/promote`)).status).toBe(200);
    expect((await call('POST', '/api/admin/models/rollback')).status).toBe(200);
    const experiment = await call('POST', '/api/admin/experiments', {
      name: 'audited',
      arms: [
        { name: 'control', allocation: 5 },
        { name: 'held', allocation: 5, holdout: true },
      ],
    });
    expect(experiment.status).toBe(201);
    const experimentId = (experiment.json as { id: number }).id;
    expect((await call('POST', `/api/admin/experiments/${experimentId}/stop`)).status).toBe(200);
    expect(
      (await call('POST', '/api/admin/team', { username: 'bo', password: 'a long enough pw 123', role: 'viewer' }))
        .status,
    ).toBe(201);
    expect((await call('PUT', '/api/admin/team/bo/role', { role: 'editor' })).status).toBe(200);
    expect((await call('DELETE', '/api/admin/team/bo')).status).toBe(200);
    const credential = await call('POST', '/api/admin/service-credentials', { name: 'ci-bot', role: 'viewer' });
    expect(credential.status).toBe(201);
    const credentialId = (credential.json as { credential: { id: number } }).credential.id;
    expect((await call('DELETE', `/api/admin/service-credentials/${credentialId}`)).status).toBe(200);
    const key = await call('POST', `/api/admin/creators/${hostileCreator}/keys`, { label: 'audited' });
    expect(key.status).toBe(201);
    const keyId = (key.json as { key: { id: number } }).key.id;
    expect((await call('DELETE', `/api/admin/creators/${hostileCreator}/keys/${keyId}`)).status).toBe(200);

    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.locator('.page[data-page="audit"][aria-busy="false"] #audit-entries').waitFor();
    const kindsShown = await page
      .locator('#audit-entries tbody tr')
      .evaluateAll((rows) =>
        rows.map((r) => `${(r as HTMLElement).dataset.kind} ${r.children[2].textContent} ${r.children[3].textContent}`),
      );
    for (const expected of [
      'cap-policy member:ada activate',
      'alert-rules member:ada activate',
      'model member:ada promote',
      'model member:ada rollback',
      'experiment member:ada create',
      'experiment member:ada stop',
      'team member:ada add',
      'team member:ada role',
      'team member:ada remove',
      'service-credential member:ada create',
      'service-credential member:ada revoke',
      'creator-key member:ada create',
      'creator-key member:ada revoke',
    ])
      expect(kindsShown).toContain(expected);
    expect(new Set(kindsShown.map((k) => k.split(' ')[0]))).toEqual(new Set(AUDIT_KINDS));
    // The hostile handle of the creator whose key it was, literal and isolated.
    const handle = page.locator('#audit-entries bdi.creator-text').first();
    expect(await handle.textContent()).toBe(HOSTILE_HANDLE);
    await notPwned();
    await shot('audit-1280');
    await page.setViewportSize({ width: 390, height: 844 });
    await expectNoSideScroll('audit');
    await shot('audit-390');
    await page.setViewportSize({ width: 1280, height: 800 });

    // Filter by kind: the box goes into the hash and only that kind is listed.
    await page.getByLabel('People').check();
    await page.waitForURL(/#\/audit\?kind=team/);
    await page.locator('.page[aria-busy="false"] #audit-entries').waitFor();
    const teamOnly = await page
      .locator('#audit-entries tbody tr')
      .evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.kind));
    expect(teamOnly).toEqual(['team', 'team', 'team']);
    // A date range without entries: tomorrow.
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await open(`#/audit?kind=team&from=${tomorrow}&to=${tomorrow}`);
    await page.locator('#audit-empty').waitFor();
    expect(await page.getByLabel('People').isChecked()).toBe(true);
  });
});
