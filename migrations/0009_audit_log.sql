-- One audit log for the actions that had none: model promotions and rollbacks, the team's members (add, remove,
-- role), service credentials and creators' API keys (create, revoke). Cap policies and alert rules keep their own
-- audit tables and experiments their created_by / stopped_by columns; the console's audit page reads all of them.
create table audit_log (
  id bigserial primary key,
  at timestamptz not null default now(),
  kind text not null check (kind in ('model', 'team', 'service-credential', 'creator-key')),
  -- As the other audits name them: member:<username>, service:<name>, cli, training.
  actor text not null,
  action text not null,
  -- What was acted on, in words: "model 3", "ada", "ci-bot", "key 7 of creator 3".
  subject text not null,
  detail jsonb not null default '{}'::jsonb
);
create index audit_log_at on audit_log (at desc, id desc);
