// Tests cap policy storage on a real PostgreSQL: activation, the audit trail with its diff, and concurrent edits.
import { describe, expect, it } from 'vitest';
import { type CapPolicy, DEFAULT_CAP_POLICY } from '../policy/cap-policy.ts';
import { useTestSchema } from '../testing/db.ts';
import { activateCapPolicy, getActiveCapPolicy, listCapPolicyAudit } from './cap-policies.ts';

describe('cap policies', () => {
  const db = useTestSchema('cap_policies');

  it('starts with none, then activates versions and audits each with its diff', async () => {
    const pool = db().pool;
    expect(await getActiveCapPolicy(pool)).toBeNull();
    const first = await activateCapPolicy(pool, DEFAULT_CAP_POLICY, 'ana');
    expect(first).toMatchObject({ changed: true, diff: [{ path: '(document)', op: 'change', from: null }] });
    expect(await getActiveCapPolicy(pool)).toMatchObject({
      version: first.version,
      document: DEFAULT_CAP_POLICY,
      active: true,
      createdBy: 'ana',
    });

    const looser: CapPolicy = {
      ...DEFAULT_CAP_POLICY,
      rules: DEFAULT_CAP_POLICY.rules.map((r) => (r.name === 'push_per_day' ? { ...r, limit: 4 } : r)),
    };
    const second = await activateCapPolicy(pool, looser, 'ben');
    expect(second.version).toBeGreaterThan(first.version);
    expect(second.diff).toEqual([{ path: 'rules[push_per_day].limit', op: 'change', from: 3, to: 4 }]);
    expect((await getActiveCapPolicy(pool))!.document).toEqual(looser);

    // The same document again changes nothing.
    expect(await activateCapPolicy(pool, looser, 'ben')).toEqual({ version: second.version, changed: false, diff: [] });

    const audit = await listCapPolicyAudit(pool);
    expect(audit.map((a) => [a.version, a.actor, a.action])).toEqual([
      [second.version, 'ben', 'activate'],
      [first.version, 'ana', 'activate'],
    ]);
    expect(audit[0].diff).toEqual(second.diff);
    expect(audit[0].at).toBeInstanceOf(Date);
  });

  it('serializes concurrent edits: one active version, every version audited against the one it replaced', async () => {
    const pool = db().pool;
    await activateCapPolicy(pool, DEFAULT_CAP_POLICY, 'setup');
    const edits = [1, 2, 3, 4, 5, 6].map((n) => ({ ...DEFAULT_CAP_POLICY, name: `edit_${n}` }));
    const results = await Promise.all(edits.map((doc, i) => activateCapPolicy(pool, doc, `editor_${i}`)));
    const active = await pool.query(`select version, document->>'name' as name from cap_policies where active`);
    expect(active.rows).toHaveLength(1);
    const last = Math.max(...results.map((r) => r.version));
    expect(active.rows[0].version).toBe(last);
    const audit = (await listCapPolicyAudit(pool))
      .filter((a) => results.some((r) => r.version === a.version))
      .reverse();
    // Each audited change names the previous version's name as `from`: no edit was diffed against a stale version.
    const names = await pool.query(`select version, document->>'name' as name from cap_policies order by version`);
    const nameOf = new Map(names.rows.map((r) => [r.version, r.name]));
    for (const a of audit) {
      const prev = names.rows.filter((r) => r.version < a.version).at(-1);
      expect(a.diff).toEqual([{ path: 'name', op: 'change', from: prev.name, to: nameOf.get(a.version) }]);
    }
  });

  it('rejects an empty actor and keeps the active version', async () => {
    const pool = db().pool;
    const before = await getActiveCapPolicy(pool);
    await expect(activateCapPolicy(pool, { ...DEFAULT_CAP_POLICY, name: 'nobody' }, ' ')).rejects.toThrow(
      'activateCapPolicy: actor must name who made the change',
    );
    expect(await getActiveCapPolicy(pool)).toEqual(before);
  });
});
