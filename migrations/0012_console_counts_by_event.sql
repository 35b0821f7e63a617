-- The creator view sums a creator's events' decisions and sends from the counts kept per event (0010): index them by
-- event, so a creator's totals read their events' rows only (db/console-events.ts creatorTotals).
create index decision_counts_event on decision_counts (event_id);
create index send_counts_event on send_counts (event_id);
