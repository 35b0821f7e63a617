// The body of POST /api/events as a zod schema (validation and the OpenAPI document), naming each bad field's rule.
import { z } from 'zod';
import type { EventRequest } from '../domain/creator-event.ts';
import type { Validated } from '../domain/field-error.ts';
import {
  type Audience,
  EVENT_KINDS,
  isPlainAudienceRule,
  PLAIN_AUDIENCE_RULES,
  TIER_AUDIENCE_RULE,
} from '../domain/vocabulary.ts';
import { fieldErrors } from './field-errors.ts';

const MAX_TITLE = 300;
const MAX_URL = 2048;
const MAX_KEY = 200;
/** min_tier is a PostgreSQL int. */
export const MAX_TIER = 2 ** 31 - 1;

const PLAIN_LIST = PLAIN_AUDIENCE_RULES.map((r) => `"${r}"`).join(', ');
const TIER_OBJECT = `{ "rule": "${TIER_AUDIENCE_RULE}", "minTier": N }`;
const AUDIENCE_RULE = `must be ${PLAIN_LIST}, "${TIER_AUDIENCE_RULE}>=N", or ${TIER_OBJECT}`;
const TIER_RULE = `must be an integer from 0 to ${MAX_TIER}`;
const TIER_PATTERN = new RegExp(`^${TIER_AUDIENCE_RULE}\\s*>=\\s*(\\d+)$`);

/** A database id: a positive integer that JavaScript holds exactly. */
export const positiveId = (rule = 'must be a positive integer') =>
  z.number({ error: rule }).int({ error: rule }).min(1, { error: rule });

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

/** "all", "paid", "tier>=N", or the object forms { rule: "all" | "paid" } and { rule: "tier", minTier: N }. */
function parseAudience(raw: unknown, ctx: z.RefinementCtx): Audience {
  const issue = (message: string, path: string[] = []) => {
    ctx.addIssue({ code: 'custom', message, path });
    return z.NEVER;
  };
  if (raw === undefined) return issue('is required');
  if (typeof raw === 'string') {
    if (isPlainAudienceRule(raw)) return { rule: raw };
    const m = TIER_PATTERN.exec(raw);
    if (m) return Number(m[1]) <= MAX_TIER ? { rule: TIER_AUDIENCE_RULE, minTier: Number(m[1]) } : issue(TIER_RULE);
  } else if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const o = raw as Record<string, unknown>;
    if (isPlainAudienceRule(o.rule)) return { rule: o.rule };
    if (o.rule === TIER_AUDIENCE_RULE) {
      if (!Number.isInteger(o.minTier) || (o.minTier as number) < 0)
        return issue('must be an integer >= 0', ['minTier']);
      if ((o.minTier as number) > MAX_TIER) return issue(TIER_RULE, ['minTier']);
      return { rule: TIER_AUDIENCE_RULE, minTier: o.minTier as number };
    }
  }
  return issue(AUDIENCE_RULE);
}

const audience = z
  .any()
  .transform(parseAudience)
  .meta({
    description: 'who hears about it',
    oneOf: [
      { type: 'string', enum: [...PLAIN_AUDIENCE_RULES] },
      { type: 'string', pattern: TIER_PATTERN.source, example: `${TIER_AUDIENCE_RULE}>=2` },
      { type: 'object', properties: { rule: { type: 'string', enum: [...PLAIN_AUDIENCE_RULES] } }, required: ['rule'] },
      {
        type: 'object',
        properties: {
          rule: { const: TIER_AUDIENCE_RULE },
          minTier: { type: 'integer', minimum: 0, maximum: MAX_TIER },
        },
        required: ['rule', 'minTier'],
      },
    ],
  });

const DEADLINE_RULE = 'must be an ISO 8601 date-time such as "2026-11-27T18:00:00Z"';

/** What a creator sends to announce a post, a live session or an announcement. */
export const EventBody = z.strictObject(
  {
    creatorId: positiveId(),
    kind: z.enum(EVENT_KINDS, { error: `must be one of ${EVENT_KINDS.join(', ')}` }),
    title: z
      .string({ error: 'must be a non-empty string' })
      .trim()
      .min(1, { error: 'must be a non-empty string' })
      .max(MAX_TITLE, { error: `must be at most ${MAX_TITLE} characters` }),
    url: z
      .string({ error: `must be an absolute http(s) URL of at most ${MAX_URL} characters` })
      .max(MAX_URL)
      .refine(isHttpUrl)
      .meta({ format: 'uri' }),
    audience,
    idempotencyKey: z
      .string({ error: `must be a non-empty string of at most ${MAX_KEY} characters` })
      .max(MAX_KEY)
      .refine((k) => k.trim() !== ''),
    deadline: z
      .string({ error: DEADLINE_RULE })
      .regex(/^\d{4}-\d{2}-\d{2}T/)
      .refine((s) => !Number.isNaN(new Date(s).getTime()))
      .meta({ format: 'date-time' })
      .nullish(),
  },
  { error: 'must be a JSON object' },
);
export type EventBody = z.output<typeof EventBody>;

/** The checked body as the event to store; a deadline must lie after `now`, which the schema cannot know. */
export function eventRequest(body: EventBody, now: Date): Validated<EventRequest> {
  const deadline = body.deadline ? new Date(body.deadline) : null;
  if (deadline && deadline.getTime() <= now.getTime())
    return { ok: false, errors: [{ field: 'deadline', rule: 'must be in the future' }] };
  const { creatorId, kind, title, url, idempotencyKey } = body;
  return { ok: true, value: { creatorId, kind, title, url, audience: body.audience, idempotencyKey, deadline } };
}

export function validateEventInput(raw: unknown, now: Date): Validated<EventRequest> {
  const parsed = EventBody.safeParse(raw);
  return parsed.success ? eventRequest(parsed.data, now) : { ok: false, errors: fieldErrors(parsed.error.issues) };
}
