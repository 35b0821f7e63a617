// Registers everything behind the team's login on one app: the console's login and pages, cap policy, read and access
// APIs.
import { type Auth, createAuth } from '../auth/auth.ts';
import { DEFAULT_AUTH_SETTINGS } from '../auth/settings.ts';
import type { Pool } from '../db/pool.ts';
import type { RelevanceScorer } from '../models/scoring.ts';
import { registerAccessRoutes } from './access-routes.ts';
import { createTeamGate } from './admin-auth.ts';
import { registerAdminRoutes } from './admin-routes.ts';
import { registerAlertRoutes } from './alert-routes.ts';
import type { HttpApp } from './app.ts';
import { registerConsoleRoutes } from './console-routes.ts';
import { registerConsoleStatic } from './console-static.ts';
import { registerCreatorViewRoutes } from './creator-view-routes.ts';
import { registerExperimentRoutes } from './experiment-routes.ts';
import type { HistoryReplayRunner, ReplayRunner } from './simulate-input.ts';

export interface ConsoleOptions {
  /** Where built consoles are cached (consoleCacheDir of FANFARE_CACHE). */
  cacheDir: string;
  scorer?: RelevanceScorer;
  log?: (line: string) => void;
  /** Runs the replay behind POST /api/admin/simulate. */
  simulate?: ReplayRunner;
  /** Runs the replay on logged history behind POST /api/admin/simulate-history. */
  simulateHistory?: HistoryReplayRunner;
  /** FANFARE_GLOBAL_HOLDOUT_PERCENT (docs/EXPERIMENTS.md); 0 when not given. */
  globalHoldoutPercent?: number;
}

export interface ConsoleDeps extends ConsoleOptions {
  pool: Pool;
  /** Logins, sessions and service credentials; one over the pool with the default settings when absent. */
  auth?: Auth;
  /** ADMIN_TOKEN: when set, a bearer token with the admin role, named `env` in the audit (http/admin-auth.ts). */
  adminToken?: string;
  now: () => Date;
}

export function registerConsole(app: HttpApp, deps: ConsoleDeps): void {
  const gate = createTeamGate(deps.auth ?? createAuth(deps.pool, DEFAULT_AUTH_SETTINGS), deps.adminToken);
  registerAdminRoutes(app, {
    pool: deps.pool,
    gate,
    simulate: deps.simulate,
    simulateHistory: deps.simulateHistory,
    now: deps.now,
  });
  registerConsoleRoutes(app, { pool: deps.pool, gate, now: deps.now, scorer: deps.scorer });
  registerAccessRoutes(app, { pool: deps.pool, gate });
  registerCreatorViewRoutes(app, { pool: deps.pool, gate, now: deps.now });
  registerExperimentRoutes(app, {
    pool: deps.pool,
    gate,
    now: deps.now,
    globalHoldoutPercent: deps.globalHoldoutPercent ?? 0,
  });
  registerAlertRoutes(app, { pool: deps.pool, gate });
  registerConsoleStatic(app, {
    gate,
    cacheDir: deps.cacheDir,
    log: deps.log ?? ((line) => process.stderr.write(`${line}\n`)),
  });
}
