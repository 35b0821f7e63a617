// The console's browser tests: the console served on a loopback port, and headless Chromium on a scratch profile.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { chromiumPath, readToolPaths } from '../app/config.ts';
import type { Pool } from '../db/pool.ts';
import { createHttpApp, type HttpApp } from '../http/app.ts';
import { type ConsoleDeps, registerConsole } from '../http/console.ts';
import { consoleCacheDir } from '../http/console-static.ts';

/** Debian's chromium unless CHROMIUM_PATH names another. */
export const CHROMIUM = chromiumPath();

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-quic',
  '--disable-sync',
];

export type HeadlessChromium = { context: BrowserContext; page: Page; close(): Promise<void> };

/** One persistent context on a profile of its own (removed by close) and its first page. */
export async function launchChromium(options: {
  viewport: { width: number; height: number };
  timeoutMs?: number;
}): Promise<HeadlessChromium> {
  const profile = mkdtempSync(join(tmpdir(), 'fanfare-chromium-'));
  const removeProfile = () => rmSync(profile, { recursive: true, force: true });
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: options.viewport,
      args: ARGS,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(options.timeoutMs ?? 30_000);
    return {
      context,
      page,
      async close() {
        await context.close();
        removeProfile();
      },
    };
  } catch (err) {
    removeProfile();
    throw err;
  }
}

/** The console (pages and API) on a loopback port, with the real clock and no log; `base` is its origin. */
export async function serveConsole(
  pool: Pool,
  extra: Pick<ConsoleDeps, 'simulate' | 'simulateHistory'> = {},
): Promise<{ app: HttpApp; base: string }> {
  const app = await createHttpApp();
  registerConsole(app, {
    pool,
    now: () => new Date(),
    log: () => undefined,
    cacheDir: consoleCacheDir(readToolPaths().cacheDir),
    ...extra,
  });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, base };
}
