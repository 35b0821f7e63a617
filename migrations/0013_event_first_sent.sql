-- When an event's first message went out, recorded once by the delivery batch that sent it (db/metrics.ts firstSends):
-- the update that finds it null wins, so concurrent batches of one event, on any worker, report its first send once.
alter table creator_events add column first_sent_at timestamptz;

update creator_events e set first_sent_at = f.first_at
  from (select d.event_id, min(v.finished_at) as first_at
          from deliveries v join decisions d on d.id = v.decision_id and d.channel = v.channel
         where v.status = 'sent' and v.finished_at is not null
         group by d.event_id) f
 where e.id = f.event_id;
