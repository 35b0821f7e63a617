// The policy loader on real PostgreSQL: the default until a version is stored, then each new version on the next call.
import { describe, expect, it } from 'vitest';
import { activateCapPolicy } from '../db/cap-policies.ts';
import { DEFAULT_CAP_POLICY } from '../policy/cap-policy.ts';
import { useTestSchema } from '../testing/db.ts';
import { createPolicyLoader } from './policy-loader.ts';

describe('createPolicyLoader', () => {
  const db = useTestSchema('policy_loader');

  it('serves the default, then each activated version without a restart', async () => {
    const loader = createPolicyLoader(db().pool);
    expect(await loader.current()).toEqual({ version: null, policy: DEFAULT_CAP_POLICY });
    const first = await activateCapPolicy(db().pool, { ...DEFAULT_CAP_POLICY, name: 'first' }, 'ana');
    expect(await loader.current()).toMatchObject({ version: first.version, policy: { name: 'first' } });
    const second = await activateCapPolicy(db().pool, { ...DEFAULT_CAP_POLICY, name: 'second' }, 'ben');
    expect(await loader.current()).toMatchObject({ version: second.version, policy: { name: 'second' } });
  });

  it('loads a stored version an arm names, active or not, and refuses one that does not exist', async () => {
    const loader = createPolicyLoader(db().pool);
    const old = await activateCapPolicy(db().pool, { ...DEFAULT_CAP_POLICY, name: 'for_the_arm' }, 'ana');
    await activateCapPolicy(db().pool, { ...DEFAULT_CAP_POLICY, name: 'in_force' }, 'ben');
    const pinned = await loader.version(old.version);
    expect(pinned).toMatchObject({ version: old.version, policy: { name: 'for_the_arm' } });
    expect(await loader.current()).toMatchObject({ policy: { name: 'in_force' } });
    await expect(loader.version(9999)).rejects.toThrow(/cap policy version 9999 does not exist/);
  });

  it('refuses a stored document that is not a valid policy', async () => {
    await db().pool.query(
      `update cap_policies set document = jsonb_set(document, '{valueAware}', '"yes"') where active`,
    );
    // The version did not change, so the cached document stays; a new loader reads the broken row.
    await expect(createPolicyLoader(db().pool).current()).rejects.toThrow(
      /is invalid and cannot be used:\nvalueAware: must be true or false/,
    );
  });
});
