// The alert routes over HTTP on real PostgreSQL: the rules read, a refused edit, an audited edit by an editor only,
// the alerts and the latest relevance report.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMonitor } from '../activities/monitor.ts';
import { createAuth } from '../auth/auth.ts';
import { DEFAULT_AUTH_SETTINGS } from '../auth/settings.ts';
import { getActiveAlertRules } from '../db/alert-rules.ts';
import { createTeamGate } from '../http/admin-auth.ts';
import { registerAlertRoutes } from '../http/alert-routes.ts';
import { createHttpApp, type HttpApp } from '../http/app.ts';
import { DEFAULT_ALERT_RULES } from '../policy/alert-rules.ts';
import { useTestSchema } from '../testing/db.ts';
import { memberCookie } from '../testing/team.ts';
import type { AlertsAnswer } from '../wire/alerts.ts';
import type { ErrorAnswer } from '../wire/errors.ts';
import type { ActivePolicyAnswer, PolicyAuditAnswer, PolicyChange } from '../wire/policy.ts';

const db = useTestSchema('admin_alert_rules');
let app: HttpApp;
let api: string;
let editor: string;
let viewer: string;

beforeAll(async () => {
  app = await createHttpApp();
  registerAlertRoutes(app, {
    pool: db().pool,
    gate: createTeamGate(createAuth(db().pool, DEFAULT_AUTH_SETTINGS), undefined),
  });
  api = await app.listen({ port: 0, host: '127.0.0.1' });
  editor = await memberCookie(db().pool, 'eve', 'editor');
  viewer = await memberCookie(db().pool, 'vic', 'viewer');
});

afterAll(async () => {
  await app?.close();
});

async function call<T = unknown>(method: string, path: string, cookie: string | null, body?: unknown) {
  const res = await fetch(`${api}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as T };
}

describe('alert routes', () => {
  it('answer 401 without a login', async () => {
    for (const [method, path] of [
      ['GET', '/api/admin/alerts'],
      ['GET', '/api/admin/alert-rules'],
      ['PUT', '/api/admin/alert-rules'],
      ['GET', '/api/admin/alert-rules/audit'],
      ['GET', '/api/admin/relevance-report'],
    ])
      expect((await call(method, path, null, method === 'PUT' ? DEFAULT_ALERT_RULES : undefined)).status).toBe(401);
  });

  it('serve the default rules, refuse a bad edit naming the field, store an editor’s edit with an audit', async () => {
    const read = await call<ActivePolicyAnswer>('GET', '/api/admin/alert-rules', viewer);
    expect(read.json).toMatchObject({ version: null, source: 'default', document: DEFAULT_ALERT_RULES });

    const tighter = structuredClone(DEFAULT_ALERT_RULES);
    tighter.bounceSpike.maxRate = 0.01;
    expect((await call('PUT', '/api/admin/alert-rules', viewer, tighter)).status).toBe(403);
    const bad = await call<ErrorAnswer>('PUT', '/api/admin/alert-rules', editor, {
      ...tighter,
      deliveryFailure: { maxRate: 'high', minAttempts: 100 },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.errors).toEqual([{ field: 'deliveryFailure.maxRate', rule: 'must be a number from 0 to 1' }]);
    expect(await getActiveAlertRules(db().pool)).toBeNull();

    const set = await call<PolicyChange>('PUT', '/api/admin/alert-rules', editor, tighter);
    expect(set.status).toBe(201);
    expect(set.json).toMatchObject({ version: 1, changed: true, actor: 'member:eve' });
    // The same document again changes nothing; another value is a new version, its diff against the one before.
    expect((await call<PolicyChange>('PUT', '/api/admin/alert-rules', editor, tighter)).status).toBe(200);
    tighter.backlogAge.maxSeconds = 120;
    const next = await call<PolicyChange>('PUT', '/api/admin/alert-rules', editor, tighter);
    expect(next.json).toMatchObject({ version: 2, changed: true });
    expect(next.json.diff).toEqual([{ path: 'backlogAge.maxSeconds', op: 'change', from: 300, to: 120 }]);
    const audit = await call<PolicyAuditAnswer>('GET', '/api/admin/alert-rules/audit', viewer);
    expect(audit.json.entries.map((e) => [e.version, e.actor])).toEqual([
      [2, 'member:eve'],
      [1, 'member:eve'],
    ]);
    expect((await call<ActivePolicyAnswer>('GET', '/api/admin/alert-rules', viewer)).json).toMatchObject({
      version: 2,
      source: 'stored',
      createdBy: 'member:eve',
    });
  });

  it('list open alerts and answer the latest report once the monitor has run', async () => {
    expect((await call<ErrorAnswer>('GET', '/api/admin/relevance-report', viewer)).status).toBe(404);
    await runMonitor({ pool: db().pool }, { asOfMs: Date.parse('2026-03-01T04:00:00Z') });
    const report = await call<{ asOf: string; report: { findings: unknown[] } }>(
      'GET',
      '/api/admin/relevance-report',
      viewer,
    );
    expect(report.status).toBe(200);
    expect(report.json.asOf).toBe('2026-03-01T04:00:00.000Z');
    expect(report.json.report.findings).toHaveLength(6);
    const alerts = await call<AlertsAnswer>('GET', '/api/admin/alerts', viewer);
    expect(alerts.json).toEqual({ open: [], recent: [] });
  });
});
