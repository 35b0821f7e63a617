// Tests creator API keys on a real PostgreSQL: created, verified, rotated, revoked; only hashes stored.
import { describe, expect, it } from 'vitest';
import { listCreatorKeys, revokeCreatorKey } from '../db/creator-keys.ts';
import { UnknownCreatorError } from '../db/events.ts';
import { useTestSchema } from '../testing/db.ts';
import { authenticateCreatorKey, createCreatorKey } from './creator-keys.ts';
import { sha256 } from './tokens.ts';

describe('creator keys', () => {
  const db = useTestSchema('creator_keys');

  async function creator(handle: string): Promise<number> {
    const r = await db().pool.query(`insert into creators (handle, display_name) values ($1, $1) returning id`, [
      handle,
    ]);
    return r.rows[0].id;
  }

  it('verifies a new key for its own creator, and stores only the hash of its secret', async () => {
    const creatorId = await creator('ana');
    const { key, record } = await createCreatorKey(db().pool, creatorId, 'laptop');
    expect(key).toMatch(new RegExp(`^ffk_${record.id}_[A-Za-z0-9_-]{43}$`));
    expect(await authenticateCreatorKey(db().pool, key)).toEqual({ kind: 'creator', creatorId, keyId: record.id });
    const stored = await db().pool.query(`select * from creator_keys where id = $1`, [record.id]);
    const secret = key.split('_').slice(2).join('_');
    expect(stored.rows[0].secret_hash).toEqual(sha256(secret));
    expect(JSON.stringify(stored.rows[0])).not.toContain(secret);
    const [listed] = await listCreatorKeys(db().pool, creatorId);
    expect(listed.lastUsedAt).toBeInstanceOf(Date);
  });

  it('refuses a wrong secret, another id, another kind of token and garbage alike', async () => {
    const creatorId = await creator('ben');
    const { key, record } = await createCreatorKey(db().pool, creatorId, 'ci');
    const secret = key.split('_').slice(2).join('_');
    const flipped = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    for (const bad of [
      `ffk_${record.id}_${flipped}`,
      `ffk_${record.id + 1000}_${secret}`,
      `ffs_${record.id}_${secret}`,
    ]) {
      expect(await authenticateCreatorKey(db().pool, bad)).toBeNull();
    }
    expect(await authenticateCreatorKey(db().pool, 'x'.repeat(5000))).toBeNull();
  });

  it('rotates: two active keys work, revoking one leaves the other working', async () => {
    const creatorId = await creator('cy');
    const old = await createCreatorKey(db().pool, creatorId, 'old');
    const fresh = await createCreatorKey(db().pool, creatorId, 'new');
    expect(await authenticateCreatorKey(db().pool, old.key)).not.toBeNull();
    expect(await authenticateCreatorKey(db().pool, fresh.key)).not.toBeNull();

    const revoked = await revokeCreatorKey(db().pool, old.record.id);
    expect(revoked?.revokedAt).toBeInstanceOf(Date);
    expect(await authenticateCreatorKey(db().pool, old.key)).toBeNull();
    expect(await authenticateCreatorKey(db().pool, fresh.key)).toMatchObject({ creatorId, keyId: fresh.record.id });

    const again = await revokeCreatorKey(db().pool, old.record.id);
    expect(again?.revokedAt).toEqual(revoked?.revokedAt);
    expect((await listCreatorKeys(db().pool, creatorId)).map((k) => [k.label, k.revokedAt !== null])).toEqual([
      ['old', true],
      ['new', false],
    ]);
  });

  it("revokes only within a creator when scoped to one, and refuses an unknown creator's key", async () => {
    const a = await creator('dee');
    const b = await creator('eve');
    const { key, record } = await createCreatorKey(db().pool, a, 'main');
    expect(await revokeCreatorKey(db().pool, record.id, b)).toBeNull();
    expect(await authenticateCreatorKey(db().pool, key)).not.toBeNull();
    expect(await revokeCreatorKey(db().pool, 999_999)).toBeNull();
    await expect(createCreatorKey(db().pool, 999_999, 'x')).rejects.toBeInstanceOf(UnknownCreatorError);
  });
});
