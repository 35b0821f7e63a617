// The access pages on the wire: the growth team's members, service credentials and creators' API keys (admin only).
import type { Role } from '../domain/principal.ts';

export interface MemberRow {
  username: string;
  role: Role;
  createdAt: string;
}

/** GET /api/admin/team; POST answers `{ member }` (201), DELETE and PUT …/role answer `{ member }` too. */
export interface TeamAnswer {
  members: MemberRow[];
}

/** POST /api/admin/team/:username/logout and POST /api/admin/session/logout-everywhere. */
export interface LoggedOutAnswer {
  /** How many live sessions were ended. */
  loggedOut: number;
}

export interface ServiceCredentialRow {
  id: number;
  name: string;
  role: Role;
  /** Who made it, as the audit names them. */
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** GET /api/admin/service-credentials, revoked ones included. */
export interface ServiceCredentialsAnswer {
  credentials: ServiceCredentialRow[];
}

/** POST /api/admin/service-credentials (201): `token` is shown this once and never again. */
export interface NewServiceCredentialAnswer {
  credential: ServiceCredentialRow;
  token: string;
}

/** A creator as the console's picker lists it. */
export interface CreatorMatch {
  id: number;
  handle: string;
  displayName: string;
  /** How many of its API keys are not revoked. */
  liveKeys: number;
}

/** GET /api/admin/creators?q=: by id, or by part of the handle or display name; every creator (up to 50) without q. */
export interface CreatorSearchAnswer {
  creators: CreatorMatch[];
}

export interface CreatorKeyRow {
  id: number;
  creatorId: number;
  label: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** GET /api/admin/creators/:id/keys, revoked ones included. */
export interface CreatorKeysAnswer {
  keys: CreatorKeyRow[];
}

/** POST /api/admin/creators/:id/keys (201): `token` is the key, shown this once and never again. */
export interface NewCreatorKeyAnswer {
  key: CreatorKeyRow;
  token: string;
}
