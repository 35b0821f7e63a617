// Fan links in real headless Chromium: once a page has read its link's token, the token is gone from the address
// bar (and so from the history, bookmarks and a shared screen), while the page keeps working for that fan.
import { Client } from '@temporalio/client';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readToolPaths } from '../app/config.ts';
import { createAuth } from '../auth/auth.ts';
import { DEFAULT_AUTH_SETTINGS } from '../auth/settings.ts';
import { createTokenSigner } from '../delivery/tokens.ts';
import { createApi } from '../http/api.ts';
import type { HttpApp } from '../http/app.ts';
import { consoleCacheDir } from '../http/console-static.ts';
import { type SeededAudience, seedAudience } from '../testing/audience.ts';
import { type HeadlessChromium, launchChromium } from '../testing/browser.ts';
import { useTestSchema } from '../testing/db.ts';
import { TEST_TRACKING_KEYS } from '../testing/deliveries.ts';

const db = useTestSchema('fan_link_token_e2e');
const signer = createTokenSigner(TEST_TRACKING_KEYS);
let app: HttpApp;
let api: string;
let audience: SeededAudience;
let browser: HeadlessChromium;
let page: Page;

beforeAll(async () => {
  audience = await seedAudience(db().pool, {
    fans: 1,
    noPush: [0],
    subscribe: () => {
      throw new Error('no push subscriptions in this test');
    },
  });
  app = await createApi(
    {
      pool: db().pool,
      // Never dialled: no page here announces anything.
      temporal: new Client(),
      auth: createAuth(db().pool, DEFAULT_AUTH_SETTINGS),
      fan: { trackingKeys: TEST_TRACKING_KEYS },
      console: { cacheDir: consoleCacheDir(readToolPaths().cacheDir), log: () => undefined },
    },
    { log: () => undefined },
  );
  api = await app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchChromium({ viewport: { width: 800, height: 600 } });
  page = browser.page;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const preferencesToken = () =>
  signer.sign({ purpose: 'preferences', fanId: audience.fanIds[0], expiresAt: new Date(Date.now() + 3_600_000) });

describe('a fan link in the browser', () => {
  it('preferences: the token leaves the address bar, and the settings still load and save with it', async () => {
    const token = preferencesToken();
    await page.goto(`${api}/preferences?token=${token}`);
    await page.locator('#form').waitFor({ state: 'visible' });
    expect(page.url()).not.toContain(token);
    expect(new URL(page.url()).pathname).toBe('/preferences');
    await page.locator('button[type=submit]').click();
    await expect.poll(() => page.locator('#message').textContent()).not.toBe('');
    expect(await page.locator('#message').getAttribute('class')).not.toBe('error');
    // A reload keeps working from the tab's own copy, with the address still clean.
    await page.reload();
    await page.locator('#form').waitFor({ state: 'visible' });
    expect(page.url()).not.toContain(token);
  });

  it('the device page drops the token too', async () => {
    const token = preferencesToken();
    await page.goto(`${api}/fan?token=${token}`);
    await expect.poll(() => page.url()).not.toContain(token);
    expect(new URL(page.url()).pathname).toBe('/fan');
  });

  it('unsubscribe: the address becomes /u, and the page form still posts to the link', async () => {
    const token = signer.sign({ purpose: 'unsubscribe', fanId: audience.fanIds[0], decisionId: 1 });
    await page.goto(`${api}/u/${token}`);
    await expect.poll(() => new URL(page.url()).pathname).toBe('/u');
    expect(page.url()).not.toContain(token);
    expect(await page.locator('form').getAttribute('action')).toBe(`/u/${token}`);
  });

  it('an expired preferences link tells its fan to use a recent email, and nothing of why', async () => {
    const token = signer.sign({
      purpose: 'preferences',
      fanId: audience.fanIds[0],
      expiresAt: new Date(Date.now() - 60_000),
    });
    await page.goto(`${api}/preferences?token=${token}`);
    await expect.poll(() => page.locator('#message').textContent()).toContain('recent email');
    expect(page.url()).not.toContain(token);
    expect(await page.locator('#form').isHidden()).toBe(true);
  });
});
