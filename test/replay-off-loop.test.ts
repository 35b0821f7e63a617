// The console's replay through the real API on worker threads: /healthz stays fast meanwhile, a second one is a 429.
import { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readToolPaths } from '../app/config.ts';
import { createAuth } from '../auth/auth.ts';
import { DEFAULT_AUTH_SETTINGS } from '../auth/settings.ts';
import { createApi } from '../http/api.ts';
import type { HttpApp } from '../http/app.ts';
import { consoleCacheDir } from '../http/console-static.ts';
import { DEFAULT_CAP_POLICY } from '../policy/cap-policy.ts';
import { createReplayThreads } from '../replay/threads.ts';
import { useTestSchema } from '../testing/db.ts';
import type { ErrorAnswer } from '../wire/errors.ts';
import type { ReplayAnswer, SimulateBody } from '../wire/replay.ts';

const TOKEN = 'replay-off-loop-token-0123456789';
const db = useTestSchema('replay_off_loop');
const threads = createReplayThreads({ maxRunning: 2 });
let app: HttpApp;
let api: string;

beforeAll(async () => {
  // The events routes are not called here: a lazy Temporal client that never connects is enough.
  app = await createApi({
    pool: db().pool,
    temporal: new Client(),
    auth: createAuth(db().pool, DEFAULT_AUTH_SETTINGS),
    adminToken: TOKEN,
    console: { simulate: threads.run, cacheDir: consoleCacheDir(readToolPaths().cacheDir), log: () => {} },
  });
  api = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app?.close();
  await threads.close();
});

/** The console's default world: the replay that took 17 s on the event loop. */
const BODY: SimulateBody = { policy: DEFAULT_CAP_POLICY, days: 7 };

/** A small one, where only the refusal matters. */
const SMALL: SimulateBody = { policy: DEFAULT_CAP_POLICY, days: 1, world: { seed: 3, fans: 100, creators: 4 } };

function simulate(actor: string, body = BODY) {
  return fetch(`${api}/api/admin/simulate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'x-fanfare-actor': actor, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function healthzMs(): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${api}/healthz`);
  expect(res.status).toBe(200);
  await res.json();
  return performance.now() - started;
}

describe('POST /api/admin/simulate on worker threads', () => {
  it('leaves /healthz answering within 100 ms while it runs, and refuses the same person a second one', async () => {
    let done = false;
    const first = simulate('mia').then(async (res) => {
      done = true;
      return { status: res.status, json: (await res.json()) as ReplayAnswer };
    });
    // Let the thread start and get into the replay's CPU-bound part before probing.
    await new Promise((resolve) => setTimeout(resolve, 1500));

    const again = await simulate('mia');
    expect(again.status).toBe(429);
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await again.json()) as ErrorAnswer).errors).toEqual([
      { field: 'replay', rule: 'one replay at a time per person' },
    ]);

    const probes: number[] = [];
    while (!done && probes.length < 20) {
      probes.push(await healthzMs());
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const result = await first;
    expect(result.status).toBe(200);
    expect(result.json.outcomes.map((o) => o.policy)).toEqual(['send_everything_now', 'caps_only_fcfs', 'policy']);
    // Probes taken while the replay ran: several of them, each well inside the bound (the median as the verdict,
    // the slowest as a guard against one stall of the whole replay's length).
    expect(probes.length).toBeGreaterThanOrEqual(5);
    const sorted = [...probes].sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length / 2)], `healthz ms: ${sorted.map((ms) => ms.toFixed(1))}`).toBeLessThan(100);
    expect(sorted.at(-1)!).toBeLessThan(1000);
  });

  it('answers 429 with Retry-After to anyone beyond the limit of replays at once', async () => {
    // The two that hold the threads are the default world's replays, seconds long, so they still run when the third
    // arrives whatever the machine's speed (small ones could finish within the wait).
    const running = [simulate('noah'), simulate('ava')];
    await new Promise((resolve) => setTimeout(resolve, 300));
    const beyond = await simulate('liam', SMALL);
    expect(beyond.status).toBe(429);
    expect(Number(beyond.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await beyond.json()) as ErrorAnswer).errors).toEqual([
      { field: 'replay', rule: 'every replay thread is busy: try again shortly' },
    ]);
    expect((await Promise.all(running)).map((r) => r.status)).toEqual([200, 200]);
  });
});
