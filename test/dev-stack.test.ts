// The README's run command, in-process: `fanfare dev`'s stack comes up on a fresh database, and its printed example
// event ends in captured mail (saved as .eml, with RFC 8058 headers and a text part) and decrypted pushes.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevStack, startDevStack } from '../dev/run-dev.ts';
import { createTestSchema, type TestSchema } from '../testing/db.ts';
import { listHeaders } from '../testing/list-headers.ts';
import { scrape } from '../testing/prometheus-text.ts';
import { useTemporalDevServer } from '../testing/temporal.ts';

const temporal = useTemporalDevServer();
let db: TestSchema;
let stack: DevStack;

beforeAll(async () => {
  db = await createTestSchema('dev_stack', { migrate: false });
  stack = await startDevStack({
    fans: 1000,
    creators: 6,
    seed: 7,
    anyPorts: true,
    env: { DATABASE_URL: db.connectionString, TEMPORAL_ADDRESS: temporal().address },
    log: () => {},
  });
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  await db?.drop();
});

describe('fanfare dev', () => {
  it('comes up with a trained model and https message links', async () => {
    expect(stack.config.publicUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const models = await db.pool.query(`select count(*)::int as n from models where status = 'active'`);
    expect(models.rows[0].n).toBe(1);
    const health = await fetch(`${stack.apiUrl}/healthz`);
    expect(health.status).toBe(200);
  });

  it("serves the one process's metrics and the Temporal SDK's on loopback addresses of their own", async () => {
    const ours = await scrape(stack.metricsUrl!);
    expect(ours.families.map((f) => f.name)).toEqual(
      expect.arrayContaining(['fanfare_decisions_total', 'fanfare_deliveries_total', 'fanfare_due_decisions']),
    );
    const sdk = await scrape(stack.temporalMetricsUrl!);
    expect(sdk.families.some((f) => f.name.startsWith('temporal_'))).toBe(true);
    for (const url of [stack.metricsUrl!, stack.temporalMetricsUrl!]) expect(new URL(url).hostname).toBe('127.0.0.1');
    expect(new URL(stack.metricsUrl!).port).not.toBe(new URL(stack.apiUrl).port);
  });

  it('lets the printed first admin log in to the console', async () => {
    const { username, password } = stack.admin;
    const login = await fetch(`${stack.apiUrl}/console/login`, {
      method: 'POST',
      redirect: 'manual',
      body: new URLSearchParams({ username, password }),
    });
    expect(login.status).toBe(303);
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const me = await fetch(`${stack.apiUrl}/api/admin/session`, { headers: { cookie } });
    expect(await me.json()).toMatchObject({ kind: 'member', name: 'admin', role: 'admin' });
  });

  it('delivers the printed example by email and push; its .eml carries RFC 8058 headers and a text part', async () => {
    const before = { mails: stack.mails.length, pushes: stack.pushes.length };
    const deadline = new Date(Date.now() + 45 * 60_000).toISOString();
    const authorization = `Bearer ${stack.creatorKey}`;
    const res = await fetch(`${stack.apiUrl}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({
        creatorId: stack.exampleCreatorId,
        kind: 'post',
        title: 'Hello fans',
        url: 'https://example.com/p/1',
        audience: 'all',
        idempotencyKey: 'dev-stack-test',
        deadline,
      }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: number };

    let mail: DevStack['mails'][number] | undefined;
    for (let i = 0; i < 600 && !mail; i++) {
      mail = stack.mails.slice(before.mails).find((m) => m.parsed.subject?.endsWith('Hello fans'));
      if (!mail) await new Promise((r) => setTimeout(r, 100));
    }
    expect(mail, 'no example mail captured within 60 s').toBeDefined();
    for (let i = 0; i < 600 && !stack.pushes.slice(before.pushes).some((p) => p.payload.includes('Hello fans')); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const pushed = stack.pushes.slice(before.pushes).filter((p) => p.payload.includes('Hello fans'));
    expect(pushed.map((p) => (p.payloadJson as { url?: string }).url)).toContain('https://example.com/p/1');

    const eml = join(mkdtempSync(join(tmpdir(), 'fanfare-eml-')), 'example.eml');
    writeFileSync(eml, mail!.raw);
    const parsed = await simpleParser(readFileSync(eml));
    const list = listHeaders(parsed);
    expect(list.unsubscribe?.https.startsWith(`${stack.config.publicUrl}/u/`)).toBe(true);
    expect(list.unsubscribe?.mailto).toMatch(/^mailto:unsubscribe\+/);
    expect(list.post).toBe('List-Unsubscribe=One-Click');
    expect(list.listId).toMatch(/^List-Id: .+<.+>$/i);
    expect(parsed.text).toContain('https://');
    expect(parsed.messageId).toMatch(/^<.+@.+>$/);

    const progress = await (await fetch(`${stack.apiUrl}/api/events/${id}`, { headers: { authorization } })).json();
    expect(progress.progress.decisions.alert).toBeGreaterThan(0);
  }, 120_000);
});
