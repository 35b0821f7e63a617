-- Experiment results counted as they are written (docs/EXPERIMENTS.md#how-results-are-counted): one row per UTC day
-- of the decision, experiment (0 for decisions in none: the global holdout and the fans in no experiment), arm
-- ('system' for a decision with no arm) and fan, with that fan-day's decisions, alerts delivered (an alert decision
-- with a sent delivery), opens of its alerts, opens of its digests (the decision carrying a digest's pixel) and clicks:
-- the answers to the decisions made that day, whenever the fan gave them. A results page sums a range of days per fan
-- instead of reading every decision of the range with its deliveries and engagement.
create table experiment_fan_days (
  experiment_id bigint not null,
  day date not null,
  arm text not null,
  fan_id bigint not null,
  decisions int not null,
  alerts int not null,
  alert_opens int not null,
  digest_opens int not null,
  clicks int not null,
  primary key (experiment_id, day, arm, fan_id)
);

-- Adds changes to the rows they name, summed per row (a row whose changes cancel out is not touched), in key order (so
-- two writers never wait on each other's rows crosswise), and drops a row whose decisions are all gone.
create function experiment_fan_days_add(changes experiment_fan_days[]) returns void
language sql as $$
  insert into experiment_fan_days as t
  select c.experiment_id, c.day, c.arm, c.fan_id, sum(c.decisions), sum(c.alerts), sum(c.alert_opens),
         sum(c.digest_opens), sum(c.clicks)
    from unnest(changes) c
   group by c.experiment_id, c.day, c.arm, c.fan_id
  having sum(c.decisions) <> 0 or sum(c.alerts) <> 0 or sum(c.alert_opens) <> 0 or sum(c.digest_opens) <> 0
      or sum(c.clicks) <> 0
   order by c.experiment_id, c.day, c.arm, c.fan_id
  on conflict (experiment_id, day, arm, fan_id) do update
     set decisions = t.decisions + excluded.decisions,
         alerts = t.alerts + excluded.alerts,
         alert_opens = t.alert_opens + excluded.alert_opens,
         digest_opens = t.digest_opens + excluded.digest_opens,
         clicks = t.clicks + excluded.clicks;
  delete from experiment_fan_days t
   using (select distinct experiment_id, day, arm, fan_id from unnest(changes) where decisions < 0) c
   where t.experiment_id = c.experiment_id and t.day = c.day and t.arm = c.arm and t.fan_id = c.fan_id
     and t.decisions = 0;
$$;

-- The row key of a decision (the backfill below spells it out, for a plan over millions of rows).
create function experiment_fan_day_key(d decisions) returns experiment_fan_days
language sql immutable as $$
  select row(coalesce(d.experiment_id, 0), (d.decided_at at time zone 'utc')::date, coalesce(d.arm, 'system'),
             d.fan_id, 0, 0, 0, 0, 0)::experiment_fan_days
$$;

-- Each table's trigger counts its own rows' facts: decisions their number, deliveries the alerts delivered,
-- engagement the opens and clicks. Decisions are written once (never updated in the product; a changed arm or day
-- moves the decision's whole count, its answers included, to the new row).
create function experiment_fan_days_decisions() returns trigger
language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    perform experiment_fan_days_add(array(
      select row(k.experiment_id, k.day, k.arm, k.fan_id, 1, 0, 0, 0, 0)::experiment_fan_days
        from new_table n, experiment_fan_day_key(n::decisions) k));
  elsif tg_op = 'DELETE' then
    -- A decision's deliveries and engagement rows reference it, so they are gone (and uncounted) before it is.
    perform experiment_fan_days_add(array(
      select row(k.experiment_id, k.day, k.arm, k.fan_id, -1, 0, 0, 0, 0)::experiment_fan_days
        from old_table o, experiment_fan_day_key(o::decisions) k));
  else
    perform experiment_fan_days_add(array(
      select row(k.experiment_id, k.day, k.arm, k.fan_id, c.sign, c.sign * c.alert,
                 c.sign * (c.action = 'alert' and c.opened)::int, c.sign * (c.action = 'digest' and c.opened)::int,
                 c.sign * c.clicked::int)::experiment_fan_days
        from (select 1 as sign, n::decisions as d from new_table n
              union all
              select -1, o::decisions from old_table o) m,
             experiment_fan_day_key(m.d) k,
             lateral (select m.sign, (m.d).action,
                             ((m.d).action = 'alert' and exists (select 1 from deliveries v
                               where v.decision_id = (m.d).id and v.status = 'sent'))::int as alert,
                             exists (select 1 from engagement_events e
                                      where e.decision_id = (m.d).id and e.kind = 'open') as opened,
                             exists (select 1 from engagement_events e
                                      where e.decision_id = (m.d).id and e.kind = 'click') as clicked) c));
  end if;
  return null;
end
$$;

-- An alert counts once however many of its deliveries are sent: a decision's count changes only when its number of
-- sent deliveries goes from zero to some or back. `changes` is, per decision, the statement's change in that number.
create function experiment_fan_days_sent(decision_ids bigint[], changes bigint[]) returns void
language sql as $$
  select experiment_fan_days_add(array(
    select row(k.experiment_id, k.day, k.arm, k.fan_id, 0, (s.now > 0)::int - (s.now - c.change > 0)::int,
               0, 0, 0)::experiment_fan_days
      from unnest(decision_ids, changes) c (decision_id, change)
      join decisions d on d.id = c.decision_id and d.action = 'alert'
      cross join experiment_fan_day_key(d) k
      cross join lateral (select count(*) as now from deliveries v
                           where v.decision_id = c.decision_id and v.status = 'sent') s
     where c.change <> 0))
$$;

create function experiment_fan_days_deliveries() returns trigger
language plpgsql as $$
declare
  ids bigint[];
  changes bigint[];
begin
  if tg_op = 'INSERT' then
    select array_agg(decision_id), array_agg(n) into ids, changes
      from (select decision_id, count(*) as n from new_table where status = 'sent' group by decision_id) s;
  elsif tg_op = 'DELETE' then
    select array_agg(decision_id), array_agg(-n) into ids, changes
      from (select decision_id, count(*) as n from old_table where status = 'sent' group by decision_id) s;
  else
    select array_agg(decision_id), array_agg(n) into ids, changes
      from (select decision_id, sum(n) as n
              from (select decision_id, 1 as n from new_table where status = 'sent'
                    union all
                    select decision_id, -1 from old_table where status = 'sent') m
             group by decision_id having sum(n) <> 0) s;
  end if;
  if ids is not null then
    perform experiment_fan_days_sent(ids, changes);
  end if;
  return null;
end
$$;

-- Opens and clicks of the decision they answer; engagement_events_once keeps one of each per decision.
create function experiment_fan_days_engaged(decision_ids bigint[], kinds text[], signs int[]) returns void
language sql as $$
  select experiment_fan_days_add(array(
    select row(k.experiment_id, k.day, k.arm, k.fan_id, 0, 0,
               c.sign * (c.kind = 'open' and d.action = 'alert')::int,
               c.sign * (c.kind = 'open' and d.action = 'digest')::int,
               c.sign * (c.kind = 'click')::int)::experiment_fan_days
      from unnest(decision_ids, kinds, signs) c (decision_id, kind, sign)
      join decisions d on d.id = c.decision_id
      cross join experiment_fan_day_key(d) k))
$$;

create function experiment_fan_days_engagement() returns trigger
language plpgsql as $$
declare
  ids bigint[];
  kinds text[];
  signs int[];
begin
  if tg_op = 'INSERT' then
    select array_agg(decision_id), array_agg(kind), array_agg(1) into ids, kinds, signs
      from new_table where kind in ('open', 'click') and decision_id is not null;
  elsif tg_op = 'DELETE' then
    select array_agg(decision_id), array_agg(kind), array_agg(-1) into ids, kinds, signs
      from old_table where kind in ('open', 'click') and decision_id is not null;
  else
    select array_agg(decision_id), array_agg(kind), array_agg(sign) into ids, kinds, signs
      from (select decision_id, kind, 1 as sign from new_table
            union all
            select decision_id, kind, -1 from old_table) m
     where kind in ('open', 'click') and decision_id is not null;
  end if;
  if ids is not null then
    perform experiment_fan_days_engaged(ids, kinds, signs);
  end if;
  return null;
end
$$;

-- Created before the backfill: each takes a lock that holds off writers to its table until this migration commits.
create trigger experiment_fan_days_insert after insert on decisions
  referencing new table as new_table for each statement execute function experiment_fan_days_decisions();
create trigger experiment_fan_days_update after update on decisions
  referencing old table as old_table new table as new_table
  for each statement execute function experiment_fan_days_decisions();
create trigger experiment_fan_days_delete after delete on decisions
  referencing old table as old_table for each statement execute function experiment_fan_days_decisions();

create trigger experiment_fan_days_insert after insert on deliveries
  referencing new table as new_table for each statement execute function experiment_fan_days_deliveries();
create trigger experiment_fan_days_update after update on deliveries
  referencing old table as old_table new table as new_table
  for each statement execute function experiment_fan_days_deliveries();
create trigger experiment_fan_days_delete after delete on deliveries
  referencing old table as old_table for each statement execute function experiment_fan_days_deliveries();

create trigger experiment_fan_days_insert after insert on engagement_events
  referencing new table as new_table for each statement execute function experiment_fan_days_engagement();
create trigger experiment_fan_days_update after update on engagement_events
  referencing old table as old_table new table as new_table
  for each statement execute function experiment_fan_days_engagement();
create trigger experiment_fan_days_delete after delete on engagement_events
  referencing old table as old_table for each statement execute function experiment_fan_days_engagement();

-- The rows already written, counted once, set-based.
insert into experiment_fan_days
select coalesce(d.experiment_id, 0), (d.decided_at at time zone 'utc')::date, coalesce(d.arm, 'system'), d.fan_id,
       count(*),
       count(*) filter (where d.action = 'alert' and s.decision_id is not null),
       count(*) filter (where d.action = 'alert' and o.decision_id is not null),
       count(*) filter (where d.action = 'digest' and o.decision_id is not null),
       count(c.decision_id)
  from decisions d
  left join (select distinct decision_id from deliveries where status = 'sent') s on s.decision_id = d.id
  left join engagement_events o on o.decision_id = d.id and o.kind = 'open'
  left join engagement_events c on c.decision_id = d.id and c.kind = 'click'
 group by 1, 2, 3, 4;

-- A results page's unsubscribes in its range, and a creator's event report's opens.
create index engagement_events_unsubscribe_idx on engagement_events (occurred_at, fan_id) where kind = 'unsubscribe';
create index engagement_events_event_idx on engagement_events (event_id, kind);
