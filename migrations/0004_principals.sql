-- Who may act: creators through API keys, growth-team members through sessions, automation through service
-- credentials; and the counters that rate-limit announcing and throttle wrong passwords. No secret is stored, only
-- its SHA-256 (keys and tokens are 32 random bytes, so a fast hash is enough) or, for passwords, an argon2id hash.
--
-- Idempotency needs no new column: creator_events keeps every field of the request (kind, title, url, audience,
-- min_tier, deadline) beside (creator_id, idempotency_key), so a repeat is compared field by field with the stored
-- row (domain/idempotency.ts) and a different body answers 409 naming the fields that differ.

-- A creator's API keys, several at once so a key can be rotated: the key reads ffk_<id>_<secret>.
create table creator_keys (
  id bigserial primary key,
  creator_id bigint not null references creators (id) on delete cascade,
  label text not null check (length(label) between 1 and 100),
  secret_hash bytea not null check (length(secret_hash) = 32),
  created_at timestamptz not null default now(),
  -- Updated at most once a minute, so a busy key does not write on every request.
  last_used_at timestamptz,
  revoked_at timestamptz
);
create index creator_keys_creator_idx on creator_keys (creator_id);

-- The growth team: a person with a password and a role. A removed member keeps the row (the audit names them), and
-- the username is free again for someone new.
create table team_members (
  id bigserial primary key,
  username text not null check (username ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
  -- argon2id in the PHC string format ($argon2id$v=19$m=…,t=…,p=…$salt$hash).
  password_hash text not null,
  role text not null check (role in ('viewer', 'editor', 'admin')),
  created_at timestamptz not null default now(),
  removed_at timestamptz
);
create unique index team_members_username_idx on team_members (username) where removed_at is null;

-- A member's console sessions, so they survive an API restart and work behind several API processes. "Logout
-- everywhere" revokes all of a member's sessions at once.
create table sessions (
  id bigserial primary key,
  member_id bigint not null references team_members (id),
  -- SHA-256 of the cookie's token; the token itself is never stored.
  token_hash bytea not null unique check (length(token_hash) = 32),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  last_seen_at timestamptz not null default now(),
  revoked_at timestamptz,
  check (expires_at > created_at)
);
create index sessions_member_idx on sessions (member_id) where revoked_at is null;

-- Bearer tokens for automation, named, with a role like a member's: the token reads ffs_<id>_<secret>.
create table service_credentials (
  id bigserial primary key,
  name text not null check (name ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
  secret_hash bytea not null check (length(secret_hash) = 32),
  role text not null check (role in ('viewer', 'editor', 'admin')),
  -- Who created it, as the audit names actors.
  created_by text not null,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
create unique index service_credentials_name_idx on service_credentials (name) where revoked_at is null;

-- The store of rate-limiter-flexible's RateLimiterPostgres, in the shape it reads and writes: one row per counter
-- key ("announce:<creator id>", "login-account:<username>", "login-address:<address>"), its points and when the
-- window ends (epoch milliseconds). Shared by every API process.
create table rate_limits (
  key varchar(255) primary key,
  points integer not null default 0,
  expire bigint
);
