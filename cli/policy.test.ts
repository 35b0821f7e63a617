// Tests `fanfare policy` end to end on a real PostgreSQL: an invalid document is rejected and the active policy stays.
import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getActiveCapPolicy } from '../db/cap-policies.ts';
import { type CapRule, DEFAULT_CAP_POLICY } from '../policy/cap-policy.ts';
import { useTestSchema } from '../testing/db.ts';
import { command, parseSetArgs, parseShowArgs, parseValidateArgs } from './policy.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'fanfare.js');

describe('fanfare policy', () => {
  const db = useTestSchema('policy_cli');
  const fanfare = (args: string[]) =>
    spawnSync(process.execPath, [BIN, 'policy', ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: db().connectionString },
      encoding: 'utf8',
    });

  it('parses its arguments and names a bad one', async () => {
    expect(parseShowArgs([])).toEqual({ builtIn: false });
    expect(parseShowArgs(['--default'])).toEqual({ builtIn: true });
    expect(parseSetArgs(['p.json'], 'me')).toEqual({ file: 'p.json', actor: 'me' });
    expect(parseSetArgs(['p.json', '--actor', 'ana'], 'me')).toEqual({ file: 'p.json', actor: 'ana' });
    expect(parseValidateArgs(['p.json'])).toEqual({ file: 'p.json' });
    expect(() => parseSetArgs([], 'me')).toThrow('needs FILE');
    const missing = fanfare(['set']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^fanfare policy: needs FILE\n\nusage: fanfare policy set FILE \[--actor NAME\]\n/);
    expect(() => parseSetArgs(['p.json', '--actor', ' '], 'me')).toThrow('--actor: needs a value');
    expect(() => parseShowArgs(['--default', 'x'])).toThrow('unexpected argument "x"');
    await expect(command.run(['drop'])).rejects.toThrow(/unknown subcommand "drop"/);
  });

  it('sets a valid policy, rejects an invalid one keeping the active one, and shows and audits', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fanfare-policy-'));
    const good = join(dir, 'good.json');
    const bad = join(dir, 'bad.json');
    const broken = join(dir, 'broken.json');
    await writeFile(good, JSON.stringify(DEFAULT_CAP_POLICY));
    const badDoc = structuredClone(DEFAULT_CAP_POLICY);
    (badDoc.rules[2] as CapRule).window = 'twelve hours';
    badDoc.digest.topK = 0;
    await writeFile(bad, JSON.stringify(badDoc));
    await writeFile(broken, '{ "schema": 1,');

    expect(fanfare(['show'])).toMatchObject({ status: 1, stderr: expect.stringContaining('no cap policy stored yet') });
    expect(JSON.parse(fanfare(['show', '--default']).stdout)).toEqual(DEFAULT_CAP_POLICY);

    expect(fanfare(['validate', good])).toMatchObject({ status: 0, stdout: `${good}: valid cap policy "default"\n` });
    const invalid = fanfare(['validate', bad]);
    expect(invalid.status).toBe(1);
    expect(invalid.stderr).toContain(
      'rules[2].window: must be a duration such as "24h"\ndigest.topK: must be an integer from 1 to 50',
    );
    expect(fanfare(['validate', broken]).stderr).toMatch(/\(document\): must be JSON \(/);

    const set = fanfare(['set', good, '--actor', 'ana']);
    expect(set.status).toBe(0);
    expect(set.stdout).toMatch(/^cap policy version \d+ is active \(by ana\)/);
    const active = await getActiveCapPolicy(db().pool);

    const rejected = fanfare(['set', bad, '--actor', 'ben']);
    expect(rejected.status).toBe(1);
    expect(rejected.stderr).toContain(
      'invalid cap policy, not stored; the active policy stays in force\n' +
        'rules[2].window: must be a duration such as "24h"',
    );
    expect(await getActiveCapPolicy(db().pool)).toEqual(active);

    const shown = fanfare(['show']);
    expect(JSON.parse(shown.stdout)).toEqual(DEFAULT_CAP_POLICY);
    expect(shown.stderr).toMatch(/^version \d+, by ana at /);

    const changed = structuredClone(DEFAULT_CAP_POLICY);
    changed.quietHours = { start: 21, end: 8 };
    await writeFile(good, JSON.stringify(changed));
    expect(fanfare(['set', good, '--actor', 'cy']).stdout).toContain('quietHours.start: 22 → 21');
    const audit = fanfare(['audit']);
    expect(audit.stdout).toMatch(/version \d+ {2}activate by cy\n {4}quietHours.start: 22 → 21\n.*activate by ana/);
  });
});
