// Registers everything behind the admin login on one router: the console's login and pages, cap policy and read APIs.
import type { Pool } from '../db/pool.ts';
import type { RelevanceScorer } from '../models/scoring.ts';
import { createAdminAuth } from './admin-auth.ts';
import { registerAdminRoutes } from './admin-routes.ts';
import type { HttpApp } from './app.ts';
import { registerConsoleRoutes } from './console-routes.ts';
import { registerConsoleStatic } from './console-static.ts';
import type { ReplayRunner } from './simulate-input.ts';

export interface ConsoleOptions {
  /** Where built consoles are cached (consoleCacheDir of FANFARE_CACHE). */
  cacheDir: string;
  scorer?: RelevanceScorer;
  log?: (line: string) => void;
  /** Runs the replay behind POST /api/admin/simulate. */
  simulate?: ReplayRunner;
}

export interface ConsoleDeps extends ConsoleOptions {
  pool: Pool;
  /** ADMIN_TOKEN; unset means the console cannot be logged into and every admin route answers 401. */
  adminToken: string | undefined;
  now: () => Date;
}

export function registerConsole(app: HttpApp, deps: ConsoleDeps): void {
  const auth = createAdminAuth(deps.adminToken);
  registerAdminRoutes(app, { pool: deps.pool, adminToken: deps.adminToken, auth, simulate: deps.simulate });
  registerConsoleRoutes(app, { pool: deps.pool, auth, now: deps.now, scorer: deps.scorer });
  registerConsoleStatic(app, {
    auth,
    cacheDir: deps.cacheDir,
    log: deps.log ?? ((line) => process.stderr.write(`${line}\n`)),
  });
}
