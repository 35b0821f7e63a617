-- The console's overview and fatigue counts, kept as the log is written instead of recounted per page load
-- (docs/CONSOLE.md#how-the-counts-are-kept). Counts are per 15-minute UTC bucket: every IANA zone's day boundary falls
-- on one, so the days of any zone are whole sums of buckets. Statement-level AFTER triggers with transition tables on
-- decisions, deliveries and engagement_events insert one delta row per group a statement touched; no write path ever
-- updates a shared count row, so concurrent writers never wait on each other. compact_console_counts() folds old
-- buckets' deltas into one row per group. fan_day_alerts is the one table updated in place: a row per fan and day.

-- The writers wait while the tables are backfilled and the triggers made: no row is missed or counted twice.
lock table decisions, deliveries, engagement_events, memberships, fans in share row exclusive mode;

-- Seconds since the epoch through an interval, so the body is immutable as declared and the function is inlined.
create function console_bucket(at timestamptz) returns timestamptz
  language sql immutable parallel safe
  as $$ select to_timestamp(floor(extract(epoch from at - to_timestamp(0)) / 900) * 900) $$;

-- Decisions by the bucket of decided_at; `rule` is the binding cap or gap rule's name for the three reasons that
-- name one (reason_detail cap.name or gap.name), null otherwise.
create table decision_counts (
  bucket timestamptz not null,
  event_id bigint not null,
  channel text not null,
  action text not null,
  reason text not null,
  rule text,
  n integer not null
);
create index decision_counts_bucket on decision_counts (bucket);

-- Sent deliveries by the bucket of finished_at, with the decision's event and channel; opened and clicked count those
-- sends whose decision has an open (a click) row, whenever it came.
create table send_counts (
  bucket timestamptz not null,
  event_id bigint not null,
  channel text not null,
  sends integer not null,
  opened integer not null,
  clicked integer not null
);
create index send_counts_bucket on send_counts (bucket);

-- Unsubscribe engagement rows by the bucket of occurred_at; event_id null for an unsubscribe from no message.
create table unsubscribe_counts (
  bucket timestamptz not null,
  event_id bigint,
  channel text not null,
  n integer not null
);
create index unsubscribe_counts_bucket on unsubscribe_counts (bucket);

-- Decisions by the bucket of decided_at and segment: the fan's membership kind with the event's creator when the
-- decision was written (none without one), the decision's channel, the fan's locale then.
create table segment_counts (
  bucket timestamptz not null,
  channel text not null,
  membership text not null,
  locale text not null,
  action text not null,
  n integer not null
);
create index segment_counts_bucket on segment_counts (bucket);

-- Alerts per fan and day, the day of send_at in the fan's own time zone.
create table fan_day_alerts (
  fan_id bigint not null,
  day date not null,
  alerts integer not null,
  primary key (fan_id, day)
);

-- Fan-days by their alerts (1 to 5, 5 meaning five or more), deltas as fan_day_alerts changes.
create table alerts_per_fan_day (
  day date not null,
  alerts integer not null check (alerts between 1 and 5),
  fan_days integer not null
);
create index alerts_per_fan_day_day on alerts_per_fan_day (day);

-- The days each fan had a membership live some time in, in the fan's own time zone, as runs of days (`last` infinity
-- while one is live): the fan-days the alerts-per-fan-day histogram counts against. Rewritten for the fans a statement
-- on memberships (or a change of fans.time_zone) touched.
create table fan_membership_days (
  fan_id bigint not null,
  first date not null,
  last date not null,
  primary key (fan_id, first)
);

-- A membership's days run from the day it started to the day of the instant before it ended; overlapping runs of
-- one fan are merged.
create function refresh_fan_membership_days(fan_ids bigint[]) returns void
  language plpgsql set search_path from current
  as $$
  begin
    -- Two statements rewriting one fan's runs take turns (no key update: decisions' foreign keys still pass).
    perform 1 from fans where id = any(fan_ids) order by id for no key update;
    delete from fan_membership_days where fan_id = any(fan_ids);
    insert into fan_membership_days (fan_id, first, last)
    with spans as (
      select m.fan_id, (m.started_at at time zone f.time_zone)::date as first,
             coalesce(((m.ended_at at time zone f.time_zone) - interval '1 microsecond')::date, 'infinity') as last
      from memberships m
      cross join lateral (select time_zone from fans where id = m.fan_id offset 0) f
      where m.fan_id = any(fan_ids)
    ),
    ordered as (
      select fan_id, first, last,
             max(last) over (partition by fan_id order by first, last
                             rows between unbounded preceding and 1 preceding) as reached
      from spans where first <= last
    ),
    runs as (
      select fan_id, first, last,
             count(*) filter (where reached is null or first > reached)
               over (partition by fan_id order by first, last) as run
      from ordered
    )
    select fan_id, min(first), max(last) from runs group by fan_id, run;
  end
  $$;

create function count_membership_days() returns trigger
  language plpgsql set search_path from current
  as $$
  declare
    fan_ids bigint[];
  begin
    if tg_op = 'INSERT' then
      select array_agg(distinct fan_id) into fan_ids from new_rows;
    elsif tg_op = 'DELETE' then
      select array_agg(distinct fan_id) into fan_ids from old_rows;
    elsif tg_table_name = 'fans' then
      select array_agg(n.id) into fan_ids
      from new_rows n join old_rows o on o.id = n.id where n.time_zone is distinct from o.time_zone;
    else
      select array_agg(distinct fan_id) into fan_ids
      from (select fan_id from old_rows union all select fan_id from new_rows) u;
    end if;
    if fan_ids is not null then
      perform refresh_fan_membership_days(fan_ids);
    end if;
    return null;
  end
  $$;

create trigger memberships_days_insert after insert on memberships
  referencing new table as new_rows for each statement execute function count_membership_days();
create trigger memberships_days_update after update on memberships
  referencing old table as old_rows new table as new_rows for each statement execute function count_membership_days();
create trigger memberships_days_delete after delete on memberships
  referencing old table as old_rows for each statement execute function count_membership_days();
create trigger fans_days_update after update on fans
  referencing old table as old_rows new table as new_rows for each statement execute function count_membership_days();

-- Adds fan_day_alerts deltas (fan, day, signed alerts; one row per fan and day) and the histogram's changes. Rows are
-- upserted in (fan, day) order, so two statements lock the rows they share in the same order.
create function add_fan_day_alerts(fan_ids bigint[], days date[], deltas integer[]) returns void
  language sql set search_path from current
  as $$
  with src as (
    select * from unnest(fan_ids, days, deltas) as s(fan_id, day, delta) where delta <> 0
  ),
  up as (
    insert into fan_day_alerts as f (fan_id, day, alerts)
    select fan_id, day, delta from src order by fan_id, day
    on conflict (fan_id, day) do update set alerts = f.alerts + excluded.alerts
    returning f.fan_id, f.day, f.alerts
  ),
  moved as (
    select up.day, least(up.alerts, 5) as alerts, 1 as fan_days from up where up.alerts > 0
    union all
    select up.day, least(up.alerts - src.delta, 5), -1
    from up join src using (fan_id, day) where up.alerts - src.delta > 0
  )
  insert into alerts_per_fan_day (day, alerts, fan_days)
  select day, alerts, sum(fan_days) from moved group by 1, 2 having sum(fan_days) <> 0
  $$;

-- decisions: insert (+1) and delete (-1), the statement's rows in the transition table `changed`. Rows of other tables
-- are looked up row by row (scalar subqueries, lateral with offset 0) so that a page of 500 never hashes a whole table.
create function count_decisions() returns trigger
  language plpgsql set search_path from current
  as $$
  declare
    sign integer := case when tg_op = 'DELETE' then -1 else 1 end;
    fan_ids bigint[];
    days date[];
    deltas integer[];
  begin
    insert into decision_counts (bucket, event_id, channel, action, reason, rule, n)
    select console_bucket(c.decided_at), c.event_id, c.channel, c.action, c.reason,
           case when c.reason in ('digest_cap_reached', 'digest_slot_reserved_for_better', 'digest_min_gap')
                then coalesce(c.reason_detail->'cap'->>'name', c.reason_detail->'gap'->>'name') end,
           sign * count(*)
    from changed c
    group by 1, 2, 3, 4, 5, 6;

    insert into segment_counts (bucket, channel, membership, locale, action, n)
    select console_bucket(c.decided_at), c.channel,
           coalesce((select m.kind from memberships m
                     where m.fan_id = c.fan_id
                       and m.creator_id = (select e.creator_id from creator_events e where e.id = c.event_id)),
                    'none'),
           (select f.locale from fans f where f.id = c.fan_id), c.action, sign * count(*)
    from changed c
    group by 1, 2, 3, 4, 5;

    select array_agg(fan_id), array_agg(day), array_agg(n) into fan_ids, days, deltas
    from (
      select c.fan_id, (c.send_at at time zone (select f.time_zone from fans f where f.id = c.fan_id))::date as day,
             sign * count(*)::integer as n
      from changed c
      where c.action = 'alert'
      group by 1, 2
    ) a;
    if fan_ids is not null then
      perform add_fan_day_alerts(fan_ids, days, deltas);
    end if;
    return null;
  end
  $$;

create trigger decisions_counted_insert after insert on decisions
  referencing new table as changed for each statement execute function count_decisions();
create trigger decisions_counted_delete after delete on decisions
  referencing old table as changed for each statement execute function count_decisions();

-- Adds sends (signed, by decision and finished_at) to send_counts with the opens and clicks their decisions have.
-- An open or click written by the same statement as the delivery's sent row is left to the engagement trigger,
-- which sees the sent delivery and counts it (each statement's triggers see all of that statement's rows).
create function add_send_counts(decision_ids bigint[], finished timestamptz[], signs integer[]) returns void
  language sql set search_path from current
  as $$
  insert into send_counts (bucket, event_id, channel, sends, opened, clicked)
  select console_bucket(s.finished_at), d.event_id, d.channel, sum(s.sign), sum(s.sign * g.opened),
         sum(s.sign * g.clicked)
  from unnest(decision_ids, finished, signs) as s(decision_id, finished_at, sign)
  cross join lateral (select event_id, channel from decisions where id = s.decision_id offset 0) d
  cross join lateral (
    select count(*) filter (where e.kind = 'open') as opened, count(*) filter (where e.kind = 'click') as clicked
    from engagement_events e
    where e.decision_id = s.decision_id and e.kind in ('open', 'click')
      and not (s.sign > 0 and exists (
        select 1 from deliveries x
        where x.decision_id = s.decision_id and x.status = 'sent' and x.finished_at = s.finished_at
          and x.xmin = e.xmin and x.cmin = e.cmin
      ))
  ) g
  group by 1, 2, 3
  having sum(s.sign) <> 0
  $$;

-- deliveries: a row counts while its status is 'sent', in the bucket of its finished_at.
create function count_sends() returns trigger
  language plpgsql set search_path from current
  as $$
  declare
    decision_ids bigint[];
    finished timestamptz[];
    signs integer[];
  begin
    if tg_op = 'INSERT' then
      select array_agg(decision_id), array_agg(finished_at), array_agg(1) into decision_ids, finished, signs
      from new_rows where status = 'sent' and finished_at is not null;
    elsif tg_op = 'DELETE' then
      select array_agg(decision_id), array_agg(finished_at), array_agg(-1) into decision_ids, finished, signs
      from old_rows where status = 'sent' and finished_at is not null;
    else
      select array_agg(decision_id), array_agg(finished_at), array_agg(sign) into decision_ids, finished, signs
      from (
        select decision_id, finished_at, sum(sign)::integer as sign
        from (
          select decision_id, finished_at, -1 as sign from old_rows where status = 'sent' and finished_at is not null
          union all
          select decision_id, finished_at, 1 from new_rows where status = 'sent' and finished_at is not null
        ) u
        group by 1, 2
        having sum(sign) <> 0
      ) moved;
    end if;
    if decision_ids is not null then
      perform add_send_counts(decision_ids, finished, signs);
    end if;
    return null;
  end
  $$;

create trigger deliveries_counted_insert after insert on deliveries
  referencing new table as new_rows for each statement execute function count_sends();
create trigger deliveries_counted_update after update on deliveries
  referencing old table as old_rows new table as new_rows for each statement execute function count_sends();
create trigger deliveries_counted_delete after delete on deliveries
  referencing old table as old_rows for each statement execute function count_sends();

-- engagement_events: opens and clicks count against their decision's sent delivery; unsubscribes by occurred_at.
create function count_engagement() returns trigger
  language plpgsql set search_path from current
  as $$
  declare
    sign integer := case when tg_op = 'DELETE' then -1 else 1 end;
  begin
    if sign > 0 then
      -- A delivery being marked sent (or no longer sent) by a transaction still open is waited for, so that either
      -- this statement sees it as that transaction left it or that transaction's trigger sees this open: never
      -- neither. Rows this transaction wrote itself (a seeded page) no other can be changing.
      perform 1 from deliveries x
      where x.decision_id = any(array(select g.decision_id from changed g where g.kind in ('open', 'click')))
        and x.xmin <> pg_current_xact_id()::xid
      order by x.id
      for share;
    end if;

    insert into send_counts (bucket, event_id, channel, sends, opened, clicked)
    select console_bucket(dl.finished_at), dl.event_id, dl.channel, 0,
           sign * count(*) filter (where g.kind = 'open'), sign * count(*) filter (where g.kind = 'click')
    from changed g
    -- Row by row through the indexes (offset 0 keeps the planner from hashing the whole log against a page).
    cross join lateral (
      select x.finished_at, d.event_id, d.channel
      from deliveries x join decisions d on d.id = x.decision_id
      where x.decision_id = g.decision_id and x.status = 'sent' and x.finished_at is not null and d.id = g.decision_id
      offset 0
    ) dl
    where g.kind in ('open', 'click')
    group by 1, 2, 3;

    insert into unsubscribe_counts (bucket, event_id, channel, n)
    select console_bucket(g.occurred_at), g.event_id, coalesce(g.channel, 'email'), sign * count(*)
    from changed g
    where g.kind = 'unsubscribe'
    group by 1, 2, 3;
    return null;
  end
  $$;

create trigger engagement_counted_insert after insert on engagement_events
  referencing new table as changed for each statement execute function count_engagement();
create trigger engagement_counted_delete after delete on engagement_events
  referencing old table as changed for each statement execute function count_engagement();

-- Folds the delta rows of buckets (days) before `before` into one row per group, in one transaction. Rows written
-- meanwhile stay as further deltas; a group that sums to nothing is dropped. Returns the rows removed.
create function compact_console_counts(before timestamptz) returns bigint
  language plpgsql set search_path from current
  as $$
  declare
    removed bigint := 0;
    folded bigint;
  begin
    with many as (
      select bucket, event_id, channel, action, reason, rule from decision_counts where bucket < before
      group by 1, 2, 3, 4, 5, 6 having count(*) > 1
    ),
    gone as (
      delete from decision_counts t using many m
      where t.bucket = m.bucket and t.event_id = m.event_id and t.channel = m.channel and t.action = m.action
        and t.reason = m.reason and t.rule is not distinct from m.rule
      returning t.*
    ),
    kept as (
      insert into decision_counts
      select bucket, event_id, channel, action, reason, rule, sum(n) from gone
      group by 1, 2, 3, 4, 5, 6 having sum(n) <> 0
      returning 1
    )
    select (select count(*) from gone) - (select count(*) from kept) into folded;
    removed := removed + folded;

    with many as (
      select bucket, event_id, channel from send_counts where bucket < before
      group by 1, 2, 3 having count(*) > 1
    ),
    gone as (
      delete from send_counts t using many m
      where t.bucket = m.bucket and t.event_id = m.event_id and t.channel = m.channel
      returning t.*
    ),
    kept as (
      insert into send_counts
      select bucket, event_id, channel, sum(sends), sum(opened), sum(clicked) from gone
      group by 1, 2, 3 having sum(sends) <> 0 or sum(opened) <> 0 or sum(clicked) <> 0
      returning 1
    )
    select (select count(*) from gone) - (select count(*) from kept) into folded;
    removed := removed + folded;

    with many as (
      select bucket, event_id, channel from unsubscribe_counts where bucket < before
      group by 1, 2, 3 having count(*) > 1
    ),
    gone as (
      delete from unsubscribe_counts t using many m
      where t.bucket = m.bucket and t.event_id is not distinct from m.event_id and t.channel = m.channel
      returning t.*
    ),
    kept as (
      insert into unsubscribe_counts
      select bucket, event_id, channel, sum(n) from gone group by 1, 2, 3 having sum(n) <> 0
      returning 1
    )
    select (select count(*) from gone) - (select count(*) from kept) into folded;
    removed := removed + folded;

    with many as (
      select bucket, channel, membership, locale, action from segment_counts where bucket < before
      group by 1, 2, 3, 4, 5 having count(*) > 1
    ),
    gone as (
      delete from segment_counts t using many m
      where t.bucket = m.bucket and t.channel = m.channel and t.membership = m.membership and t.locale = m.locale
        and t.action = m.action
      returning t.*
    ),
    kept as (
      insert into segment_counts
      select bucket, channel, membership, locale, action, sum(n) from gone group by 1, 2, 3, 4, 5 having sum(n) <> 0
      returning 1
    )
    select (select count(*) from gone) - (select count(*) from kept) into folded;
    removed := removed + folded;

    with many as (
      select day, alerts from alerts_per_fan_day where day < (before at time zone 'UTC')::date - 1
      group by 1, 2 having count(*) > 1
    ),
    gone as (
      delete from alerts_per_fan_day t using many m where t.day = m.day and t.alerts = m.alerts
      returning t.*
    ),
    kept as (
      insert into alerts_per_fan_day
      select day, alerts, sum(fan_days) from gone group by 1, 2 having sum(fan_days) <> 0
      returning 1
    )
    select (select count(*) from gone) - (select count(*) from kept) into folded;
    removed := removed + folded;

    delete from fan_day_alerts where alerts = 0;
    get diagnostics folded = row_count;
    return removed + folded;
  end
  $$;

-- The backfill, from the rows already written.
insert into decision_counts (bucket, event_id, channel, action, reason, rule, n)
select console_bucket(decided_at), event_id, channel, action, reason,
       case when reason in ('digest_cap_reached', 'digest_slot_reserved_for_better', 'digest_min_gap')
            then coalesce(reason_detail->'cap'->>'name', reason_detail->'gap'->>'name') end,
       count(*)
from decisions
group by 1, 2, 3, 4, 5, 6;

insert into segment_counts (bucket, channel, membership, locale, action, n)
select console_bucket(d.decided_at), d.channel, coalesce(m.kind, 'none'), f.locale, d.action, count(*)
from decisions d
join creator_events e on e.id = d.event_id
join fans f on f.id = d.fan_id
left join memberships m on m.fan_id = d.fan_id and m.creator_id = e.creator_id
group by 1, 2, 3, 4, 5;

insert into fan_day_alerts (fan_id, day, alerts)
select d.fan_id, (d.send_at at time zone f.time_zone)::date, count(*)
from decisions d join fans f on f.id = d.fan_id
where d.action = 'alert'
group by 1, 2;

insert into alerts_per_fan_day (day, alerts, fan_days)
select day, least(alerts, 5), count(*) from fan_day_alerts group by 1, 2;

insert into send_counts (bucket, event_id, channel, sends, opened, clicked)
select console_bucket(dl.finished_at), d.event_id, d.channel, count(*), count(o.decision_id), count(c.decision_id)
from deliveries dl
join decisions d on d.id = dl.decision_id
left join engagement_events o on o.decision_id = dl.decision_id and o.kind = 'open'
left join engagement_events c on c.decision_id = dl.decision_id and c.kind = 'click'
where dl.status = 'sent' and dl.finished_at is not null
group by 1, 2, 3;

insert into unsubscribe_counts (bucket, event_id, channel, n)
select console_bucket(occurred_at), event_id, coalesce(channel, 'email'), count(*)
from engagement_events
where kind = 'unsubscribe'
group by 1, 2, 3;

select refresh_fan_membership_days(array(select distinct fan_id from memberships));
