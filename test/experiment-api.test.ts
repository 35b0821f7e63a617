// The experiments API on real PostgreSQL: editors only, field-named refusals, placement clear of running experiments,
// stop, and the results' shape; decisions of the arms written by hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readToolPaths } from '../app/config.ts';
import { createServiceCredential } from '../auth/service-credentials.ts';
import { activateCapPolicy } from '../db/cap-policies.ts';
import { createHttpApp, type HttpApp } from '../http/app.ts';
import { registerConsole } from '../http/console.ts';
import { consoleCacheDir } from '../http/console-static.ts';
import { DEFAULT_CAP_POLICY } from '../policy/cap-policy.ts';
import { type ConsoleWorld, seedConsoleWorld } from '../testing/console-world.ts';
import { useTestSchema } from '../testing/db.ts';
import type { ErrorAnswer } from '../wire/errors.ts';
import type { ExperimentJson, ExperimentListAnswer, ExperimentResultsAnswer } from '../wire/experiments.ts';

const db = useTestSchema('experiment_api');
let app: HttpApp;
let api: string;
let world: ConsoleWorld;
const tokens: Record<'viewer' | 'editor', string> = { viewer: '', editor: '' };

beforeAll(async () => {
  world = await seedConsoleWorld(db().pool);
  for (const role of ['viewer', 'editor'] as const)
    tokens[role] = (await createServiceCredential(db().pool, { name: `ci-${role}`, role, createdBy: 'test' })).token;
  app = await createHttpApp();
  registerConsole(app, {
    pool: db().pool,
    now: () => new Date(),
    log: () => undefined,
    cacheDir: consoleCacheDir(readToolPaths().cacheDir),
    globalHoldoutPercent: 2,
  });
  api = await app.listen({ port: 0, host: '127.0.0.1' });
}, 180_000);

afterAll(async () => {
  await app?.close();
});

const call = (role: 'viewer' | 'editor', method: string, path: string, body?: unknown) =>
  fetch(`${api}${path}`, {
    method,
    headers: { authorization: `Bearer ${tokens[role]}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe('experiments API', () => {
  it('refuses viewers (403) on every experiment route', async () => {
    for (const [method, path] of [
      ['GET', '/api/admin/experiments'],
      ['POST', '/api/admin/experiments'],
      ['POST', '/api/admin/experiments/1/stop'],
      ['GET', '/api/admin/experiments/1/results'],
      ['GET', '/api/admin/experiments/global-holdout/results'],
    ]) {
      const res = await call('viewer', method, path, method === 'POST' ? {} : undefined);
      expect(res.status, `${method} ${path}`).toBe(403);
    }
  });

  it('creates, places clear of running experiments, refuses what does not fit, stops, and reads results', async () => {
    const bad = await call('editor', 'POST', '/api/admin/experiments', {
      name: 'x',
      arms: [
        { name: 'control', allocation: 10 },
        { name: 'v', allocation: 10, capPolicyVersion: 999 },
      ],
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as ErrorAnswer).errors).toEqual([
      { field: 'arms[1].capPolicyVersion', rule: 'must be a stored cap policy version' },
    ]);

    const version = (await activateCapPolicy(db().pool, { ...DEFAULT_CAP_POLICY, name: 'tight' }, 'test')).version;
    const first = await call('editor', 'POST', '/api/admin/experiments', {
      name: 'tight caps',
      arms: [
        { name: 'control', allocation: 30 },
        { name: 'tight', allocation: 30, capPolicyVersion: version },
      ],
    });
    expect(first.status).toBe(201);
    const one: ExperimentJson = await first.json();
    expect(one).toMatchObject({ trafficPercent: 60, createdBy: 'service:ci-editor', stoppedAt: null });
    expect(one.arms.map((a) => a.kind)).toEqual(['control', 'variant']);

    // 60% taken and 2% held out: 38% is left.
    const tooBig = await call('editor', 'POST', '/api/admin/experiments', {
      name: 'holdout',
      arms: [
        { name: 'control', allocation: 20 },
        { name: 'held', allocation: 20, holdout: true },
      ],
    });
    expect(tooBig.status).toBe(400);
    expect(((await tooBig.json()) as ErrorAnswer).errors).toEqual([
      { field: 'arms', rule: 'allocations must fit the 38% of fans no running experiment holds' },
    ]);

    // The console world's decided post, its fans split between the arms as if the worker had assigned them.
    await db().pool.query(
      `update decisions set experiment_id = $1::bigint, arm = case when fan_id % 2 = 0 then 'control' else 'tight' end
        where event_id = $2::bigint`,
      [one.id, world.eventId],
    );
    const { rows: fans } = await db().pool.query(
      `select arm, count(distinct fan_id)::int as n from decisions where experiment_id = $1::bigint group by arm
        order by arm`,
      [one.id],
    );
    // The decisions were made before the experiment began, so the range is given: by default it starts at the start.
    const results = await call('editor', 'GET', `/api/admin/experiments/${one.id}/results?from=2000-01-01`);
    expect(results.status).toBe(200);
    const r: ExperimentResultsAnswer = await results.json();
    expect(fans.length).toBe(2);
    expect(r.arms.map((a) => [a.arm, a.kind, a.fans])).toEqual([
      ['control', 'control', fans[0].n],
      ['tight', 'variant', fans[1].n],
    ]);
    // Decided, not delivered: no alert went out in either arm, and the interval says so exactly.
    expect(r.arms[1].metrics.alerts).toEqual({
      mean: 0,
      difference: { estimate: 0, low: 0, high: 0 },
      relative: { estimate: null, low: null, high: null },
    });
    const range = await call('editor', 'GET', `/api/admin/experiments/${one.id}/results?from=2026-05-02&to=2026-05-01`);
    expect(((await range.json()) as ErrorAnswer).errors).toEqual([{ field: 'from', rule: 'must be before to' }]);
    const badDate = await call('editor', 'GET', `/api/admin/experiments/${one.id}/results?from=yesterday`);
    expect(badDate.status).toBe(400);

    expect((await call('editor', 'POST', `/api/admin/experiments/${one.id}/stop`)).status).toBe(200);
    expect((await call('editor', 'POST', `/api/admin/experiments/${one.id}/stop`)).status).toBe(404);
    const list: ExperimentListAnswer = await (await call('editor', 'GET', '/api/admin/experiments')).json();
    expect(list.globalHoldoutPercent).toBe(2);
    expect(list.experiments[0]).toMatchObject({ id: one.id, stoppedBy: 'service:ci-editor' });
    // Its buckets are free again.
    expect(
      (
        await call('editor', 'POST', '/api/admin/experiments', {
          name: 'again',
          arms: [
            { name: 'control', allocation: 49 },
            { name: 'held', allocation: 49, holdout: true },
          ],
        })
      ).status,
    ).toBe(201);
  });
});
