CREATE SCHEMA fanfare;

CREATE FUNCTION fanfare.add_fan_day_alerts(fan_ids bigint[], days date[], deltas integer[]) RETURNS void
    LANGUAGE sql
    SET search_path TO 'fanfare'
    AS $$
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

CREATE FUNCTION fanfare.add_send_counts(decision_ids bigint[], finished timestamp with time zone[], signs integer[]) RETURNS void
    LANGUAGE sql
    SET search_path TO 'fanfare'
    AS $$
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

CREATE FUNCTION fanfare.compact_console_counts(before timestamp with time zone) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path TO 'fanfare'
    AS $$
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

CREATE FUNCTION fanfare.console_bucket(at timestamp with time zone) RETURNS timestamp with time zone
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ select to_timestamp(floor(extract(epoch from at - to_timestamp(0)) / 900) * 900) $$;

CREATE FUNCTION fanfare.count_decisions() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'fanfare'
    AS $$
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

CREATE FUNCTION fanfare.count_engagement() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'fanfare'
    AS $$
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

CREATE FUNCTION fanfare.count_membership_days() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'fanfare'
    AS $$
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

CREATE FUNCTION fanfare.count_sends() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'fanfare'
    AS $$
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

CREATE TABLE fanfare.decisions (
    id bigint NOT NULL,
    event_id bigint NOT NULL,
    fan_id bigint NOT NULL,
    channel text NOT NULL,
    action text NOT NULL,
    send_at timestamp with time zone,
    policy text NOT NULL,
    reason text NOT NULL,
    reason_detail jsonb DEFAULT '{}'::jsonb NOT NULL,
    model_version integer,
    score double precision,
    contributions jsonb,
    decided_at timestamp with time zone DEFAULT now() NOT NULL,
    experiment_id bigint,
    arm text,
    features bytea,
    CONSTRAINT decisions_action_check CHECK ((action = ANY (ARRAY['alert'::text, 'digest'::text, 'suppress'::text]))),
    CONSTRAINT decisions_arm_check CHECK (((experiment_id IS NULL) OR (arm IS NOT NULL))),
    CONSTRAINT decisions_channel_check CHECK ((channel = ANY (ARRAY['email'::text, 'push'::text]))),
    CONSTRAINT decisions_check CHECK (((action = 'alert'::text) = (send_at IS NOT NULL)))
);

CREATE TABLE fanfare.experiment_fan_days (
    experiment_id bigint NOT NULL,
    day date NOT NULL,
    arm text NOT NULL,
    fan_id bigint NOT NULL,
    decisions integer NOT NULL,
    alerts integer NOT NULL,
    alert_opens integer NOT NULL,
    digest_opens integer NOT NULL,
    clicks integer NOT NULL
);

CREATE FUNCTION fanfare.experiment_fan_day_key(d fanfare.decisions) RETURNS fanfare.experiment_fan_days
    LANGUAGE sql IMMUTABLE
    AS $$
  select row(coalesce(d.experiment_id, 0), (d.decided_at at time zone 'utc')::date, coalesce(d.arm, 'system'),
             d.fan_id, 0, 0, 0, 0, 0)::experiment_fan_days
$$;

CREATE FUNCTION fanfare.experiment_fan_days_add(changes fanfare.experiment_fan_days[]) RETURNS void
    LANGUAGE sql
    AS $$
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

CREATE FUNCTION fanfare.experiment_fan_days_decisions() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

CREATE FUNCTION fanfare.experiment_fan_days_deliveries() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

CREATE FUNCTION fanfare.experiment_fan_days_engaged(decision_ids bigint[], kinds text[], signs integer[]) RETURNS void
    LANGUAGE sql
    AS $$
  select experiment_fan_days_add(array(
    select row(k.experiment_id, k.day, k.arm, k.fan_id, 0, 0,
               c.sign * (c.kind = 'open' and d.action = 'alert')::int,
               c.sign * (c.kind = 'open' and d.action = 'digest')::int,
               c.sign * (c.kind = 'click')::int)::experiment_fan_days
      from unnest(decision_ids, kinds, signs) c (decision_id, kind, sign)
      join decisions d on d.id = c.decision_id
      cross join experiment_fan_day_key(d) k))
$$;

CREATE FUNCTION fanfare.experiment_fan_days_engagement() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

CREATE FUNCTION fanfare.experiment_fan_days_sent(decision_ids bigint[], changes bigint[]) RETURNS void
    LANGUAGE sql
    AS $$
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

CREATE FUNCTION fanfare.refresh_fan_membership_days(fan_ids bigint[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'fanfare'
    AS $$
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

CREATE TABLE fanfare.alert_rule_audit (
    id bigint NOT NULL,
    version integer NOT NULL,
    actor text NOT NULL,
    action text NOT NULL,
    diff jsonb DEFAULT '[]'::jsonb NOT NULL,
    at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE SEQUENCE fanfare.alert_rule_audit_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE fanfare.alert_rule_audit_id_seq OWNED BY fanfare.alert_rule_audit.id;

CREATE TABLE fanfare.alert_rules (
    version integer NOT NULL,
    document jsonb NOT NULL,
    active boolean DEFAULT false NOT NULL,
    created_by text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE SEQUENCE fanfare.alert_rules_version_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE fanfare.alert_rules_version_seq OWNED BY fanfare.alert_rules.version;

CREATE TABLE fanfare.alerts (
    id bigint NOT NULL,
    rule text NOT NULL,
    rule_version integer,
    message text NOT NULL,
    value double precision NOT NULL,
    threshold double precision NOT NULL,
    detail jsonb DEFAULT '{}'::jsonb NOT NULL,
    raised_at timestamp with time zone DEFAULT now() NOT NULL,
    notified_at timestamp with time zone,
    cleared_at timestamp with time zone,
    CONSTRAINT alerts_check CHECK (((cleared_at IS NULL) OR (cleared_at >= raised_at)))
);

CREATE SEQUENCE fanfare.alerts_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE fanfare.alerts_id_seq OWNED BY fanfare.alerts.id;

CREATE TABLE fanfare.alerts_per_fan_day (
    day date NOT NULL,
    alerts integer NOT NULL,
    fan_days integer NOT NULL,
    CONSTRAINT alerts_per_fan_day_alerts_check CHECK (((alerts >= 1) AND (alerts <= 5)))
);

CREATE TABLE fanfare.audit_log (
    id bigint NOT NULL,
    at timestamp with time zone DEFAULT now() NOT NULL,
    kind text NOT NULL,
    actor text NOT NULL,
    action text NOT NULL,
    subject text NOT NULL,
    detail jsonb DEFAULT '{}'::jsonb NOT NULL,
    CONSTRAINT audit_log_kind_check CHECK ((kind = ANY (ARRAY['model'::text, 'team'::text, 'service-credential'::text, 'creator-key'::text])))
);

CREATE SEQUENCE fanfare.audit_log_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE fanfare.audit_log_id_seq OWNED BY fanfare.audit_log.id;

CREATE TABLE fanfare.cap_policies (
    version integer NOT NULL,
    document jsonb NOT NULL,
    active boolean DEFAULT false NOT NULL,
    created_by text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE SEQUENCE fanfare.cap_policies_version_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE fanfare.cap_policies_version_seq OWNED BY fanfare.cap_policies.version;

CREATE TABLE fanfare.cap_policy_audit (
    id bigint NOT NULL,
    version integer NOT NULL,
    actor text NOT NULL,
    action text NOT NULL,
    diff jsonb DEFAULT '{}'::jsonb NOT NULL,
    at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE SEQUENCE fanfare.cap_policy_audit_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE fanfare.cap_policy_audit_id_seq OWNED BY fanfare.cap_policy_audit.id;

CREATE TABLE fanfare.creator_events (
    id bigint NOT NULL,
    creator_id bigint NOT NULL,
    kind text NOT NULL,
    title text NOT NULL,
    url text NOT NULL,
    audience text NOT NULL,
    min_tier integer,
    idempotency_key text NOT NULL,
    deadline timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    first_sent_at timestamp with time zone,
    CONSTRAINT creator_events_audience_check CHECK ((audience = ANY (ARRAY['all'::text, 'paid'::text, 'tier'::text]))),
    CONSTRAINT creator_events_check CHECK (((audience = 'tier'::text) = (min_tier IS NOT NULL))),
    CONSTRAINT creator_events_kind_check CHECK ((kind = ANY (ARRAY['post'::text, 'live'::text, 'announcement'::text])))
);

CREATE SEQUENCE fanfare.creator_events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE fanfare.creator_events_id_seq OWNED BY fanfare.creator_events.id;

CREATE TABLE fanfare.creator_keys (
    id bigint NOT NULL,
    creator_id bigint NOT NULL,
    label text NOT NULL,
    secret_hash bytea NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    last_used_at timestamp with time zone,
    revoked_at timestamp with time zone,
    CONSTRAINT creator_keys_label_check CHECK (((length(label) >= 1) AND (length(label) <= 100))),
    CONSTRAINT creator_keys_secret_hash_check CHECK ((length(secret_hash) = 32))
);

CREATE SEQUENCE fanfare.creator_keys_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE fanfare.creator_keys_id_seq OWNED BY fanfare.creator_keys.id;

CREATE TABLE fanfare.creators (
    id bigint NOT NULL,
    handle text NOT NULL,
    display_name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE SEQUENCE fanfare.creators_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE fanfare.creators_id_seq OWNED BY fanfare.creators.id;

CREATE TABLE fanfare.decision_counts (
    bucket timestamp with time zone NOT NULL,
    event_id bigint NOT NULL,
    channel text NOT NULL,
    action text NOT NULL,
    reason text NOT NULL,
    rule text,
    n integer NOT NULL
);

CREATE SEQUENCE fanfare.decisions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE fanfare.decisions_id_seq OWNED BY fanfare.decisions.id;

CREATE TABLE fanfare.deliveries (
    id bigint NOT NULL,
    decision_id bigint NOT NULL,
    channel text NOT NULL,
    status text NOT NULL,
    claim_token text,
    attempts integer DEFAULT 1 NOT NULL,
    provider_message_id text,
    error_code text,
    error_message text,
    started_at timestamp with time zone DEFAULT now() NOT NULL,
    finished_at timestamp with time zone,
    CONSTRAINT deliveries_channel_check CHECK ((channel = ANY (ARRAY['email'::text, 'push'::text]))),
    CONSTRAINT deliveries_status_check CHECK ((status = ANY (ARRAY['claimed'::text, 'sending'::text, 'sent'::text, 'retry'::text, 'failed'::text, 'skipped'::text, 'possibly_sent'::text])))
);

CREATE SEQUENCE fanfare.deliveries_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE fanfare.deliveries_id_seq OWNED BY fanfare.deliveries.id;

CREATE TABLE fanfare.digests (
    id bigint NOT NULL,
    fan_id bigint NOT NULL,
    period text NOT NULL,
    cadence text NOT NULL,
    items jsonb NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    claim_token text,
    attempts integer DEFAULT 0 NOT NULL,
    provider_message_id text,
    error_code text,
    error_message text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    finished_at timestamp with time zone,
    CONSTRAINT digests_cadence_check CHECK ((cadence = ANY (ARRAY['daily'::text, 'weekly'::text]))),
    CONSTRAINT digests_items_check CHECK ((jsonb_array_length(items) > 0)),
    CONSTRAINT digests_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'claimed'::text, 'sending'::text, 'sent'::text, 'retry'::text, 'failed'::text, 'skipped'::text, 'possibly_sent'::text])))
);

CREATE SEQUENCE fanfare.digests_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE fanfare.digests_id_seq OWNED BY fanfare.digests.id;

CREATE TABLE fanfare.engagement_events (
    id bigint NOT NULL,
    delivery_id bigint,
    decision_id bigint,
    fan_id bigint NOT NULL,
    event_id bigint,
    channel text,
    kind text NOT NULL,
    occurred_at timestamp with time zone DEFAULT now() NOT NULL,
    detail jsonb DEFAULT '{}'::jsonb NOT NULL,
    CONSTRAINT engagement_events_channel_check CHECK ((channel = ANY (ARRAY['email'::text, 'push'::text]))),
    CONSTRAINT engagement_events_kind_check CHECK ((kind = ANY (ARRAY['open'::text, 'click'::text, 'unsubscribe'::text, 'bounce'::text])))
);

CREATE SEQUENCE fanfare.engagement_events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE fanfare.engagement_events_id_seq OWNED BY fanfare.engagement_events.id;

CREATE TABLE fanfare.experiment_arms (
    experiment_id bigint NOT NULL,
    name text NOT NULL,
    allocation numeric(5,2) NOT NULL,
    cap_policy_version integer,
    model_version integer,
    holdout boolean DEFAULT false NOT NULL,
    CONSTRAINT experiment_arms_allocation_check CHECK (((allocation > (0)::numeric) AND (allocation <= (100)::numeric))),
    CONSTRAINT experiment_arms_check CHECK (((NOT holdout) OR ((cap_policy_version IS NULL) AND (model_version IS NULL)))),
    CONSTRAINT experiment_arms_name_check CHECK ((name ~ '^[a-z0-9][a-z0-9_-]{0,39}$'::text))
);

CREATE TABLE fanfare.experiments (
    id bigint NOT NULL,
    name text NOT NULL,
    bucket_start integer NOT NULL,
    bucket_end integer NOT NULL,
    created_by text NOT NULL,
    started_at timestamp with time zone DEFAULT now() NOT NULL,
    stopped_at timestamp with time zone,
    stopped_by text,
    CONSTRAINT experiments_bucket_end_check CHECK ((bucket_end <= 10000)),
    CONSTRAINT experiments_bucket_start_check CHECK ((bucket_start >= 0)),
    CONSTRAINT experiments_check CHECK ((bucket_start < bucket_end)),
    CONSTRAINT experiments_check1 CHECK (((stopped_at IS NULL) = (stopped_by IS NULL))),
    CONSTRAINT experiments_name_check CHECK (((length(name) >= 1) AND (length(name) <= 100)))
);

CREATE SEQUENCE fanfare.experiments_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE fanfare.experiments_id_seq OWNED BY fanfare.experiments.id;

CREATE TABLE fanfare.fan_day_alerts (
    fan_id bigint NOT NULL,
    day date NOT NULL,
    alerts integer NOT NULL
);

CREATE TABLE fanfare.fan_membership_days (
    fan_id bigint NOT NULL,
    first date NOT NULL,
    last date NOT NULL
);

CREATE TABLE fanfare.fans (
    id bigint NOT NULL,
    email text NOT NULL,
    time_zone text DEFAULT 'UTC'::text NOT NULL,
    locale text DEFAULT 'en'::text NOT NULL,
    email_status text DEFAULT 'active'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT fans_email_status_check CHECK ((email_status = ANY (ARRAY['active'::text, 'undeliverable'::text])))
);

CREATE SEQUENCE fanfare.fans_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE fanfare.fans_id_seq OWNED BY fanfare.fans.id;

CREATE TABLE fanfare.inbound_mail (
    id bigint NOT NULL,
    received_at timestamp with time zone DEFAULT now() NOT NULL,
    kind text NOT NULL,
    outcome text NOT NULL,
    envelope_from text NOT NULL,
    envelope_to text[] NOT NULL,
    message_id text,
    subject text,
    fan_id bigint,
    decision_id bigint,
    detail jsonb DEFAULT '{}'::jsonb NOT NULL,
    raw text NOT NULL,
    CONSTRAINT inbound_mail_kind_check CHECK ((kind = ANY (ARRAY['unsubscribe'::text, 'bounce'::text, 'complaint'::text, 'other'::text])))
);

CREATE SEQUENCE fanfare.inbound_mail_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE fanfare.inbound_mail_id_seq OWNED BY fanfare.inbound_mail.id;

CREATE TABLE fanfare.memberships (
    fan_id bigint NOT NULL,
    creator_id bigint NOT NULL,
    kind text NOT NULL,
    tier integer DEFAULT 0 NOT NULL,
    started_at timestamp with time zone DEFAULT now() NOT NULL,
    ended_at timestamp with time zone,
    CONSTRAINT memberships_kind_check CHECK ((kind = ANY (ARRAY['free'::text, 'paid'::text]))),
    CONSTRAINT memberships_tier_check CHECK ((tier >= 0))
);

CREATE TABLE fanfare.models (
    version integer NOT NULL,
    status text NOT NULL,
    params jsonb DEFAULT '{}'::jsonb NOT NULL,
    metrics jsonb DEFAULT '{}'::jsonb NOT NULL,
    oracle_metrics jsonb,
    train_from timestamp with time zone,
    train_to timestamp with time zone,
    model_text text NOT NULL,
    reason text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    promoted_at timestamp with time zone,
    CONSTRAINT models_status_check CHECK ((status = ANY (ARRAY['candidate'::text, 'active'::text, 'rejected'::text, 'retired'::text])))
);

CREATE SEQUENCE fanfare.models_version_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE fanfare.models_version_seq OWNED BY fanfare.models.version;

CREATE TABLE fanfare.muted_creators (
    fan_id bigint NOT NULL,
    creator_id bigint NOT NULL,
    muted_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE fanfare.preferences (
    fan_id bigint NOT NULL,
    email_enabled boolean DEFAULT true NOT NULL,
    push_enabled boolean DEFAULT true NOT NULL,
    digest_cadence text DEFAULT 'daily'::text NOT NULL,
    digest_hour integer,
    quiet_start integer,
    quiet_end integer,
    unsubscribed_at timestamp with time zone,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT preferences_digest_cadence_check CHECK ((digest_cadence = ANY (ARRAY['off'::text, 'daily'::text, 'weekly'::text]))),
    CONSTRAINT preferences_digest_hour_check CHECK (((digest_hour >= 0) AND (digest_hour <= 23))),
    CONSTRAINT preferences_quiet_end_check CHECK (((quiet_end >= 0) AND (quiet_end <= 23))),
    CONSTRAINT preferences_quiet_start_check CHECK (((quiet_start >= 0) AND (quiet_start <= 23)))
);

CREATE TABLE fanfare.provider_limits (
    provider text NOT NULL,
    next_at timestamp with time zone DEFAULT now() NOT NULL,
    paused_until timestamp with time zone DEFAULT now() NOT NULL,
    refusals integer DEFAULT 0 NOT NULL
);

CREATE TABLE fanfare.provider_slots (
    provider text NOT NULL,
    slot integer NOT NULL,
    holder text,
    held_until timestamp with time zone DEFAULT '-infinity'::timestamp with time zone NOT NULL
);

CREATE TABLE fanfare.push_subscriptions (
    id bigint NOT NULL,
    fan_id bigint NOT NULL,
    endpoint text NOT NULL,
    p256dh text NOT NULL,
    auth text NOT NULL,
    status text DEFAULT 'active'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    revoked_at timestamp with time zone,
    CONSTRAINT push_subscriptions_status_check CHECK ((status = ANY (ARRAY['active'::text, 'revoked'::text])))
);

CREATE SEQUENCE fanfare.push_subscriptions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE fanfare.push_subscriptions_id_seq OWNED BY fanfare.push_subscriptions.id;

CREATE TABLE fanfare.rate_limits (
    key character varying(255) NOT NULL,
    points integer DEFAULT 0 NOT NULL,
    expire bigint
);

CREATE TABLE fanfare.relevance_reports (
    id bigint NOT NULL,
    as_of timestamp with time zone NOT NULL,
    model_version integer,
    report jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE SEQUENCE fanfare.relevance_reports_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE fanfare.relevance_reports_id_seq OWNED BY fanfare.relevance_reports.id;

CREATE TABLE fanfare.schema_migrations (
    version integer NOT NULL,
    name text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE fanfare.segment_counts (
    bucket timestamp with time zone NOT NULL,
    channel text NOT NULL,
    membership text NOT NULL,
    locale text NOT NULL,
    action text NOT NULL,
    n integer NOT NULL
);

CREATE TABLE fanfare.send_counts (
    bucket timestamp with time zone NOT NULL,
    event_id bigint NOT NULL,
    channel text NOT NULL,
    sends integer NOT NULL,
    opened integer NOT NULL,
    clicked integer NOT NULL
);

CREATE TABLE fanfare.service_credentials (
    id bigint NOT NULL,
    name text NOT NULL,
    secret_hash bytea NOT NULL,
    role text NOT NULL,
    created_by text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    last_used_at timestamp with time zone,
    revoked_at timestamp with time zone,
    CONSTRAINT service_credentials_name_check CHECK ((name ~ '^[a-z0-9][a-z0-9._-]{0,63}$'::text)),
    CONSTRAINT service_credentials_role_check CHECK ((role = ANY (ARRAY['viewer'::text, 'editor'::text, 'admin'::text]))),
    CONSTRAINT service_credentials_secret_hash_check CHECK ((length(secret_hash) = 32))
);

CREATE SEQUENCE fanfare.service_credentials_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE fanfare.service_credentials_id_seq OWNED BY fanfare.service_credentials.id;

CREATE TABLE fanfare.sessions (
    id bigint NOT NULL,
    member_id bigint NOT NULL,
    token_hash bytea NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    last_seen_at timestamp with time zone DEFAULT now() NOT NULL,
    revoked_at timestamp with time zone,
    CONSTRAINT sessions_check CHECK ((expires_at > created_at)),
    CONSTRAINT sessions_token_hash_check CHECK ((length(token_hash) = 32))
);

CREATE SEQUENCE fanfare.sessions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE fanfare.sessions_id_seq OWNED BY fanfare.sessions.id;

CREATE TABLE fanfare.settings (
    key text NOT NULL,
    value jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE fanfare.team_members (
    id bigint NOT NULL,
    username text NOT NULL,
    password_hash text NOT NULL,
    role text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    removed_at timestamp with time zone,
    CONSTRAINT team_members_role_check CHECK ((role = ANY (ARRAY['viewer'::text, 'editor'::text, 'admin'::text]))),
    CONSTRAINT team_members_username_check CHECK ((username ~ '^[a-z0-9][a-z0-9._-]{0,63}$'::text))
);

CREATE SEQUENCE fanfare.team_members_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE fanfare.team_members_id_seq OWNED BY fanfare.team_members.id;

CREATE TABLE fanfare.unsubscribe_counts (
    bucket timestamp with time zone NOT NULL,
    event_id bigint,
    channel text NOT NULL,
    n integer NOT NULL
);

ALTER TABLE ONLY fanfare.alert_rule_audit ALTER COLUMN id SET DEFAULT nextval('fanfare.alert_rule_audit_id_seq'::regclass);

ALTER TABLE ONLY fanfare.alert_rules ALTER COLUMN version SET DEFAULT nextval('fanfare.alert_rules_version_seq'::regclass);

ALTER TABLE ONLY fanfare.alerts ALTER COLUMN id SET DEFAULT nextval('fanfare.alerts_id_seq'::regclass);

ALTER TABLE ONLY fanfare.audit_log ALTER COLUMN id SET DEFAULT nextval('fanfare.audit_log_id_seq'::regclass);

ALTER TABLE ONLY fanfare.cap_policies ALTER COLUMN version SET DEFAULT nextval('fanfare.cap_policies_version_seq'::regclass);

ALTER TABLE ONLY fanfare.cap_policy_audit ALTER COLUMN id SET DEFAULT nextval('fanfare.cap_policy_audit_id_seq'::regclass);

ALTER TABLE ONLY fanfare.creator_events ALTER COLUMN id SET DEFAULT nextval('fanfare.creator_events_id_seq'::regclass);

ALTER TABLE ONLY fanfare.creator_keys ALTER COLUMN id SET DEFAULT nextval('fanfare.creator_keys_id_seq'::regclass);

ALTER TABLE ONLY fanfare.creators ALTER COLUMN id SET DEFAULT nextval('fanfare.creators_id_seq'::regclass);

ALTER TABLE ONLY fanfare.decisions ALTER COLUMN id SET DEFAULT nextval('fanfare.decisions_id_seq'::regclass);

ALTER TABLE ONLY fanfare.deliveries ALTER COLUMN id SET DEFAULT nextval('fanfare.deliveries_id_seq'::regclass);

ALTER TABLE ONLY fanfare.digests ALTER COLUMN id SET DEFAULT nextval('fanfare.digests_id_seq'::regclass);

ALTER TABLE ONLY fanfare.engagement_events ALTER COLUMN id SET DEFAULT nextval('fanfare.engagement_events_id_seq'::regclass);

ALTER TABLE ONLY fanfare.experiments ALTER COLUMN id SET DEFAULT nextval('fanfare.experiments_id_seq'::regclass);

ALTER TABLE ONLY fanfare.fans ALTER COLUMN id SET DEFAULT nextval('fanfare.fans_id_seq'::regclass);

ALTER TABLE ONLY fanfare.inbound_mail ALTER COLUMN id SET DEFAULT nextval('fanfare.inbound_mail_id_seq'::regclass);

ALTER TABLE ONLY fanfare.models ALTER COLUMN version SET DEFAULT nextval('fanfare.models_version_seq'::regclass);

ALTER TABLE ONLY fanfare.push_subscriptions ALTER COLUMN id SET DEFAULT nextval('fanfare.push_subscriptions_id_seq'::regclass);

ALTER TABLE ONLY fanfare.relevance_reports ALTER COLUMN id SET DEFAULT nextval('fanfare.relevance_reports_id_seq'::regclass);

ALTER TABLE ONLY fanfare.service_credentials ALTER COLUMN id SET DEFAULT nextval('fanfare.service_credentials_id_seq'::regclass);

ALTER TABLE ONLY fanfare.sessions ALTER COLUMN id SET DEFAULT nextval('fanfare.sessions_id_seq'::regclass);

ALTER TABLE ONLY fanfare.team_members ALTER COLUMN id SET DEFAULT nextval('fanfare.team_members_id_seq'::regclass);

ALTER TABLE ONLY fanfare.alert_rule_audit
    ADD CONSTRAINT alert_rule_audit_pkey PRIMARY KEY (id);

ALTER TABLE ONLY fanfare.alert_rules
    ADD CONSTRAINT alert_rules_pkey PRIMARY KEY (version);

ALTER TABLE ONLY fanfare.alerts
    ADD CONSTRAINT alerts_pkey PRIMARY KEY (id);

ALTER TABLE ONLY fanfare.audit_log
    ADD CONSTRAINT audit_log_pkey PRIMARY KEY (id);

ALTER TABLE ONLY fanfare.cap_policies
    ADD CONSTRAINT cap_policies_pkey PRIMARY KEY (version);

ALTER TABLE ONLY fanfare.cap_policy_audit
    ADD CONSTRAINT cap_policy_audit_pkey PRIMARY KEY (id);

ALTER TABLE ONLY fanfare.creator_events
    ADD CONSTRAINT creator_events_creator_id_idempotency_key_key UNIQUE (creator_id, idempotency_key);

ALTER TABLE ONLY fanfare.creator_events
    ADD CONSTRAINT creator_events_pkey PRIMARY KEY (id);

ALTER TABLE ONLY fanfare.creator_keys
    ADD CONSTRAINT creator_keys_pkey PRIMARY KEY (id);

ALTER TABLE ONLY fanfare.creators
    ADD CONSTRAINT creators_handle_key UNIQUE (handle);

ALTER TABLE ONLY fanfare.creators
    ADD CONSTRAINT creators_pkey PRIMARY KEY (id);

ALTER TABLE ONLY fanfare.decisions
    ADD CONSTRAINT decisions_event_id_fan_id_channel_key UNIQUE (event_id, fan_id, channel);

ALTER TABLE ONLY fanfare.decisions
    ADD CONSTRAINT decisions_pkey PRIMARY KEY (id);

ALTER TABLE ONLY fanfare.deliveries
    ADD CONSTRAINT deliveries_decision_id_channel_key UNIQUE (decision_id, channel);

ALTER TABLE ONLY fanfare.deliveries
    ADD CONSTRAINT deliveries_pkey PRIMARY KEY (id);

ALTER TABLE ONLY fanfare.digests
    ADD CONSTRAINT digests_fan_id_period_key UNIQUE (fan_id, period);

ALTER TABLE ONLY fanfare.digests
    ADD CONSTRAINT digests_pkey PRIMARY KEY (id);

ALTER TABLE ONLY fanfare.engagement_events
    ADD CONSTRAINT engagement_events_pkey PRIMARY KEY (id);

ALTER TABLE ONLY fanfare.experiment_arms
    ADD CONSTRAINT experiment_arms_pkey PRIMARY KEY (experiment_id, name);

ALTER TABLE ONLY fanfare.experiment_fan_days
    ADD CONSTRAINT experiment_fan_days_pkey PRIMARY KEY (experiment_id, day, arm, fan_id);

ALTER TABLE ONLY fanfare.experiments
    ADD CONSTRAINT experiments_pkey PRIMARY KEY (id);

ALTER TABLE ONLY fanfare.fan_day_alerts
    ADD CONSTRAINT fan_day_alerts_pkey PRIMARY KEY (fan_id, day);

ALTER TABLE ONLY fanfare.fan_membership_days
    ADD CONSTRAINT fan_membership_days_pkey PRIMARY KEY (fan_id, first);

ALTER TABLE ONLY fanfare.fans
    ADD CONSTRAINT fans_email_key UNIQUE (email);

ALTER TABLE ONLY fanfare.fans
    ADD CONSTRAINT fans_pkey PRIMARY KEY (id);

ALTER TABLE ONLY fanfare.inbound_mail
    ADD CONSTRAINT inbound_mail_pkey PRIMARY KEY (id);

ALTER TABLE ONLY fanfare.memberships
    ADD CONSTRAINT memberships_pkey PRIMARY KEY (creator_id, fan_id);

ALTER TABLE ONLY fanfare.models
    ADD CONSTRAINT models_pkey PRIMARY KEY (version);

ALTER TABLE ONLY fanfare.muted_creators
    ADD CONSTRAINT muted_creators_pkey PRIMARY KEY (fan_id, creator_id);

ALTER TABLE ONLY fanfare.preferences
    ADD CONSTRAINT preferences_pkey PRIMARY KEY (fan_id);

ALTER TABLE ONLY fanfare.provider_limits
    ADD CONSTRAINT provider_limits_pkey PRIMARY KEY (provider);

ALTER TABLE ONLY fanfare.provider_slots
    ADD CONSTRAINT provider_slots_pkey PRIMARY KEY (provider, slot);

ALTER TABLE ONLY fanfare.push_subscriptions
    ADD CONSTRAINT push_subscriptions_endpoint_key UNIQUE (endpoint);

ALTER TABLE ONLY fanfare.push_subscriptions
    ADD CONSTRAINT push_subscriptions_pkey PRIMARY KEY (id);

ALTER TABLE ONLY fanfare.rate_limits
    ADD CONSTRAINT rate_limits_pkey PRIMARY KEY (key);

ALTER TABLE ONLY fanfare.relevance_reports
    ADD CONSTRAINT relevance_reports_pkey PRIMARY KEY (id);

ALTER TABLE ONLY fanfare.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);

ALTER TABLE ONLY fanfare.service_credentials
    ADD CONSTRAINT service_credentials_pkey PRIMARY KEY (id);

ALTER TABLE ONLY fanfare.sessions
    ADD CONSTRAINT sessions_pkey PRIMARY KEY (id);

ALTER TABLE ONLY fanfare.sessions
    ADD CONSTRAINT sessions_token_hash_key UNIQUE (token_hash);

ALTER TABLE ONLY fanfare.settings
    ADD CONSTRAINT settings_pkey PRIMARY KEY (key);

ALTER TABLE ONLY fanfare.team_members
    ADD CONSTRAINT team_members_pkey PRIMARY KEY (id);

CREATE UNIQUE INDEX alert_rules_one_active ON fanfare.alert_rules USING btree (active) WHERE active;

CREATE UNIQUE INDEX alerts_one_open_per_rule ON fanfare.alerts USING btree (rule) WHERE (cleared_at IS NULL);

CREATE INDEX alerts_per_fan_day_day ON fanfare.alerts_per_fan_day USING btree (day);

CREATE INDEX alerts_raised_idx ON fanfare.alerts USING btree (raised_at DESC);

CREATE INDEX audit_log_at ON fanfare.audit_log USING btree (at DESC, id DESC);

CREATE UNIQUE INDEX cap_policies_one_active ON fanfare.cap_policies USING btree (active) WHERE active;

CREATE INDEX creator_keys_creator_idx ON fanfare.creator_keys USING btree (creator_id);

CREATE INDEX decision_counts_bucket ON fanfare.decision_counts USING btree (bucket);

CREATE INDEX decision_counts_event ON fanfare.decision_counts USING btree (event_id);

CREATE INDEX decisions_due_idx ON fanfare.decisions USING btree (send_at, id) WHERE (action = 'alert'::text);

CREATE INDEX decisions_experiment_idx ON fanfare.decisions USING btree (experiment_id, decided_at) WHERE (experiment_id IS NOT NULL);

CREATE INDEX decisions_fan_idx ON fanfare.decisions USING btree (fan_id, decided_at);

CREATE INDEX decisions_global_holdout_idx ON fanfare.decisions USING btree (decided_at) WHERE (arm = 'global_holdout'::text);

CREATE INDEX deliveries_status_idx ON fanfare.deliveries USING btree (status) WHERE (status = ANY (ARRAY['claimed'::text, 'sending'::text, 'retry'::text, 'possibly_sent'::text]));

CREATE INDEX digests_open_idx ON fanfare.digests USING btree (id) WHERE (status = ANY (ARRAY['pending'::text, 'claimed'::text, 'retry'::text, 'sending'::text]));

CREATE INDEX engagement_events_decision_idx ON fanfare.engagement_events USING btree (decision_id);

CREATE INDEX engagement_events_event_idx ON fanfare.engagement_events USING btree (event_id, kind);

CREATE INDEX engagement_events_fan_idx ON fanfare.engagement_events USING btree (fan_id, occurred_at);

CREATE UNIQUE INDEX engagement_events_once ON fanfare.engagement_events USING btree (decision_id, kind) WHERE (kind = ANY (ARRAY['open'::text, 'click'::text, 'bounce'::text]));

CREATE INDEX engagement_events_unsubscribe_idx ON fanfare.engagement_events USING btree (occurred_at, fan_id) WHERE (kind = 'unsubscribe'::text);

CREATE UNIQUE INDEX experiments_running_name_idx ON fanfare.experiments USING btree (name) WHERE (stopped_at IS NULL);

CREATE INDEX inbound_mail_day_idx ON fanfare.inbound_mail USING btree (received_at, kind);

CREATE UNIQUE INDEX inbound_mail_once ON fanfare.inbound_mail USING btree (message_id) WHERE (message_id IS NOT NULL);

CREATE INDEX memberships_fan_idx ON fanfare.memberships USING btree (fan_id);

CREATE UNIQUE INDEX models_one_active ON fanfare.models USING btree (status) WHERE (status = 'active'::text);

CREATE INDEX push_subscriptions_fan_idx ON fanfare.push_subscriptions USING btree (fan_id) WHERE (status = 'active'::text);

CREATE INDEX relevance_reports_as_of_idx ON fanfare.relevance_reports USING btree (as_of DESC);

CREATE INDEX segment_counts_bucket ON fanfare.segment_counts USING btree (bucket);

CREATE INDEX send_counts_bucket ON fanfare.send_counts USING btree (bucket);

CREATE INDEX send_counts_event ON fanfare.send_counts USING btree (event_id);

CREATE UNIQUE INDEX service_credentials_name_idx ON fanfare.service_credentials USING btree (name) WHERE (revoked_at IS NULL);

CREATE INDEX sessions_member_idx ON fanfare.sessions USING btree (member_id) WHERE (revoked_at IS NULL);

CREATE UNIQUE INDEX team_members_username_idx ON fanfare.team_members USING btree (username) WHERE (removed_at IS NULL);

CREATE INDEX unsubscribe_counts_bucket ON fanfare.unsubscribe_counts USING btree (bucket);

CREATE TRIGGER decisions_counted_delete AFTER DELETE ON fanfare.decisions REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION fanfare.count_decisions();

CREATE TRIGGER decisions_counted_insert AFTER INSERT ON fanfare.decisions REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION fanfare.count_decisions();

CREATE TRIGGER deliveries_counted_delete AFTER DELETE ON fanfare.deliveries REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION fanfare.count_sends();

CREATE TRIGGER deliveries_counted_insert AFTER INSERT ON fanfare.deliveries REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION fanfare.count_sends();

CREATE TRIGGER deliveries_counted_update AFTER UPDATE ON fanfare.deliveries REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION fanfare.count_sends();

CREATE TRIGGER engagement_counted_delete AFTER DELETE ON fanfare.engagement_events REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION fanfare.count_engagement();

CREATE TRIGGER engagement_counted_insert AFTER INSERT ON fanfare.engagement_events REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION fanfare.count_engagement();

CREATE TRIGGER experiment_fan_days_delete AFTER DELETE ON fanfare.decisions REFERENCING OLD TABLE AS old_table FOR EACH STATEMENT EXECUTE FUNCTION fanfare.experiment_fan_days_decisions();

CREATE TRIGGER experiment_fan_days_delete AFTER DELETE ON fanfare.deliveries REFERENCING OLD TABLE AS old_table FOR EACH STATEMENT EXECUTE FUNCTION fanfare.experiment_fan_days_deliveries();

CREATE TRIGGER experiment_fan_days_delete AFTER DELETE ON fanfare.engagement_events REFERENCING OLD TABLE AS old_table FOR EACH STATEMENT EXECUTE FUNCTION fanfare.experiment_fan_days_engagement();

CREATE TRIGGER experiment_fan_days_insert AFTER INSERT ON fanfare.decisions REFERENCING NEW TABLE AS new_table FOR EACH STATEMENT EXECUTE FUNCTION fanfare.experiment_fan_days_decisions();

CREATE TRIGGER experiment_fan_days_insert AFTER INSERT ON fanfare.deliveries REFERENCING NEW TABLE AS new_table FOR EACH STATEMENT EXECUTE FUNCTION fanfare.experiment_fan_days_deliveries();

CREATE TRIGGER experiment_fan_days_insert AFTER INSERT ON fanfare.engagement_events REFERENCING NEW TABLE AS new_table FOR EACH STATEMENT EXECUTE FUNCTION fanfare.experiment_fan_days_engagement();

CREATE TRIGGER experiment_fan_days_update AFTER UPDATE ON fanfare.decisions REFERENCING OLD TABLE AS old_table NEW TABLE AS new_table FOR EACH STATEMENT EXECUTE FUNCTION fanfare.experiment_fan_days_decisions();

CREATE TRIGGER experiment_fan_days_update AFTER UPDATE ON fanfare.deliveries REFERENCING OLD TABLE AS old_table NEW TABLE AS new_table FOR EACH STATEMENT EXECUTE FUNCTION fanfare.experiment_fan_days_deliveries();

CREATE TRIGGER experiment_fan_days_update AFTER UPDATE ON fanfare.engagement_events REFERENCING OLD TABLE AS old_table NEW TABLE AS new_table FOR EACH STATEMENT EXECUTE FUNCTION fanfare.experiment_fan_days_engagement();

CREATE TRIGGER fans_days_update AFTER UPDATE ON fanfare.fans REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION fanfare.count_membership_days();

CREATE TRIGGER memberships_days_delete AFTER DELETE ON fanfare.memberships REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION fanfare.count_membership_days();

CREATE TRIGGER memberships_days_insert AFTER INSERT ON fanfare.memberships REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION fanfare.count_membership_days();

CREATE TRIGGER memberships_days_update AFTER UPDATE ON fanfare.memberships REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION fanfare.count_membership_days();

ALTER TABLE ONLY fanfare.alert_rule_audit
    ADD CONSTRAINT alert_rule_audit_version_fkey FOREIGN KEY (version) REFERENCES fanfare.alert_rules(version);

ALTER TABLE ONLY fanfare.alerts
    ADD CONSTRAINT alerts_rule_version_fkey FOREIGN KEY (rule_version) REFERENCES fanfare.alert_rules(version);

ALTER TABLE ONLY fanfare.cap_policy_audit
    ADD CONSTRAINT cap_policy_audit_version_fkey FOREIGN KEY (version) REFERENCES fanfare.cap_policies(version);

ALTER TABLE ONLY fanfare.creator_events
    ADD CONSTRAINT creator_events_creator_id_fkey FOREIGN KEY (creator_id) REFERENCES fanfare.creators(id);

ALTER TABLE ONLY fanfare.creator_keys
    ADD CONSTRAINT creator_keys_creator_id_fkey FOREIGN KEY (creator_id) REFERENCES fanfare.creators(id) ON DELETE CASCADE;

ALTER TABLE ONLY fanfare.decisions
    ADD CONSTRAINT decisions_event_id_fkey FOREIGN KEY (event_id) REFERENCES fanfare.creator_events(id);

ALTER TABLE ONLY fanfare.decisions
    ADD CONSTRAINT decisions_experiment_id_fkey FOREIGN KEY (experiment_id) REFERENCES fanfare.experiments(id);

ALTER TABLE ONLY fanfare.decisions
    ADD CONSTRAINT decisions_fan_id_fkey FOREIGN KEY (fan_id) REFERENCES fanfare.fans(id);

ALTER TABLE ONLY fanfare.deliveries
    ADD CONSTRAINT deliveries_decision_id_fkey FOREIGN KEY (decision_id) REFERENCES fanfare.decisions(id);

ALTER TABLE ONLY fanfare.digests
    ADD CONSTRAINT digests_fan_id_fkey FOREIGN KEY (fan_id) REFERENCES fanfare.fans(id);

ALTER TABLE ONLY fanfare.engagement_events
    ADD CONSTRAINT engagement_events_decision_id_fkey FOREIGN KEY (decision_id) REFERENCES fanfare.decisions(id);

ALTER TABLE ONLY fanfare.engagement_events
    ADD CONSTRAINT engagement_events_delivery_id_fkey FOREIGN KEY (delivery_id) REFERENCES fanfare.deliveries(id);

ALTER TABLE ONLY fanfare.engagement_events
    ADD CONSTRAINT engagement_events_event_id_fkey FOREIGN KEY (event_id) REFERENCES fanfare.creator_events(id);

ALTER TABLE ONLY fanfare.engagement_events
    ADD CONSTRAINT engagement_events_fan_id_fkey FOREIGN KEY (fan_id) REFERENCES fanfare.fans(id);

ALTER TABLE ONLY fanfare.experiment_arms
    ADD CONSTRAINT experiment_arms_cap_policy_version_fkey FOREIGN KEY (cap_policy_version) REFERENCES fanfare.cap_policies(version);

ALTER TABLE ONLY fanfare.experiment_arms
    ADD CONSTRAINT experiment_arms_experiment_id_fkey FOREIGN KEY (experiment_id) REFERENCES fanfare.experiments(id);

ALTER TABLE ONLY fanfare.experiment_arms
    ADD CONSTRAINT experiment_arms_model_version_fkey FOREIGN KEY (model_version) REFERENCES fanfare.models(version);

ALTER TABLE ONLY fanfare.inbound_mail
    ADD CONSTRAINT inbound_mail_decision_id_fkey FOREIGN KEY (decision_id) REFERENCES fanfare.decisions(id) ON DELETE SET NULL;

ALTER TABLE ONLY fanfare.inbound_mail
    ADD CONSTRAINT inbound_mail_fan_id_fkey FOREIGN KEY (fan_id) REFERENCES fanfare.fans(id) ON DELETE SET NULL;

ALTER TABLE ONLY fanfare.memberships
    ADD CONSTRAINT memberships_creator_id_fkey FOREIGN KEY (creator_id) REFERENCES fanfare.creators(id) ON DELETE CASCADE;

ALTER TABLE ONLY fanfare.memberships
    ADD CONSTRAINT memberships_fan_id_fkey FOREIGN KEY (fan_id) REFERENCES fanfare.fans(id) ON DELETE CASCADE;

ALTER TABLE ONLY fanfare.muted_creators
    ADD CONSTRAINT muted_creators_creator_id_fkey FOREIGN KEY (creator_id) REFERENCES fanfare.creators(id) ON DELETE CASCADE;

ALTER TABLE ONLY fanfare.muted_creators
    ADD CONSTRAINT muted_creators_fan_id_fkey FOREIGN KEY (fan_id) REFERENCES fanfare.fans(id) ON DELETE CASCADE;

ALTER TABLE ONLY fanfare.preferences
    ADD CONSTRAINT preferences_fan_id_fkey FOREIGN KEY (fan_id) REFERENCES fanfare.fans(id) ON DELETE CASCADE;

ALTER TABLE ONLY fanfare.push_subscriptions
    ADD CONSTRAINT push_subscriptions_fan_id_fkey FOREIGN KEY (fan_id) REFERENCES fanfare.fans(id) ON DELETE CASCADE;

ALTER TABLE ONLY fanfare.relevance_reports
    ADD CONSTRAINT relevance_reports_model_version_fkey FOREIGN KEY (model_version) REFERENCES fanfare.models(version);

ALTER TABLE ONLY fanfare.sessions
    ADD CONSTRAINT sessions_member_id_fkey FOREIGN KEY (member_id) REFERENCES fanfare.team_members(id);
