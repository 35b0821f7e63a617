// Tests service credentials on a real PostgreSQL: a named bearer token with a role, revocable, stored as a hash.
import { describe, expect, it } from 'vitest';
import {
  DuplicateCredentialNameError,
  listServiceCredentials,
  revokeServiceCredential,
} from '../db/service-credentials.ts';
import { useTestSchema } from '../testing/db.ts';
import { authenticateServiceCredential, createServiceCredential } from './service-credentials.ts';
import { sha256 } from './tokens.ts';

describe('service credentials', () => {
  const db = useTestSchema('service_credentials');

  it('authenticates a new token as its named principal with its role, storing only the hash', async () => {
    const { token, record } = await createServiceCredential(db().pool, {
      name: 'nightly-report',
      role: 'viewer',
      createdBy: 'member:ana',
    });
    expect(token).toMatch(new RegExp(`^ffs_${record.id}_[A-Za-z0-9_-]{43}$`));
    expect(await authenticateServiceCredential(db().pool, token)).toEqual({
      kind: 'service',
      credentialId: record.id,
      name: 'nightly-report',
      role: 'viewer',
    });
    const row = await db().pool.query(`select * from service_credentials where id = $1`, [record.id]);
    expect(row.rows[0].secret_hash).toEqual(sha256(token.split('_').slice(2).join('_')));
    expect(JSON.stringify(row.rows[0])).not.toContain(token.slice(-43));
    expect((await listServiceCredentials(db().pool))[0]).toMatchObject({ createdBy: 'member:ana' });
  });

  it('refuses a creator key, a wrong secret and a revoked token; the name is free again after revocation', async () => {
    const { token, record } = await createServiceCredential(db().pool, {
      name: 'deploy',
      role: 'editor',
      createdBy: 'cli:root',
    });
    const secret = token.slice(-43);
    expect(await authenticateServiceCredential(db().pool, `ffk_${record.id}_${secret}`)).toBeNull();
    const other = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    expect(await authenticateServiceCredential(db().pool, `ffs_${record.id}_${other}`)).toBeNull();
    await expect(
      createServiceCredential(db().pool, { name: 'deploy', role: 'viewer', createdBy: 'cli:root' }),
    ).rejects.toBeInstanceOf(DuplicateCredentialNameError);

    expect((await revokeServiceCredential(db().pool, record.id))?.revokedAt).toBeInstanceOf(Date);
    expect(await authenticateServiceCredential(db().pool, token)).toBeNull();
    const next = await createServiceCredential(db().pool, { name: 'deploy', role: 'viewer', createdBy: 'cli:root' });
    expect(await authenticateServiceCredential(db().pool, next.token)).toMatchObject({
      name: 'deploy',
      role: 'viewer',
    });
    expect(await revokeServiceCredential(db().pool, 999_999)).toBeNull();
  });
});
