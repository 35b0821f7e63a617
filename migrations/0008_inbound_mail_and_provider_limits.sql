-- Mail that comes back (docs/DELIVERY.md, "Inbound mail"), and the per-provider limits every worker shares
-- (docs/DELIVERY.md, "Backpressure").

-- Every message the inbound listener accepted, with what it was taken for and what was done about it. Nothing here is
-- acted on twice: a report redelivered with the same Message-ID is not stored again. Rows of kind 'other', and
-- reports that did not prove they answer one of our messages, are kept for a person to read, never acted on.
create table inbound_mail (
  id bigserial primary key,
  received_at timestamptz not null default now(),
  -- unsubscribe: mail to a signed unsubscribe+TOKEN address; bounce: an RFC 3464 delivery status notification;
  -- complaint: an RFC 5965 feedback report; other: anything else.
  kind text not null check (kind in ('unsubscribe', 'bounce', 'complaint', 'other')),
  -- What was done: unsubscribed, already_unsubscribed, hard_bounce, soft_bounce, complaint, unsigned (no valid
  -- signature tied it to a message of ours), mismatch (signed, but naming another recipient or message), kept.
  outcome text not null,
  envelope_from text not null,
  envelope_to text[] not null,
  -- The inbound message's own Message-ID, which makes a redelivery recognisable.
  message_id text,
  subject text,
  -- The fan and decision a verified report answers.
  fan_id bigint references fans (id) on delete set null,
  decision_id bigint references decisions (id) on delete set null,
  -- The parsed report: per-recipient actions and statuses, the feedback type, the reasons of a refusal.
  detail jsonb not null default '{}'::jsonb,
  raw text not null
);
create unique index inbound_mail_once on inbound_mail (message_id) where message_id is not null;
create index inbound_mail_day_idx on inbound_mail (received_at, kind);

-- One row per provider (an SMTP relay 'smtp:host:port', a push service origin 'push:https://host'): when the next
-- message may start (a shared rate, GCRA), and until when every worker leaves the provider alone after it refused.
create table provider_limits (
  provider text primary key,
  next_at timestamptz not null default now(),
  paused_until timestamptz not null default now(),
  -- Refusals in a row, which double the pause; the first accepted message sets it back to 0.
  refusals int not null default 0
);

-- Concurrency leases: a worker holds one slot per provider call in flight. A lease runs out by itself, so a worker
-- that died holding one frees it within the lease time.
create table provider_slots (
  provider text not null,
  slot int not null,
  holder text,
  held_until timestamptz not null default '-infinity',
  primary key (provider, slot)
);
