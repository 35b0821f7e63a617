-- Relevance monitoring and alerts (docs/OPERATIONS.md#alerts). The alert rules are a versioned, audited document, as
-- cap policies are; each monitor run stores its relevance report; an alert is a row that is raised once while its
-- condition holds and cleared when it no longer does.
create table alert_rules (
  version serial primary key,
  document jsonb not null,
  active boolean not null default false,
  created_by text not null,
  created_at timestamptz not null default now()
);
create unique index alert_rules_one_active on alert_rules (active) where active;

create table alert_rule_audit (
  id bigserial primary key,
  version int not null references alert_rules (version),
  actor text not null,
  action text not null,
  diff jsonb not null default '[]'::jsonb,
  at timestamptz not null default now()
);

-- One row per monitor run: calibration by score decile and AUC over the sends whose 24-hour label window closed,
-- feature drift (PSI per feature) against the active model's training window, the day's rates and the backlog.
create table relevance_reports (
  id bigserial primary key,
  as_of timestamptz not null,
  model_version int references models (version),
  report jsonb not null,
  created_at timestamptz not null default now()
);
create index relevance_reports_as_of_idx on relevance_reports (as_of desc);

-- An alert: the rule that raised it (one of the names in policy/alert-rules.ts), the version of the rules then in
-- force, the value observed and the threshold it broke. At most one open alert per rule; a run that finds the
-- condition gone clears it.
create table alerts (
  id bigserial primary key,
  rule text not null,
  rule_version int references alert_rules (version),
  message text not null,
  value double precision not null,
  threshold double precision not null,
  detail jsonb not null default '{}'::jsonb,
  raised_at timestamptz not null default now(),
  -- When the email about it went out; null while none could be sent (no address configured, or SMTP refused).
  notified_at timestamptz,
  cleared_at timestamptz,
  check (cleared_at is null or cleared_at >= raised_at)
);
create unique index alerts_one_open_per_rule on alerts (rule) where cleared_at is null;
create index alerts_raised_idx on alerts (raised_at desc);
