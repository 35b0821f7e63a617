// Tests `fanfare monitor` end to end on a real PostgreSQL and the SMTP capture: rules set and audited, a run on demand.
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getActiveAlertRules } from '../db/alert-rules.ts';
import { type SmtpCapture, startSmtpCapture } from '../peers/smtp-capture.ts';
import { DEFAULT_ALERT_RULES } from '../policy/alert-rules.ts';
import { useTestSchema } from '../testing/db.ts';
import { parseRunArgs } from './monitor.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'fanfare.js');
const db = useTestSchema('monitor_cli');
let smtp: SmtpCapture;

beforeAll(async () => {
  smtp = await startSmtpCapture();
});
afterAll(async () => {
  await smtp?.stop();
});

/** Runs the command (asynchronously: the SMTP capture answers in this process). */
function fanfare(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'monitor', ...args], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: db().connectionString,
      SMTP_HOST: smtp.host,
      SMTP_PORT: String(smtp.port),
      FANFARE_ALERT_EMAIL: 'ops@fanfare.test',
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

describe('fanfare monitor', () => {
  it('parses its arguments and names a bad one', async () => {
    expect(parseRunArgs([])).toEqual({ asOfMs: undefined, drift: undefined, json: false });
    expect(parseRunArgs(['--as-of', '2026-03-01T04:00:00Z', '--no-drift'])).toEqual({
      asOfMs: Date.parse('2026-03-01T04:00:00Z'),
      drift: false,
      json: false,
    });
    expect(() => parseRunArgs(['--as-of', 'yesterday'])).toThrow(/--as-of: must be an ISO 8601 time/);
    const bad = await fanfare(['run', '--as-of', 'soon']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^fanfare monitor: --as-of: must be an ISO 8601 time/);
  });

  it('sets valid rules (refusing invalid ones), runs on demand and raises an alert by email', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fanfare-monitor-'));
    const bad = join(dir, 'bad.json');
    const good = join(dir, 'good.json');
    await writeFile(bad, JSON.stringify({ ...DEFAULT_ALERT_RULES, backlogAge: { maxSeconds: -1 } }));
    const tight = structuredClone(DEFAULT_ALERT_RULES);
    tight.backlogAge.maxSeconds = 60;
    await writeFile(good, JSON.stringify(tight));

    const refused = await fanfare(['rules', 'set', bad]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('backlogAge.maxSeconds: must be an integer from 1 to 604800');
    expect(await getActiveAlertRules(db().pool)).toBeNull();
    const set = await fanfare(['rules', 'set', good, '--actor', 'ana']);
    expect(set.status).toBe(0);
    expect(set.stdout).toMatch(/^alert rules version 1 are in force \(by ana\)/);
    expect((await fanfare(['rules', 'audit'])).stdout).toMatch(/version 1 {2}activate by ana/);

    // An alert decision due 10 minutes before the run, never delivered: the backlog is 600 s old, past the 60 s rule.
    const { pool } = db();
    const asOf = Date.parse('2026-03-01T04:00:00Z');
    await pool.query(`insert into creators (handle, display_name) values ('c', 'C')`);
    await pool.query(`insert into fans (email) values ('f@fans.test')`);
    await pool.query(
      `insert into creator_events (creator_id, kind, title, url, audience, idempotency_key)
       select id, 'post', 'T', 'https://c.test/', 'all', 'k' from creators`,
    );
    await pool.query(
      `insert into decisions (event_id, fan_id, channel, action, send_at, policy, reason)
       select e.id, f.id, 'email', 'alert', $1::timestamptz, 'test', 'alert_best_hour' from creator_events e, fans f`,
      [new Date(asOf - 600_000)],
    );
    const ran = await fanfare(['run', '--as-of', '2026-03-01T04:00:00Z']);
    expect(ran.status).toBe(0);
    expect(ran.stderr).toBe('monitor: alert raised: backlog: the oldest due alert has waited 600 s (more than 60 s)\n');
    expect(ran.stdout).toMatch(/^relevance report \d+ as of 2026-03-01T04:00:00.000Z \(model none\)/);
    expect(ran.stdout).toContain('firing  backlog: the oldest due alert has waited 600 s (more than 60 s)');
    expect(ran.stdout).toContain('alerts: 1 raised, 0 cleared, 1 open; 1 emailed to ops@fanfare.test');
    const [mail] = await smtp.waitFor(1, 10_000);
    expect(mail.parsed.subject).toBe('[Fanfare alert] backlog: the oldest due alert has waited 600 s (more than 60 s)');
    const listed = await fanfare(['alerts']);
    expect(listed.stdout).toMatch(
      /^id +rule +raised +cleared +message\n\d+ +backlogAge +2026-03-01T04:00:00Z +- +backlog/,
    );
  }, 180_000);
});
