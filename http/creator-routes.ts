// The creator API: POST /api/events and GET /api/events/:id, each behind the creator's own API key.
import {
  type Client,
  isGrpcServiceError,
  ServiceError,
  WorkflowExecutionAlreadyStartedError,
} from '@temporalio/client';
import { z } from 'zod';
import type { Auth } from '../auth/auth.ts';
import { type CreatorEvent, getCreatorEvent, insertEvent, UnknownCreatorError } from '../db/events.ts';
import type { Pool } from '../db/pool.ts';
import { eventProgress } from '../db/progress.ts';
import { differingFields } from '../domain/idempotency.ts';
import { actsForCreator } from '../domain/principal.ts';
import { EVENT_KINDS, PLAIN_AUDIENCE_RULES, TIER_AUDIENCE_RULE } from '../domain/vocabulary.ts';
import { announceEvent } from '../workflows/announce-event.ts';
import { announceWorkflowId, TASK_QUEUE } from '../workflows/names.ts';
import { refuse, send } from './answer.ts';
import type { HttpApp } from './app.ts';
import { creatorOf, creatorOnly } from './auth-hooks.ts';
import { EventBody, eventRequest } from './event-input.ts';
import { idParams } from './params.ts';

export interface CreatorRouteOptions {
  pool: Pool;
  temporal: Client;
  auth: Auth;
  now: () => Date;
}

/** The OpenAPI security scheme of the creator routes: `Authorization: Bearer ffk_…`. */
export const CREATOR_KEY_SCHEME = {
  creatorKey: { type: 'http', scheme: 'bearer', description: "a creator's API key, ffk_<id>_<secret>" },
} as const;

function eventJson(e: CreatorEvent) {
  return {
    id: e.id,
    creatorId: e.creatorId,
    kind: e.kind,
    title: e.title,
    url: e.url,
    audience: e.audience,
    idempotencyKey: e.idempotencyKey,
    deadline: e.deadline?.toISOString() ?? null,
    createdAt: e.createdAt.toISOString(),
    workflowId: announceWorkflowId(e.id),
  };
}

/** Starts the event's workflow; a second start (a retried request) finds it already there. */
export async function startAnnounce(temporal: Client, eventId: number): Promise<void> {
  try {
    await temporal.workflow.start(announceEvent, {
      workflowId: announceWorkflowId(eventId),
      taskQueue: TASK_QUEUE,
      args: [{ eventId }],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/** How long an announcement waits for Temporal to take its workflow before answering 503 (the event is stored): a
 * loaded frontend can take seconds, and the request timeout (10 s) must not cut the answer off first. */
const START_DEADLINE_MS = 8_000;
/** Retry-After of that 503: long enough for a frontend restart to come back. */
const TEMPORAL_RETRY_AFTER_S = 5;
/** The gRPC codes of a Temporal frontend that cannot be reached (UNAVAILABLE) or did not answer in time. */
const GRPC_UNREACHABLE = new Set([4 /* DEADLINE_EXCEEDED */, 14 /* UNAVAILABLE */]);

/** Whether a failed start means Temporal was out of reach, so the same request may simply be sent again. */
export function temporalUnreachable(err: unknown): boolean {
  const grpc = err instanceof ServiceError ? err.cause : err;
  return isGrpcServiceError(grpc) && GRPC_UNREACHABLE.has(grpc.code);
}

export const TEMPORAL_UNAVAILABLE = { field: 'temporal', rule: 'unavailable, retry' };

// The answers' shapes, for the OpenAPI document (and Fastify serializes each listed status through its schema).
const refusal = (description: string) =>
  z.object({ errors: z.array(z.object({ field: z.string(), rule: z.string() })) }).meta({ description });
const EventAnswer = z.object({
  id: z.number().int(),
  creatorId: z.number().int(),
  kind: z.enum(EVENT_KINDS),
  title: z.string(),
  url: z.string(),
  audience: z.union([
    z.object({ rule: z.enum(PLAIN_AUDIENCE_RULES) }),
    z.object({ rule: z.literal(TIER_AUDIENCE_RULE), minTier: z.number().int() }),
  ]),
  idempotencyKey: z.string(),
  deadline: z.string().nullable(),
  createdAt: z.string(),
  workflowId: z.string(),
});
const Progress = z.object({
  decisions: z.record(z.string(), z.number().int()),
  deliveries: z.record(z.string(), z.record(z.string(), z.number().int())),
});
const UNAUTHORIZED = refusal('no live creator API key in `Authorization: Bearer`');
const NOT_FOUND = z.object({ error: z.string() }).meta({ description: 'no event of this key’s creator has this id' });

export const CONFLICT_RULE = 'differs from the event already announced with this idempotencyKey';
const FOREIGN_CREATOR_RULE = "must be the API key's own creator";

export function registerCreatorRoutes(app: HttpApp, o: CreatorRouteOptions): void {
  const onRequest = creatorOnly(o.auth);

  app.post(
    '/api/events',
    {
      onRequest,
      schema: {
        tags: ['events'],
        summary: 'Announces an event to its audience once per (creatorId, idempotencyKey)',
        security: [{ creatorKey: [] }],
        body: EventBody,
        response: {
          201: EventAnswer.meta({ description: 'announced' }),
          200: EventAnswer.meta({ description: 'a repeat of an announcement: the event already stored' }),
          400: refusal('a field broke its rule'),
          401: UNAUTHORIZED,
          403: refusal('creatorId is not the creator of the API key'),
          409: refusal('the idempotencyKey was used with other values: one error per differing field'),
          429: refusal(
            "the creator's announcements are rate-limited, or the address is locked out for wrong bearer tokens: " +
              'wait the seconds of Retry-After',
          ),
          503: refusal(
            'the event is stored but Temporal was out of reach: send the same request again after Retry-After',
          ),
        },
      },
    },
    async (req, reply) => {
      const principal = creatorOf(req);
      if (!actsForCreator(principal, req.body.creatorId))
        return send(reply, refuse(403, { field: 'creatorId', rule: FOREIGN_CREATOR_RULE }));
      const input = eventRequest(req.body, o.now());
      if (!input.ok) return send(reply, { status: 400, body: { errors: input.errors } });
      const allowance = await o.auth.announce(principal.creatorId);
      if (!allowance.allowed) {
        const rule = `must wait ${allowance.retryAfterSeconds} s: announcements are rate-limited per creator`;
        const answer = refuse(429, { field: 'creatorId', rule });
        return send(reply, { ...answer, headers: { 'retry-after': String(allowance.retryAfterSeconds) } });
      }
      let stored: { event: CreatorEvent; created: boolean };
      try {
        stored = await insertEvent(o.pool, input.value);
      } catch (err) {
        if (err instanceof UnknownCreatorError)
          return send(reply, refuse(400, { field: 'creatorId', rule: 'must name an existing creator' }));
        throw err;
      }
      if (!stored.created) {
        // Another body under a used key is refused, so a guessed key never hands back someone's earlier event.
        const differing = differingFields(stored.event, input.value);
        if (differing.length)
          return send(reply, refuse(409, ...differing.map((field) => ({ field, rule: CONFLICT_RULE }))));
      }
      // Also on a repeat: if the first request died between storing and starting, this one starts the workflow.
      try {
        await o.temporal.withDeadline(Date.now() + START_DEADLINE_MS, () => startAnnounce(o.temporal, stored.event.id));
      } catch (err) {
        if (!temporalUnreachable(err)) throw err;
        const answer = refuse(503, TEMPORAL_UNAVAILABLE);
        return send(reply, { ...answer, headers: { 'retry-after': String(TEMPORAL_RETRY_AFTER_S) } });
      }
      return send(reply, { status: stored.created ? 201 : 200, body: eventJson(stored.event) });
    },
  );

  app.get(
    '/api/events/:id',
    {
      onRequest,
      schema: {
        tags: ['events'],
        summary: "An event of the key's creator, with its delivery progress",
        security: [{ creatorKey: [] }],
        params: idParams('id'),
        response: {
          200: EventAnswer.extend({ progress: Progress }).meta({ description: 'the event and its progress' }),
          400: refusal('the id is not a positive integer'),
          401: UNAUTHORIZED,
          404: NOT_FOUND,
          429: refusal('the address is locked out for wrong bearer tokens: wait the seconds of Retry-After'),
        },
      },
    },
    async (req, reply) => {
      const id = req.params.id;
      // Another creator's event answers as if there were none, so ids reveal nothing.
      const event = await getCreatorEvent(o.pool, creatorOf(req).creatorId, id);
      if (!event) return send(reply, { status: 404, body: { error: `no event with id ${id}` } });
      return send(reply, { status: 200, body: { ...eventJson(event), progress: await eventProgress(o.pool, id) } });
    },
  );
}
