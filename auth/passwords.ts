// Team members' passwords: argon2id (memory-hard) through @node-rs/argon2, and the rules a new password must meet.
import { hash, verify } from '@node-rs/argon2';
import type { FieldError } from '../domain/field-error.ts';

/** OWASP's argon2id baseline: 19 MiB, 2 passes, one lane; about 20 ms on one core. */
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const MIN_PASSWORD_LENGTH = 12;
/** Long passphrases are welcome; beyond this a password is only a way to make the server hash megabytes. */
export const MAX_PASSWORD_LENGTH = 256;

export const USERNAME_RULE = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** A PHC string ($argon2id$v=19$m=19456,t=2,p=1$salt$hash) with a fresh random salt. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/** Whether the password matches the stored hash; false (not an error) for a malformed hash. */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** A hash of no one's password, verified against when the username is unknown so both cases take the same time. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword('decoy password that no account has');
  return decoy;
}

export function checkPassword(password: string, field = 'password'): FieldError[] {
  if (password.length < MIN_PASSWORD_LENGTH)
    return [{ field, rule: `must be at least ${MIN_PASSWORD_LENGTH} characters` }];
  if (password.length > MAX_PASSWORD_LENGTH)
    return [{ field, rule: `must be at most ${MAX_PASSWORD_LENGTH} characters` }];
  if (/\p{Cc}/u.test(password)) return [{ field, rule: 'must contain no control characters' }];
  return [];
}

export function checkUsername(username: string, field = 'username'): FieldError[] {
  if (USERNAME_RULE.test(username)) return [];
  return [{ field, rule: 'must be 1 to 64 lowercase letters, digits, . _ or -, starting with a letter or digit' }];
}
