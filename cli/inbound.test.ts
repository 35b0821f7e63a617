// Tests `fanfare inbound serve` and `report` as processes on a real PostgreSQL: mail taken over SMTP, then summed.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildUnsubscribeMail, sendRaw } from '../peers/mail-reports.ts';
import { useTestSchema } from '../testing/db.ts';
import { TEST_TRACKING_KEYS } from '../testing/deliveries.ts';
import { freePort } from '../testing/free-port.ts';
import { parseReportArgs } from './inbound.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'fanfare.js');
const DOMAIN = 'mail.fanfare.test';

describe('fanfare inbound', () => {
  const db = useTestSchema('inbound_cli');
  let server: ChildProcess | undefined;
  afterAll(() => {
    server?.kill('SIGKILL');
  });
  const env = (extra: Record<string, string> = {}) => ({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: db().connectionString,
    TRACKING_KEYS: TEST_TRACKING_KEYS.map((k) => `${k.kid}:${k.secret}`).join(','),
    INBOUND_DOMAINS: DOMAIN,
    ...extra,
  });

  it('parses its arguments and names a bad one', () => {
    expect(parseReportArgs([])).toEqual({ days: 7, kept: 0 });
    expect(parseReportArgs(['--days', '30', '--kept', '5'])).toEqual({ days: 30, kept: 5 });
    expect(() => parseReportArgs(['--days', '0'])).toThrow('--days: must be an integer from 1 to 366, got "0"');
  });

  it('serve takes mail until SIGTERM; report sums it per day and lists what was kept', async () => {
    const port = await freePort('127.0.0.1');
    server = spawn(process.execPath, [BIN, 'inbound', 'serve'], {
      env: env({ FANFARE_INBOUND_SMTP_ADDRESS: `127.0.0.1:${port}` }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let exit = '';
    server.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    server.once('exit', (code) => {
      exit = `exited ${code}`;
    });
    /** Waits for n lines of output, failing if the process exits first. */
    const lines = async (n: number) => {
      while (output.split('\n').length <= n) {
        if (exit) throw new Error(`${exit}: ${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await lines(1);
    expect(output).toContain(`fanfare inbound: taking mail for ${DOMAIN} on smtp://127.0.0.1:${port}`);
    const target = { host: '127.0.0.1', port };
    const note = `From: fan@x.example\r\nTo: help@${DOMAIN}\r\nSubject: Hello there\r\n\r\nA question.\r\n`;
    await sendRaw(target, { from: 'fan@x.example', to: [`help@${DOMAIN}`] }, note);
    const forged = `unsubscribe+t1.u1-1.aaaaaaaaaaaaaaaaaaaaaaaaaa@${DOMAIN}`;
    await sendRaw(target, { from: 'x@attacker.example', to: [forged] }, buildUnsubscribeMail('x@a.example', forged));
    await lines(3);
    expect(output).toContain('fanfare inbound: other kept fan=-');
    expect(output).toContain('fanfare inbound: unsubscribe unsigned fan=-');
    const exited = new Promise<number | null>((resolve) => server!.once('exit', resolve));
    server.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output.split('\n').filter((l) => l.includes(' kept ') || l.includes(' unsigned '))).toHaveLength(2);

    const report = spawnSync(process.execPath, [BIN, 'inbound', 'report', '--days', '2', '--kept', '5'], {
      env: env(),
      encoding: 'utf8',
    });
    expect(report.status).toBe(0);
    const [header, today] = report.stdout.split('\n');
    expect(header.split(/\s{2,}/)).toEqual([
      'day',
      'emails sent',
      'hard bounces',
      'soft bounces',
      'complaints',
      'complaint rate',
      'unsubscribes',
      'kept',
    ]);
    expect(today.split(/\s+/)).toEqual([new Date().toISOString().slice(0, 10), '0', '0', '0', '0', '-', '0', '2']);
    expect(report.stdout).toContain('Hello there');
    expect(report.stdout).toMatch(/unsubscribe\s+unsigned\s+x@attacker\.example/);
  });
});
