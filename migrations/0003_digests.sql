-- Digests: one email per fan and digest period, with its items; the unique key makes a retried run send none twice.
create table digests (
  id bigserial primary key,
  fan_id bigint not null references fans (id),
  -- 'daily:YYYY-MM-DD' or 'weekly:YYYY-MM-DD', the fan's local date of the run that sends it.
  period text not null,
  cadence text not null check (cadence in ('daily', 'weekly')),
  -- [{ "decisionId", "eventId", "score" }], best first: the digest decisions it reports.
  items jsonb not null check (jsonb_array_length(items) > 0),
  -- As deliveries.status: pending (built, not yet claimed), claimed, sending (past the commit point), sent, retry,
  -- failed, skipped (the fan cannot be emailed any more), possibly_sent (a crash after the commit point).
  status text not null default 'pending'
    check (status in ('pending', 'claimed', 'sending', 'sent', 'retry', 'failed', 'skipped', 'possibly_sent')),
  claim_token text,
  attempts int not null default 0,
  provider_message_id text,
  error_code text,
  error_message text,
  created_at timestamptz not null default now(),
  finished_at timestamptz,
  unique (fan_id, period)
);
create index digests_open_idx on digests (id) where status in ('pending', 'claimed', 'retry', 'sending');
