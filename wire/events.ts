// The creator view on the wire: recent events, and one event's reach, scheduled sends and opens.
import type { Channel, EventKind } from '../domain/vocabulary.ts';

/** An announced event with how many candidates were decided for it. */
export interface EventListItem {
  id: number;
  creatorId: number;
  creatorHandle: string;
  kind: EventKind;
  title: string;
  createdAt: string;
  decisions: number;
}

/** The answer of GET /api/admin/events?limit=N: the N latest events, newest first. */
export interface EventListAnswer {
  events: EventListItem[];
}

/** One channel's candidates, by action, with deliveries sent and opened so far. */
export interface ChannelReach {
  channel: Channel;
  decisions: number;
  alerts: number;
  digests: number;
  suppressed: number;
  sent: number;
  opened: number;
}

/** The alerts due in one hour of their send time, with how many were sent and opened so far. */
export interface ScheduledHour {
  /** The hour's start, UTC ISO ("2025-01-31T09:00:00Z"). */
  hour: string;
  scheduled: number;
  sent: number;
  opened: number;
}

/** The opens that happened in one hour. */
export interface OpensHour {
  /** The hour's start, UTC ISO. */
  hour: string;
  opens: number;
}

/** What the event's decisions came to, each list in channel or hour order. */
export interface EventOutcome {
  reach: ChannelReach[];
  schedule: ScheduledHour[];
  opens: OpensHour[];
}

/** The answer of GET /api/admin/events/:id/report: the event itself, then its outcome. */
export interface EventReport extends EventOutcome {
  event: { id: number; creatorId: number; kind: EventKind; title: string; createdAt: string; deadline: string | null };
}

/** A creator as the creator view's picker lists it. */
export interface CreatorPick {
  id: number;
  handle: string;
  displayName: string;
}

/** GET /api/admin/creators/search?q=: by id, or by part of the handle or display name; up to 50, by handle. */
export interface CreatorPickAnswer {
  creators: CreatorPick[];
}

/** One creator's events announced in a period and what came of them, summed. */
export interface CreatorTotals {
  events: number;
  decisions: number;
  /** Alerts decided, by channel. */
  alerts: Record<Channel, number>;
  /** Alerts delivered (deliveries sent), by channel. */
  sent: Record<Channel, number>;
  digests: number;
  suppressed: number;
  opens: number;
  clicks: number;
  unsubscribes: number;
}

/**
 * GET /api/admin/creators/:id/summary?from=YYYY-MM-DD&to=YYYY-MM-DD: the creator, the totals of the events it
 * announced from `from` to `to` inclusive (UTC days), and those events, newest first (up to 200).
 */
export interface CreatorSummary {
  creator: CreatorPick;
  from: string;
  to: string;
  totals: CreatorTotals;
  events: EventListItem[];
}
