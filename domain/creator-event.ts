// A creator's event as announced: what, for whom, until when, and the key that makes a retried announcement one event.
import type { Audience, EventKind } from './vocabulary.ts';

/** A validated announcement (POST /api/events), as creator_events stores it. */
export interface EventRequest {
  creatorId: number;
  kind: EventKind;
  title: string;
  url: string;
  audience: Audience;
  idempotencyKey: string;
  deadline: Date | null;
}
