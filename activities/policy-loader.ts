// The cap policy in force: the active stored version (DEFAULT_CAP_POLICY when none), re-read only when it changes.
import { activeCapPolicyVersion, getActiveCapPolicy, getCapPolicy } from '../db/cap-policies.ts';
import type { Pool } from '../db/pool.ts';
import { formatFieldErrors } from '../domain/field-error.ts';
import { type CapPolicy, DEFAULT_CAP_POLICY, validateCapPolicy } from '../policy/cap-policy.ts';

export interface PolicyInForce {
  /** The stored version, or null for the built-in default. */
  version: number | null;
  policy: CapPolicy;
}

export interface PolicyLoader {
  /** Asks for the active version (one indexed row) and loads the document only when it changed: call it per batch. */
  current(): Promise<PolicyInForce>;
  /** A stored version an experiment's arm names, loaded once (stored versions never change). */
  version(version: number): Promise<PolicyInForce>;
}

/** Checked again because a hand-edited row must not decide with a broken document. */
function checkedPolicy(version: number, document: unknown): PolicyInForce {
  const checked = validateCapPolicy(document);
  if (!checked.ok)
    throw new Error(
      `cap policy version ${version} is invalid and cannot be used:\n${formatFieldErrors(checked.errors)}`,
    );
  return { version, policy: checked.value };
}

export function createPolicyLoader(pool: Pool): PolicyLoader {
  let loaded: PolicyInForce = { version: null, policy: DEFAULT_CAP_POLICY };
  const pinned = new Map<number, PolicyInForce>();
  return {
    async current() {
      const version = await activeCapPolicyVersion(pool);
      if (version === loaded.version) return loaded;
      if (version === null) {
        loaded = { version: null, policy: DEFAULT_CAP_POLICY };
        return loaded;
      }
      const stored = await getActiveCapPolicy(pool);
      // Activated between the two reads: take whatever is active now, it is the newer one.
      if (!stored) {
        loaded = { version: null, policy: DEFAULT_CAP_POLICY };
        return loaded;
      }
      loaded = checkedPolicy(stored.version, stored.document);
      return loaded;
    },
    async version(version) {
      const hit = pinned.get(version);
      if (hit) return hit;
      const stored = await getCapPolicy(pool, version);
      if (!stored) throw new Error(`cap policy version ${version} does not exist (named by an experiment's arm)`);
      const inForce = checkedPolicy(version, stored.document);
      pinned.set(version, inForce);
      return inForce;
    },
  };
}
