// Service credentials for automation: made (shown once) and checked as bearer tokens on the admin API.
import type { Pool } from '../db/pool.ts';
import {
  activeServiceCredential,
  insertServiceCredential,
  type ServiceCredential,
  touchServiceCredential,
} from '../db/service-credentials.ts';
import type { FieldError } from '../domain/field-error.ts';
import type { Role, ServicePrincipal } from '../domain/principal.ts';
import { formatToken, matchesHash, newSecret, parseToken, sha256, TOKEN_PREFIXES } from './tokens.ts';

/** The name the API gives ADMIN_TOKEN (`service:env` in the audit); no stored credential may take it. */
export const ENV_CREDENTIAL_NAME = 'env';

/** A credential's name: as a username, 1 to 64 lowercase letters, digits, . _ or -; not `env`. */
export function checkCredentialName(name: string, field = 'name'): FieldError[] {
  if (name === ENV_CREDENTIAL_NAME) return [{ field, rule: 'must not be "env", the name of ADMIN_TOKEN' }];
  if (/^[a-z0-9][a-z0-9._-]{0,63}$/.test(name)) return [];
  return [{ field, rule: 'must be 1 to 64 lowercase letters, digits, . _ or -, starting with a letter or digit' }];
}

/**
 * A new named credential with a role; `token` is the only copy of its secret, to show once. `createdBy` names the
 * creator as the audit does. Throws DuplicateCredentialNameError.
 */
export async function createServiceCredential(
  pool: Pool,
  c: { name: string; role: Role; createdBy: string },
): Promise<{ token: string; record: ServiceCredential }> {
  const secret = newSecret();
  const record = await insertServiceCredential(pool, { ...c, secretHash: sha256(secret) });
  return { token: formatToken(TOKEN_PREFIXES.serviceCredential, record.id, secret), record };
}

/** The service principal a bearer token proves, if it is an unrevoked service credential; else null. */
export async function authenticateServiceCredential(pool: Pool, token: string): Promise<ServicePrincipal | null> {
  const parsed = parseToken(TOKEN_PREFIXES.serviceCredential, token);
  if (!parsed) return null;
  const c = await activeServiceCredential(pool, parsed.id);
  if (!c || !matchesHash(parsed.secret, c.secretHash)) return null;
  await touchServiceCredential(pool, c.id);
  return { kind: 'service', credentialId: c.id, name: c.name, role: c.role };
}
