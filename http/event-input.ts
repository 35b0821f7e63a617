// Validates the body of POST /api/events into a typed event request, naming each bad field and the rule it broke.
import type { EventRequest } from '../domain/creator-event.ts';
import type { FieldError, Validated } from '../domain/field-error.ts';
import { type Audience, EVENT_KINDS, type EventKind } from '../domain/vocabulary.ts';

const MAX_TITLE = 300;
const MAX_URL = 2048;
const MAX_KEY = 200;

/** Accepts "all", "paid", "tier>=N", or the object forms { rule: "all" | "paid" } and { rule: "tier", minTier: N }. */
function parseAudience(raw: unknown, errors: FieldError[]): Audience | undefined {
  if (typeof raw === 'string') {
    if (raw === 'all' || raw === 'paid') return { rule: raw };
    const m = /^tier\s*>=\s*(\d+)$/.exec(raw);
    if (m) return { rule: 'tier', minTier: Number(m[1]) };
  } else if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const o = raw as Record<string, unknown>;
    if (o.rule === 'all' || o.rule === 'paid') return { rule: o.rule };
    if (o.rule === 'tier') {
      if (Number.isInteger(o.minTier) && (o.minTier as number) >= 0)
        return { rule: 'tier', minTier: o.minTier as number };
      errors.push({ field: 'audience.minTier', rule: 'must be an integer >= 0' });
      return undefined;
    }
  }
  errors.push({ field: 'audience', rule: 'must be "all", "paid", "tier>=N", or { "rule": "tier", "minTier": N }' });
  return undefined;
}

export function validateEventInput(body: unknown, now: Date): Validated<EventRequest> {
  const errors: FieldError[] = [];
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, errors: [{ field: '(body)', rule: 'must be a JSON object' }] };
  }
  const b = body as Record<string, unknown>;
  const known = new Set(['creatorId', 'kind', 'title', 'url', 'audience', 'idempotencyKey', 'deadline']);
  for (const key of Object.keys(b)) {
    if (!known.has(key)) errors.push({ field: key, rule: 'is not a known field' });
  }

  const creatorId = b.creatorId;
  if (!Number.isSafeInteger(creatorId) || (creatorId as number) <= 0) {
    errors.push({ field: 'creatorId', rule: 'must be a positive integer' });
  }
  const kind = b.kind;
  if (typeof kind !== 'string' || !(EVENT_KINDS as readonly string[]).includes(kind)) {
    errors.push({ field: 'kind', rule: `must be one of ${EVENT_KINDS.join(', ')}` });
  }
  const title = b.title;
  if (typeof title !== 'string' || title.trim() === '') {
    errors.push({ field: 'title', rule: 'must be a non-empty string' });
  } else if (title.length > MAX_TITLE) {
    errors.push({ field: 'title', rule: `must be at most ${MAX_TITLE} characters` });
  }
  const url = b.url;
  if (typeof url !== 'string' || url.length > MAX_URL || !isHttpUrl(url)) {
    errors.push({ field: 'url', rule: `must be an absolute http(s) URL of at most ${MAX_URL} characters` });
  }
  const audience = b.audience === undefined ? undefined : parseAudience(b.audience, errors);
  if (b.audience === undefined) errors.push({ field: 'audience', rule: 'is required' });
  const key = b.idempotencyKey;
  if (typeof key !== 'string' || key.trim() === '' || key.length > MAX_KEY) {
    errors.push({ field: 'idempotencyKey', rule: `must be a non-empty string of at most ${MAX_KEY} characters` });
  }
  let deadline: Date | null = null;
  if (b.deadline !== undefined && b.deadline !== null) {
    const d = typeof b.deadline === 'string' ? new Date(b.deadline) : null;
    if (!d || Number.isNaN(d.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(b.deadline as string)) {
      errors.push({ field: 'deadline', rule: 'must be an ISO 8601 date-time such as "2026-11-27T18:00:00Z"' });
    } else if (d.getTime() <= now.getTime()) {
      errors.push({ field: 'deadline', rule: 'must be in the future' });
    } else {
      deadline = d;
    }
  }

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      creatorId: creatorId as number,
      kind: kind as EventKind,
      title: (title as string).trim(),
      url: url as string,
      audience: audience!,
      idempotencyKey: key as string,
      deadline,
    },
  };
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}
