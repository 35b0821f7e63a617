-- Engagement facts count once per decision: a reloaded open pixel, a second click or a repeated bounce adds no row.
-- Unsubscribes are not in it: one is recorded each time a fan's email goes from subscribed to unsubscribed.
create unique index engagement_events_once on engagement_events (decision_id, kind)
  where kind in ('open', 'click', 'bounce');
