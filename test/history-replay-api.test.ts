// POST /api/admin/simulate-history on a real schema with a simulated world's logged history: the sample read from
// PostgreSQL, the policies replayed on a worker thread, figures with intervals, and each bad field named.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth } from '../auth/auth.ts';
import { DEFAULT_AUTH_SETTINGS } from '../auth/settings.ts';
import { DAY_MS } from '../domain/time.ts';
import { createTeamGate } from '../http/admin-auth.ts';
import { registerAdminRoutes } from '../http/admin-routes.ts';
import { createHttpApp, type HttpApp } from '../http/app.ts';
import { type CapPolicy, DEFAULT_CAP_POLICY } from '../policy/cap-policy.ts';
import { createReplayThreads } from '../replay/threads.ts';
import { writeHistory } from '../simulator/history.ts';
import { seedWorld } from '../simulator/seed.ts';
import { parseWorldSpec } from '../simulator/spec.ts';
import { generateWorld } from '../simulator/world.ts';
import { useTestSchema } from '../testing/db.ts';
import type { ErrorAnswer } from '../wire/errors.ts';
import type { HistoryReplayAnswer } from '../wire/replay.ts';

const TOKEN = 'test-admin-token-history-0123456789';
const db = useTestSchema('history_replay_api');
const threads = createReplayThreads({ maxRunning: 1 });
let app: HttpApp;
let api: string;
const now = new Date();

beforeAll(async () => {
  const spec = parseWorldSpec({
    seed: 11,
    start: new Date(now.getTime() - 8 * DAY_MS).toISOString(),
    fans: { count: 300 },
    creators: { count: 6 },
  });
  const world = generateWorld(spec);
  const ids = await seedWorld(db().pool, world);
  await writeHistory(db().pool, world, ids, { fromMs: world.startMs, toMs: now.getTime() - 3_600_000 });
  app = await createHttpApp();
  const gate = createTeamGate(createAuth(db().pool, DEFAULT_AUTH_SETTINGS), TOKEN);
  registerAdminRoutes(app, { pool: db().pool, gate, simulateHistory: threads.runHistory, now: () => now });
  api = await app.listen({ port: 0, host: '127.0.0.1' });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await threads.close();
});

async function replay<T = HistoryReplayAnswer>(body: unknown) {
  const res = await fetch(`${api}/api/admin/simulate-history`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as T };
}

/** Every alert clears its threshold, so the caps alone decide: push and email capped at `limit` a day each. */
function capsOnly(name: string, limit: number): CapPolicy {
  const low = { push: 0.001, email: 0.001 };
  return {
    ...DEFAULT_CAP_POLICY,
    name,
    quietHours: null,
    kinds: {
      live: { ...DEFAULT_CAP_POLICY.kinds.live, alertThreshold: low },
      announcement: { ...DEFAULT_CAP_POLICY.kinds.announcement, alertThreshold: low },
      post: { ...DEFAULT_CAP_POLICY.kinds.post, alertThreshold: low },
    },
    rules: [
      { type: 'cap', name: 'push_per_day', channel: 'push', limit, window: '24h' },
      { type: 'cap', name: 'email_per_day', channel: 'email', limit, window: '24h' },
    ],
    segments: [],
    digest: { ...DEFAULT_CAP_POLICY.digest, minScore: 0.001 },
    valueAware: false,
  };
}

const within = (e: { value: number; low: number; high: number }) => {
  expect(e.low).toBeLessThanOrEqual(e.value + 1e-12);
  expect(e.high).toBeGreaterThanOrEqual(e.value - 1e-12);
};

describe('POST /api/admin/simulate-history', () => {
  it('replays every logged candidate of the sampled fans under both policies, with 95% intervals', async () => {
    const days = 7;
    const from = new Date(now.getTime() - days * DAY_MS);
    const logged = await db().pool.query(
      `select count(*)::int as candidates, count(distinct fan_id)::int as fans from decisions
        where decided_at >= $1 and decided_at < $2`,
      [from, now],
    );
    expect(logged.rows[0].fans).toBeGreaterThan(50);
    const loose = await replay({ policy: capsOnly('loose', 1000), days, fans: 1000 });
    expect(loose.status, JSON.stringify(loose.json)).toBe(200);
    expect(loose.json).toMatchObject({
      days,
      fans: logged.rows[0].fans,
      candidates: logged.rows[0].candidates,
      resamples: 200,
      current: { name: 'default', version: null },
      proposed: { name: 'loose' },
    });
    // With a cap never reached, every logged candidate is an alert now: as many as the log holds, per fan per day.
    const perFanPerDay = logged.rows[0].candidates / logged.rows[0].fans / days;
    const f = loose.json.proposed.figures;
    expect(f.emailAlerts.value + f.pushAlerts.value).toBeCloseTo(perFanPerDay, 10);
    for (const figures of [f, loose.json.current.figures, loose.json.difference])
      for (const e of Object.values(figures)) within(e);
    expect(f.pushAlerts.high - f.pushAlerts.low).toBeGreaterThan(0);

    const tight = await replay({ policy: capsOnly('tight', 1), days, fans: 1000 });
    expect(tight.status).toBe(200);
    const t = tight.json.proposed.figures;
    // A rolling day's cap of one allows at most days + 1 alerts per channel over the period.
    expect(t.pushAlerts.value).toBeLessThanOrEqual((days + 1) / days);
    expect(t.emailAlerts.value).toBeLessThanOrEqual((days + 1) / days);
    expect(t.pushAlerts.value).toBeLessThan(f.pushAlerts.value);
    expect(t.digests.value).toBeGreaterThan(0);
    // The same active policy on the same sample and seed: the same figures.
    expect(tight.json.current).toEqual(loose.json.current);
  }, 120_000);

  it('samples the number of fans asked, the same ones for the same seed', async () => {
    const a = await replay({ policy: DEFAULT_CAP_POLICY, days: 3, fans: 50, seed: 9 });
    const b = await replay({ policy: DEFAULT_CAP_POLICY, days: 3, fans: 50, seed: 9 });
    expect(a.status).toBe(200);
    expect(a.json.fans).toBe(50);
    expect(b.json).toEqual(a.json);
    // The same document as the one in force: no difference, fan by fan.
    for (const e of Object.values(a.json.difference)) expect(e).toEqual({ value: 0, low: 0, high: 0 });
  }, 60_000);

  it('names each bad field and its rule', async () => {
    const r = await replay<ErrorAnswer>({
      policy: { ...DEFAULT_CAP_POLICY, name: 'Bad Name' },
      days: 29,
      fans: 10,
      x: 1,
    });
    expect(r.status).toBe(400);
    expect(r.json.errors).toEqual(
      expect.arrayContaining([
        { field: 'x', rule: 'is not a known field' },
        { field: 'policy.name', rule: expect.stringContaining('lowercase') },
        { field: 'days', rule: 'must be an integer from 1 to 28' },
        { field: 'fans', rule: 'must be an integer from 50 to 1000' },
      ]),
    );
  });
});
