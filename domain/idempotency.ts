// A repeated announcement: which fields of a request differ from the event already stored under its idempotency key.
import type { EventRequest } from './creator-event.ts';
import type { Audience } from './vocabulary.ts';

/**
 * The request's fields compared on a repeat, named as the API names them. Not creatorId: keys are scoped per creator,
 * so a repeat is only ever looked up among the same creator's events.
 */
export const COMPARED_FIELDS = ['kind', 'title', 'url', 'audience', 'deadline'] as const;
export type ComparedField = (typeof COMPARED_FIELDS)[number];

function sameAudience(a: Audience, b: Audience): boolean {
  if (a.rule !== b.rule) return false;
  return a.rule !== 'tier' || (b.rule === 'tier' && a.minTier === b.minTier);
}

function sameDeadline(a: Date | null, b: Date | null): boolean {
  return a === null || b === null ? a === b : a.getTime() === b.getTime();
}

/**
 * The fields in which a repeated request differs from the stored one, in API order; empty when it is the same
 * request (a safe retry, answered with the stored event). A deadline is compared as an instant, so
 * "2026-11-27T19:00:00+01:00" repeats "2026-11-27T18:00:00Z".
 */
export function differingFields(stored: EventRequest, repeat: EventRequest): ComparedField[] {
  const same: Record<ComparedField, boolean> = {
    kind: stored.kind === repeat.kind,
    title: stored.title === repeat.title,
    url: stored.url === repeat.url,
    audience: sameAudience(stored.audience, repeat.audience),
    deadline: sameDeadline(stored.deadline, repeat.deadline),
  };
  return COMPARED_FIELDS.filter((f) => !same[f]);
}
