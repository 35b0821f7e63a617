// The console's Access page in real headless Chromium: an admin adds a member, makes a creator key (read once from the
// page, then used on the creator API), makes a service credential and revokes both; a viewer has no Access link and is
// refused by the access routes. Debian's chromium, driven by playwright-core; screenshots in test-artifacts/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@temporalio/client';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readToolPaths } from '../app/config.ts';
import { createAuth } from '../auth/auth.ts';
import { DEFAULT_AUTH_SETTINGS } from '../auth/settings.ts';
import { insertEvent } from '../db/events.ts';
import { createApi } from '../http/api.ts';
import type { HttpApp } from '../http/app.ts';
import { consoleCacheDir } from '../http/console-static.ts';
import { seedAudience } from '../testing/audience.ts';
import { CHROMIUM } from '../testing/browser.ts';
import { useTestSchema } from '../testing/db.ts';
import { addTestMember, TEST_PASSWORD } from '../testing/team.ts';
import type { TeamAnswer } from '../wire/access.ts';

const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/console', import.meta.url));
const db = useTestSchema('console_access_e2e');
let app: HttpApp;
let base: string;
let browser: Browser;
let creatorId: number;
let eventId: number;

beforeAll(async () => {
  ({ creatorId } = await seedAudience(db().pool, {
    fans: 1,
    noPush: [0],
    handle: 'ana',
    subscribe: () => {
      throw new Error('no push subscriptions in this test');
    },
  }));
  ({
    event: { id: eventId },
  } = await insertEvent(db().pool, {
    creatorId,
    kind: 'post',
    title: 'A post',
    url: 'https://ana.example/p/1',
    audience: { rule: 'all' },
    idempotencyKey: 'post-1',
    deadline: new Date(Date.now() + 86_400_000),
  }));
  await addTestMember(db().pool, 'ada', 'admin');
  await addTestMember(db().pool, 'vera', 'viewer');
  app = await createApi(
    {
      pool: db().pool,
      // Never dialled: reading an event starts no workflow.
      temporal: new Client(),
      auth: createAuth(db().pool, DEFAULT_AUTH_SETTINGS),
      console: { cacheDir: consoleCacheDir(readToolPaths().cacheDir), log: () => undefined },
    },
    { log: () => undefined },
  );
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** A fresh browser context logged in through the console's form as `username`. */
async function loggedIn(username: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  // The first view may build the console (a few seconds after a change).
  await page.goto(`${base}/console/`, { timeout: 180_000 });
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByLabel('Password').press('Enter');
  await page.getByRole('heading', { name: 'Overview' }).waitFor({ timeout: 180_000 });
  await expect.poll(() => page.locator('#who').textContent()).toContain(`Logged in as ${username}`);
  return page;
}

/** The creator API with this key: GET /api/events/:id. */
const readEvent = (key: string) =>
  fetch(`${base}/api/events/${eventId}`, { headers: { authorization: `Bearer ${key}` } });

describe('the Access page in Chromium', () => {
  let admin: Page;
  const shot = (name: string) => admin.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

  it('shows an admin the Access link and the team; adds, changes, logs out and removes a member', async () => {
    admin = await loggedIn('ada');
    admin.on('dialog', (d) => void d.accept());
    await admin.getByRole('link', { name: 'Access' }).click();
    await admin.getByRole('heading', { name: 'Access', level: 1 }).waitFor();
    const members = admin.getByRole('table', { name: 'Members of the growth team' });
    await members.waitFor();
    expect(await members.locator('tbody tr td:first-child').allTextContents()).toEqual(['ada', 'vera']);

    const add = admin.getByRole('form', { name: 'Add a member' });
    await add.getByLabel('Username').fill('nina');
    await add.getByLabel('Password').fill('short');
    await add.getByRole('button', { name: 'Add member' }).click();
    await expect
      .poll(() => admin.locator('#member-form-status [role="alert"]').textContent())
      .toMatch(/password: must be at least \d+ characters/);

    await add.getByLabel('Password').fill(TEST_PASSWORD);
    await add.getByLabel('Role').selectOption('editor');
    await add.getByRole('button', { name: 'Add member' }).click();
    await expect.poll(() => admin.locator('#member-form-status').textContent()).toContain('Added nina as editor.');
    const nina = members.getByRole('row', { name: /nina/ });
    await nina.waitFor();
    expect(await nina.locator('td').nth(1).textContent()).toBe('editor');
    const team = await admin.evaluate(() => fetch('/api/admin/team').then((r) => r.json()));
    expect((team as TeamAnswer).members.find((m) => m.username === 'nina')?.role).toBe('editor');

    // A role change, through the row's own controls.
    await admin.getByLabel('Role of nina').selectOption('viewer');
    await nina.getByRole('button', { name: 'Change role' }).click();
    await expect.poll(() => nina.locator('td').nth(1).textContent()).toBe('viewer');
    await shot('10-access-members');

    // Logging out a member with no session ends none; removing one takes them off the list.
    await nina.getByRole('button', { name: 'Log out' }).click();
    await expect.poll(() => admin.locator('#members-status').textContent()).toBe('nina: 0 sessions ended.');
    await nina.getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => members.locator('tbody tr td:first-child').allTextContents()).toEqual(['ada', 'vera']);
  }, 240_000);

  it("creates a creator key shown once, which reads the creator's event until it is revoked", async () => {
    await admin.getByLabel('Creator', { exact: true }).waitFor();
    expect(await admin.getByLabel('Creator', { exact: true }).locator('option:checked').textContent()).toContain(
      `ana (`,
    );
    await admin.getByLabel('Label').fill('ci-announcer');
    await admin.getByRole('button', { name: 'Create key' }).click();
    const secret = admin.locator('#new-creator-key');
    await secret.waitFor();
    const key = await secret.inputValue();
    expect(key).toMatch(/^ffk_/);
    expect(await admin.locator('#key-form-status').textContent()).toContain('Copy it now');
    const keys = admin.getByRole('table', { name: /API keys of ana/ });
    await keys.getByRole('row', { name: /ci-announcer/ }).waitFor();
    await expect
      .poll(() => admin.getByLabel('Creator', { exact: true }).locator('option:checked').textContent())
      .toContain('1 live key)');
    await shot('11-access-creator-key');

    // The key is only on the page: the list never carries it.
    expect(await keys.textContent()).not.toContain(key);
    const good = await readEvent(key);
    expect(good.status).toBe(200);
    expect(((await good.json()) as { id: number }).id).toBe(eventId);
    expect((await readEvent(`${key.slice(0, -4)}AAAA`)).status).toBe(401);
    expect((await readEvent('ffk_garbage')).status).toBe(401);

    // Last used shows up once the list reloads (after the revoke below); revoke it and the same read is refused.
    await keys.getByRole('button', { name: 'Revoke ci-announcer' }).click();
    const row = keys.getByRole('row', { name: /ci-announcer/ });
    await expect.poll(() => row.locator('td').nth(3).textContent()).not.toContain('live');
    expect(await row.locator('td').nth(2).textContent()).not.toBe('—');
    expect((await readEvent(key)).status).toBe(401);
  });

  it('creates a service credential shown once, refuses a bad name beside the form, and revokes it', async () => {
    const create = admin.getByRole('form', { name: 'Create a service credential' });
    await create.getByLabel('Name').fill('Bad Name');
    await create.getByRole('button', { name: 'Create credential' }).click();
    await expect
      .poll(() => admin.locator('#credential-form-status [role="alert"]').textContent())
      .toContain('name: must be 1 to 64 lowercase letters');
    await create.getByLabel('Name').fill('nightly-robot');
    await create.getByLabel('Role').selectOption('editor');
    await create.getByRole('button', { name: 'Create credential' }).click();
    const token = await admin.locator('#new-credential-token').inputValue();
    expect(token).toMatch(/^ffs_/);
    const session = await fetch(`${base}/api/admin/session`, { headers: { authorization: `Bearer ${token}` } });
    expect(await session.json()).toMatchObject({ kind: 'service', name: 'nightly-robot', role: 'editor' });

    const credentials = admin.getByRole('table', { name: 'Service credentials' });
    await credentials.getByRole('button', { name: 'Revoke nightly-robot' }).click();
    await expect.poll(() => credentials.getByRole('row', { name: /nightly-robot/ }).textContent()).toContain('revoked');
    const after = await fetch(`${base}/api/admin/session`, { headers: { authorization: `Bearer ${token}` } });
    expect(after.status).toBe(401);
    await shot('12-access-credentials');
  });

  it('shows no Access link to a viewer, whose calls to the access routes are refused with 403', async () => {
    const viewer = await loggedIn('vera');
    expect(await viewer.locator('#nav-access').isHidden()).toBe(true);
    expect(await viewer.getByRole('link', { name: 'Access' }).count()).toBe(0);
    const statuses = await viewer.evaluate(async (creator) => {
      const call = (method: string, path: string, body?: unknown) =>
        fetch(path, {
          method,
          headers: body === undefined ? {} : { 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        }).then(async (r) => [r.status, await r.json()]);
      return [
        await call('GET', '/api/admin/team'),
        await call('POST', '/api/admin/team', { username: 'mallory', password: 'x'.repeat(20), role: 'admin' }),
        await call('GET', '/api/admin/service-credentials'),
        await call('POST', `/api/admin/creators/${creator}/keys`, { label: 'mine' }),
        await call('GET', '/api/admin/creators'),
      ];
    }, creatorId);
    for (const [status, body] of statuses) {
      expect(status).toBe(403);
      expect(body.errors[0].field).toBe('role');
    }
    // Typing the page's address shows the refusal plainly, and nothing of the team.
    await viewer.goto(`${base}/console/#/access`);
    await expect.poll(() => viewer.getByRole('alert').first().textContent()).toContain('Refused');
    expect(await viewer.getByRole('table').count()).toBe(0);
    await viewer.screenshot({ path: join(ARTIFACTS, '13-access-viewer-refused.png') });
  });
});
