// Creator events: stored once per (creator, idempotency key).

import type { EventRequest } from '../domain/creator-event.ts';
import type { Audience, EventKind, PlainAudienceRule, TIER_AUDIENCE_RULE } from '../domain/vocabulary.ts';
import type { Pool } from './pool.ts';

/** A row of creator_events: the request as stored, with its id and time. */
export interface CreatorEvent extends EventRequest {
  id: number;
  createdAt: Date;
}

const COLUMNS = `id, creator_id, kind, title, url, audience, min_tier, idempotency_key, deadline, created_at`;

/** A row of creator_events as pg returns it; the table's check ties min_tier to the tier audience. */
type EventRow = {
  id: number;
  creator_id: number;
  kind: EventKind;
  title: string;
  url: string;
  idempotency_key: string;
  deadline: Date | null;
  created_at: Date;
} & ({ audience: PlainAudienceRule; min_tier: null } | { audience: typeof TIER_AUDIENCE_RULE; min_tier: number });

function toEvent(r: EventRow): CreatorEvent {
  const audience: Audience = r.audience === 'tier' ? { rule: 'tier', minTier: r.min_tier } : { rule: r.audience };
  return {
    id: r.id,
    creatorId: r.creator_id,
    kind: r.kind,
    title: r.title,
    url: r.url,
    audience,
    idempotencyKey: r.idempotency_key,
    deadline: r.deadline,
    createdAt: r.created_at,
  };
}

export class UnknownCreatorError extends Error {
  constructor(readonly creatorId: number) {
    super(`creatorId: no creator with id ${creatorId}`);
  }
}

/**
 * Inserts the event unless the creator already sent this idempotency key; returns the stored event either way.
 * `createdAt` backdates it (a benchmark replaying a moment of a seeded history); the server's clock otherwise.
 */
export async function insertEvent(
  pool: Pool,
  e: EventRequest,
  createdAt?: Date,
): Promise<{ event: CreatorEvent; created: boolean }> {
  const minTier = e.audience.rule === 'tier' ? e.audience.minTier : null;
  try {
    const inserted = await pool.query<EventRow>(
      `insert into creator_events (creator_id, kind, title, url, audience, min_tier, idempotency_key, deadline,
                                   created_at)
       values ($1::bigint, $2::text, $3::text, $4::text, $5::text, $6::int, $7::text, $8::timestamptz,
               coalesce($9::timestamptz, now()))
       on conflict (creator_id, idempotency_key) do nothing
       returning ${COLUMNS}`,
      [e.creatorId, e.kind, e.title, e.url, e.audience.rule, minTier, e.idempotencyKey, e.deadline, createdAt ?? null],
    );
    if (inserted.rowCount === 1) return { event: toEvent(inserted.rows[0]), created: true };
  } catch (err) {
    if ((err as { code?: string } | undefined)?.code === '23503') throw new UnknownCreatorError(e.creatorId);
    throw err;
  }
  const existing = await pool.query<EventRow>(
    `select ${COLUMNS} from creator_events where creator_id = $1::bigint and idempotency_key = $2::text`,
    [e.creatorId, e.idempotencyKey],
  );
  return { event: toEvent(existing.rows[0]), created: false };
}

export async function getEvent(pool: Pool, id: number): Promise<CreatorEvent | null> {
  const r = await pool.query<EventRow>(`select ${COLUMNS} from creator_events where id = $1::bigint`, [id]);
  return r.rowCount ? toEvent(r.rows[0]) : null;
}

/** A creator's own event: null when there is none or another creator made it, so the two cannot be told apart. */
export async function getCreatorEvent(pool: Pool, creatorId: number, id: number): Promise<CreatorEvent | null> {
  const r = await pool.query<EventRow>(
    `select ${COLUMNS} from creator_events where id = $1::bigint and creator_id = $2::bigint`,
    [id, creatorId],
  );
  return r.rowCount ? toEvent(r.rows[0]) : null;
}
