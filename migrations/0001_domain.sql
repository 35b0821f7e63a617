-- The whole domain: who creates, who listens, what was announced, what we decided, what we sent, what fans did.

create table creators (
  id bigserial primary key,
  handle text not null unique,
  display_name text not null,
  created_at timestamptz not null default now()
);

create table fans (
  id bigserial primary key,
  email text not null unique,
  time_zone text not null default 'UTC',
  locale text not null default 'en',
  -- 'undeliverable' after a permanent bounce: we stop emailing the address.
  email_status text not null default 'active' check (email_status in ('active', 'undeliverable')),
  created_at timestamptz not null default now()
);

create table memberships (
  fan_id bigint not null references fans (id) on delete cascade,
  creator_id bigint not null references creators (id) on delete cascade,
  kind text not null check (kind in ('free', 'paid')),
  tier int not null default 0 check (tier >= 0),
  started_at timestamptz not null default now(),
  ended_at timestamptz,
  primary key (creator_id, fan_id)
);
create index memberships_fan_idx on memberships (fan_id);

create table push_subscriptions (
  id bigserial primary key,
  fan_id bigint not null references fans (id) on delete cascade,
  endpoint text not null unique,
  p256dh text not null,
  auth text not null,
  status text not null default 'active' check (status in ('active', 'revoked')),
  created_at timestamptz not null default now(),
  revoked_at timestamptz
);
create index push_subscriptions_fan_idx on push_subscriptions (fan_id) where status = 'active';

create table preferences (
  fan_id bigint primary key references fans (id) on delete cascade,
  email_enabled boolean not null default true,
  push_enabled boolean not null default true,
  digest_cadence text not null default 'daily' check (digest_cadence in ('off', 'daily', 'weekly')),
  -- Local hour (0-23) at which the fan's digest goes out.
  digest_hour int not null default 8 check (digest_hour between 0 and 23),
  -- Quiet hours in the fan's local time, [start, end) in hours; null means the policy default applies.
  quiet_start int check (quiet_start between 0 and 23),
  quiet_end int check (quiet_end between 0 and 23),
  -- Set by one-click unsubscribe: no email of any kind.
  unsubscribed_at timestamptz,
  updated_at timestamptz not null default now()
);

create table muted_creators (
  fan_id bigint not null references fans (id) on delete cascade,
  creator_id bigint not null references creators (id) on delete cascade,
  muted_at timestamptz not null default now(),
  primary key (fan_id, creator_id)
);

create table creator_events (
  id bigserial primary key,
  creator_id bigint not null references creators (id),
  kind text not null check (kind in ('post', 'live', 'announcement')),
  title text not null,
  url text not null,
  -- Who hears about it: 'all' members, 'paid' members, or members with tier >= min_tier.
  audience text not null check (audience in ('all', 'paid', 'tier')),
  min_tier int check ((audience = 'tier') = (min_tier is not null)),
  idempotency_key text not null,
  deadline timestamptz,
  created_at timestamptz not null default now(),
  unique (creator_id, idempotency_key)
);

create table decisions (
  id bigserial primary key,
  event_id bigint not null references creator_events (id),
  fan_id bigint not null references fans (id),
  channel text not null check (channel in ('email', 'push')),
  -- 'alert' sends at send_at; 'digest' waits for the fan's next digest; 'suppress' sends nothing.
  action text not null check (action in ('alert', 'digest', 'suppress')),
  send_at timestamptz,
  -- The named policy that decided, e.g. 'baseline_send_now'.
  policy text not null,
  -- A reason code, e.g. 'baseline_send_now', and the numbers behind it.
  reason text not null,
  reason_detail jsonb not null default '{}'::jsonb,
  model_version int,
  score double precision,
  contributions jsonb,
  decided_at timestamptz not null default now(),
  unique (event_id, fan_id, channel),
  check ((action = 'alert') = (send_at is not null))
);
create index decisions_due_idx on decisions (send_at, id) where action = 'alert';
create index decisions_fan_idx on decisions (fan_id, decided_at);

create table deliveries (
  id bigserial primary key,
  decision_id bigint not null references decisions (id),
  channel text not null check (channel in ('email', 'push')),
  -- claimed: this attempt owns it and the provider has not had the whole message, so a resend is safe;
  -- sending: the last byte is going out, so the provider may have it; retry: a transient failure, to be claimed again;
  -- possibly_sent: a crash after the commit point left it unknown, and it is never resent silently.
  status text not null check (status in ('claimed', 'sending', 'sent', 'retry', 'failed', 'skipped', 'possibly_sent')),
  -- The delivery attempt that holds the claim; only it may pass the commit point.
  claim_token text,
  attempts int not null default 1,
  provider_message_id text,
  error_code text,
  error_message text,
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  unique (decision_id, channel)
);
create index deliveries_status_idx on deliveries (status)
  where status in ('claimed', 'sending', 'retry', 'possibly_sent');

create table engagement_events (
  id bigserial primary key,
  delivery_id bigint references deliveries (id),
  decision_id bigint references decisions (id),
  fan_id bigint not null references fans (id),
  event_id bigint references creator_events (id),
  channel text check (channel in ('email', 'push')),
  kind text not null check (kind in ('open', 'click', 'unsubscribe', 'bounce')),
  occurred_at timestamptz not null default now(),
  detail jsonb not null default '{}'::jsonb
);
create index engagement_events_fan_idx on engagement_events (fan_id, occurred_at);
create index engagement_events_decision_idx on engagement_events (decision_id);

create table cap_policies (
  version serial primary key,
  document jsonb not null,
  active boolean not null default false,
  created_by text not null,
  created_at timestamptz not null default now()
);
create unique index cap_policies_one_active on cap_policies (active) where active;

create table cap_policy_audit (
  id bigserial primary key,
  version int not null references cap_policies (version),
  actor text not null,
  action text not null,
  diff jsonb not null default '{}'::jsonb,
  at timestamptz not null default now()
);

create table models (
  version serial primary key,
  status text not null check (status in ('candidate', 'active', 'rejected', 'retired')),
  params jsonb not null default '{}'::jsonb,
  metrics jsonb not null default '{}'::jsonb,
  oracle_metrics jsonb,
  train_from timestamptz,
  train_to timestamptz,
  model_text text not null,
  reason text,
  created_at timestamptz not null default now(),
  promoted_at timestamptz
);
create unique index models_one_active on models (status) where status = 'active';

-- Small process-wide settings that must be generated once and kept, such as the VAPID key pair.
create table settings (
  key text primary key,
  value jsonb not null,
  created_at timestamptz not null default now()
);
