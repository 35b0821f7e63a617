-- Experiments on live traffic (docs/EXPERIMENTS.md). A fan's traffic bucket (a stable hash of the fan id, 0-9999)
-- says which experiment, if any, the fan is in: each running experiment owns a range of buckets no other running one
-- overlaps, so a fan is in one experiment at a time. Inside the range, a second hash salted with the experiment's id
-- picks the arm by the arms' allocations.
create table experiments (
  id bigserial primary key,
  name text not null check (length(name) between 1 and 100),
  -- The experiment's share of the traffic buckets, [bucket_start, bucket_end): the sum of its arms' allocations.
  bucket_start int not null check (bucket_start >= 0),
  bucket_end int not null check (bucket_end <= 10000),
  created_by text not null,
  started_at timestamptz not null default now(),
  stopped_at timestamptz,
  stopped_by text,
  check (bucket_start < bucket_end),
  check ((stopped_at is null) = (stopped_by is null))
);
create unique index experiments_running_name_idx on experiments (name) where stopped_at is null;

-- An arm: the control keeps the active cap policy and model; a variant names another cap policy version, another
-- model version or both; a holdout gets only transactional alerts and the digests the fan chose.
create table experiment_arms (
  experiment_id bigint not null references experiments (id),
  name text not null check (name ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
  -- Percent of all fans.
  allocation numeric(5, 2) not null check (allocation > 0 and allocation <= 100),
  cap_policy_version int references cap_policies (version),
  model_version int references models (version),
  holdout boolean not null default false,
  primary key (experiment_id, name),
  check (not holdout or (cap_policy_version is null and model_version is null))
);

-- Every decision records its arm: an experiment's arm, or 'global_holdout' (no experiment) for the standing global
-- holdout that decides without relevance filtering; null for fans in neither.
alter table decisions
  add column experiment_id bigint references experiments (id),
  add column arm text,
  add constraint decisions_arm_check check (experiment_id is null or arm is not null);
create index decisions_experiment_idx on decisions (experiment_id, decided_at) where experiment_id is not null;
create index decisions_global_holdout_idx on decisions (decided_at) where arm = 'global_holdout';
