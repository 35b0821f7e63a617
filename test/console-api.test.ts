// The console's HTTP surface on real PostgreSQL: 401 without a login, login and session cookie, the read APIs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig, readToolPaths } from '../app/config.ts';
import { createAuth } from '../auth/auth.ts';
import { createHttpApp, type HttpApp, routeTable } from '../http/app.ts';
import { registerConsole } from '../http/console.ts';
import { featureImportance } from '../http/console-routes.ts';
import { consoleCacheDir } from '../http/console-static.ts';
import { type ConsoleWorld, seedConsoleWorld } from '../testing/console-world.ts';
import { useTestSchema } from '../testing/db.ts';
import { addTestMember, TEST_PASSWORD } from '../testing/team.ts';
import type { ErrorAnswer } from '../wire/errors.ts';
import type { EventReport } from '../wire/events.ts';
import type { DecisionCurve, FanAnswer, FanSearchAnswer } from '../wire/fans.ts';
import type { ModelDetail, ModelListAnswer } from '../wire/models.ts';
import type { OverviewAnswer } from '../wire/overview.ts';

const TOKEN = 'console-api-token-0123456789abcdef';
const db = useTestSchema('console_api');
let app: HttpApp;
let api: string;
let world: ConsoleWorld;

beforeAll(async () => {
  world = await seedConsoleWorld(db().pool);
  app = await createHttpApp();
  registerConsole(app, {
    pool: db().pool,
    // The first test walks every route with a wrong bearer token from this one address, past the default lockout.
    auth: createAuth(db().pool, readConfig({ TOKEN_FAILURES_PER_ADDRESS: '1000' }).auth),
    adminToken: TOKEN,
    now: () => new Date(),
    log: () => undefined,
    cacheDir: consoleCacheDir(readToolPaths().cacheDir),
  });
  api = await app.listen({ port: 0, host: '127.0.0.1' });
}, 180_000);

afterAll(async () => {
  await app?.close();
});

/** The routes anyone may call: the login form's POST, logout, and the bare /console redirect. */
const OPEN = new Set(['POST /console/login', 'POST /console/logout', 'GET /console']);

async function login(username = 'mia', password = TEST_PASSWORD): Promise<Response> {
  return fetch(`${api}/console/login`, {
    method: 'POST',
    redirect: 'manual',
    body: new URLSearchParams({ username, password }),
  });
}

describe('console API', () => {
  it('answers 401 on every console and admin route without a login, whatever else the request carries', async () => {
    const routes = routeTable(app).filter((r) => !OPEN.has(`${r.method} ${r.path}`));
    expect(routes.length).toBeGreaterThanOrEqual(17);
    for (const { method, path } of routes) {
      expect(path.startsWith('/api/admin/') || path.startsWith('/console/'), path).toBe(true);
      const url = `${api}${path.replace(/:[a-zA-Z]+/g, '1')}`;
      for (const headers of [{}, { cookie: 'fanfare_session=forged' }, { authorization: 'Bearer wrong' }] as Record<
        string,
        string
      >[]) {
        const res = await fetch(url, {
          method,
          headers: { 'content-type': 'application/json', ...headers },
          body: method === 'GET' ? undefined : '{}',
        });
        expect(res.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(401);
      }
    }
  });

  it('logs in with a username and password through the form, refuses a wrong one alike, and logs out', async () => {
    await addTestMember(db().pool, 'mia', 'editor');
    const wrong = await login('mia', 'not the password');
    expect(wrong.status).toBe(401);
    const wrongPage = await wrong.text();
    expect(wrongPage).toContain('<code>password</code>: the username or the password is wrong');
    // An unknown username gets the same page, so the form tells nobody which names exist.
    const unknown = await login('nobody', TEST_PASSWORD);
    expect(unknown.status).toBe(401);
    expect(await unknown.text()).toBe(wrongPage.replace('value="mia"', 'value="nobody"'));
    const noName = await login('', TEST_PASSWORD);
    expect(noName.status).toBe(400);
    expect(await noName.text()).toContain('<code>username</code>: must be given');

    const ok = await login();
    expect(ok.status).toBe(303);
    const cookie = ok.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^fanfare_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=(43199|43200)$/);
    const session = cookie.split(';')[0];
    const me = await fetch(`${api}/api/admin/session`, { headers: { cookie: session } });
    expect(await me.json()).toEqual({
      kind: 'member',
      name: 'mia',
      role: 'editor',
      actor: 'member:mia',
      actions: ['console.read', 'policy.try', 'policy.change', 'model.promote', 'experiment.manage'],
    });
    const page = await fetch(`${api}/console/`, { headers: { cookie: session } });
    expect(page.status).toBe(200);
    const html = await page.text();
    const asset = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)![1];
    expect((await fetch(`${api}${asset}`, { headers: { cookie: session } })).status).toBe(200);
    expect((await fetch(`${api}${asset}`)).status).toBe(401);

    // A change made with the cookie from another site's page is refused.
    const foreign = await fetch(`${api}/api/admin/models/rollback`, {
      method: 'POST',
      headers: { cookie: session, origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);

    const out = await fetch(`${api}/console/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: session },
    });
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
    expect((await fetch(`${api}/api/admin/session`, { headers: { cookie: session } })).status).toBe(401);
  });

  it('serves the overview, fan, model and event reads from the recorded decisions', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    /** T is the answer's type from wire/ that the test expects of this route. */
    const get = async <T = unknown>(path: string) => {
      const res = await fetch(`${api}${path}`, { headers: auth });
      return { status: res.status, json: (await res.json()) as T };
    };
    const overview = await get<OverviewAnswer>('/api/admin/overview?days=14');
    expect(overview.json.series.reduce((s, r) => s + r.sends, 0)).toBeGreaterThan(1000);
    expect(overview.json.series.reduce((s, r) => s + r.opened, 0)).toBeGreaterThan(0);
    expect((await get<ErrorAnswer>('/api/admin/overview?days=0')).json.errors).toEqual([
      { field: 'days', rule: 'must be an integer from 1 to 92' },
    ]);
    const today = new Date().toISOString().slice(0, 10);
    const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10);
    const ranged = (await get<OverviewAnswer>(`/api/admin/overview?from=${tenDaysAgo}&to=${today}&days=1`)).json;
    expect([ranged.period.from, ranged.period.to, ranged.period.timeZone]).toEqual([tenDaysAgo, today, 'UTC']);
    expect([ranged.period.days.length, ranged.period.partialDay]).toEqual([11, today]);
    const period = (await get<OverviewAnswer>('/api/admin/overview?days=3&tz=America/New_York')).json;
    expect(period.period.days).toHaveLength(3);
    expect(period.previous.days).toHaveLength(3);
    expect(period.previous.to < period.period.from).toBe(true);
    expect(period.period.start).toMatch(/T0[45]:00:00\.000Z$/);
    expect(period.headline.current.sends).toBe(period.series.reduce((s, r) => s + r.sends, 0));
    for (const [query, field, rule] of [
      ['from=2025-02-30&to=2025-03-01', 'from', 'must be a date, YYYY-MM-DD'],
      ['from=2025-03-02&to=2025-03-01', 'to', 'must be on or after from'],
      ['from=2024-01-01&to=2024-12-31', 'to', 'must be at most 92 days after from'],
      ['from=2025-03-01', 'to', 'must be given with the other end (from and to)'],
      ['days=7&tz=Mars/Olympus', 'tz', 'must be an IANA time zone such as UTC or Europe/Berlin'],
      ['from=2999-01-01&to=2999-01-02', 'to', `must not be after today (${today} in UTC)`],
    ])
      expect((await get<ErrorAnswer>(`/api/admin/overview?${query}`)).json.errors, query).toEqual([{ field, rule }]);

    expect((await get<FanSearchAnswer>(`/api/admin/fans?q=${encodeURIComponent(world.fan.email)}`)).json.fans).toEqual([
      expect.objectContaining({ id: world.fan.id }),
    ]);
    const fan = await get<FanAnswer>(`/api/admin/fans/${world.fan.id}`);
    const decided = fan.json.candidates.find((c) => c.eventId === world.eventId && c.action === 'alert')!;
    expect(decided).toMatchObject({ modelVersion: world.modelVersion, reason: expect.stringMatching(/^alert_/) });
    // Computed on asking from the decision's stored feature row; the row itself stays in the database.
    expect(decided.contributions).toHaveLength(5);
    expect(decided).not.toHaveProperty('features');
    expect(
      fan.json.candidates.some((c) => c.delivery?.status === 'sent' && c.engagement.some((g) => g.kind === 'open')),
    ).toBe(true);
    expect((await get('/api/admin/fans/999999')).status).toBe(404);

    const curve = await get<DecisionCurve>(`/api/admin/decisions/${decided.decisionId}/curve`);
    expect(curve.json.curveModelVersion).toBe(world.modelVersion);
    expect(curve.json.points.length).toBeGreaterThan(24);
    // The chosen send time is one of the curve's hours, with the score the decision recorded.
    const chosen = curve.json.points.find((p) => p.at === decided.sendAt)!;
    expect(chosen.score).toBeCloseTo(decided.score!, 9);

    const models = await get<ModelListAnswer>('/api/admin/models');
    expect(models.json.models[0]).toMatchObject({ version: world.modelVersion, status: 'active' });
    // The only model ever active: nothing to roll back to. Training noted its window and split sizes.
    expect(models.json.rollbackTo).toBeNull();
    const { window, rows } = models.json.models[0];
    expect(Date.parse(window!.trainFrom)).toBeLessThan(Date.parse(window!.holdoutFrom));
    expect(Date.parse(window!.holdoutFrom)).toBeLessThan(Date.parse(window!.holdoutTo));
    expect(rows!.holdout).toBeGreaterThan(0);
    expect(rows!.train).toBeGreaterThan(rows!.holdout);
    const model = await get<ModelDetail>(`/api/admin/models/${world.modelVersion}`);
    expect(model.json.metrics.reliability.length).toBeGreaterThan(0);
    expect(model.json.oracleMetrics!.liftByDecile).toHaveLength(10);
    expect(model.json.featureImportance[0].splits).toBeGreaterThan(0);

    const report = await get<EventReport>(`/api/admin/events/${world.eventId}/report`);
    expect(report.json.reach.reduce((s, r) => s + r.decisions, 0)).toBeGreaterThan(0);
    expect(report.json.schedule.reduce((s, r) => s + r.scheduled, 0)).toBe(
      report.json.reach.reduce((s, r) => s + r.alerts, 0),
    );
    // Reach per channel and the schedule's hours are those of the event's decisions, counted here apart.
    const { rows: byChannel } = await db().pool.query(
      `select channel, count(*)::int as decisions, count(*) filter (where action = 'alert')::int as alerts,
              count(*) filter (where action = 'digest')::int as digests,
              count(*) filter (where action = 'suppress')::int as suppressed
         from decisions where event_id = $1::bigint group by channel order by channel`,
      [world.eventId],
    );
    expect(
      report.json.reach.map(({ channel, decisions, alerts, digests, suppressed }) => ({
        channel,
        decisions,
        alerts,
        digests,
        suppressed,
      })),
    ).toEqual(byChannel);
    const { rows: hours } = await db().pool.query(
      `select count(distinct date_trunc('hour', send_at))::int as n from decisions
        where event_id = $1::bigint and action = 'alert'`,
      [world.eventId],
    );
    expect(report.json.schedule.map((h) => h.hour)).toEqual([...report.json.schedule.map((h) => h.hour)].sort());
    expect(report.json.schedule).toHaveLength(hours[0].n);
  });

  it('reads feature importance from a model text', () => {
    expect(
      featureImportance('tree\nend of trees\n\nfeature_importances:\nopen_rate=12\nhour=3\n\nparameters:\n[x: 1]\n'),
    ).toEqual([
      { feature: 'open_rate', splits: 12 },
      { feature: 'hour', splits: 3 },
    ]);
  });
});
