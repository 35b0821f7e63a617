// Tests creator events on a real PostgreSQL: idempotency keys per creator, a changed repeat, reads scoped to a creator.
import { describe, expect, it } from 'vitest';
import type { EventRequest } from '../domain/creator-event.ts';
import { differingFields } from '../domain/idempotency.ts';
import { useTestSchema } from '../testing/db.ts';
import { getCreatorEvent, insertEvent } from './events.ts';

describe('creator events', () => {
  const db = useTestSchema('creator_events');

  async function creators(a: string, b: string): Promise<[number, number]> {
    const r = await db().pool.query(
      `insert into creators (handle, display_name) values ($1, $1), ($2, $2) returning id`,
      [a, b],
    );
    return [r.rows[0].id, r.rows[1].id];
  }

  it('scopes idempotency keys per creator, and names what a repeat with another body changed', async () => {
    const [ana, ben] = await creators('ana', 'ben');
    const request: EventRequest = {
      creatorId: ana,
      kind: 'post',
      title: 'Chapter 9',
      url: 'https://example.com/9',
      audience: { rule: 'all' },
      idempotencyKey: 'post-9',
      deadline: null,
    };
    const first = await insertEvent(db().pool, request);
    expect(first.created).toBe(true);
    const retry = await insertEvent(db().pool, { ...request });
    expect(retry).toEqual({ event: first.event, created: false });
    expect(differingFields(retry.event, request)).toEqual([]);

    const changed = { ...request, url: 'https://evil.example/', audience: { rule: 'paid' as const } };
    const conflict = await insertEvent(db().pool, changed);
    expect(conflict.created).toBe(false);
    expect(differingFields(conflict.event, changed)).toEqual(['url', 'audience']);

    const other = await insertEvent(db().pool, { ...changed, creatorId: ben });
    expect(other.created).toBe(true);
    expect(other.event.url).toBe('https://evil.example/');
  });

  it("reads a creator's own event, and another creator's as if there were none", async () => {
    const [ana, ben] = await creators('cy', 'dee');
    const { event } = await insertEvent(db().pool, {
      creatorId: ana,
      kind: 'live',
      title: 'Live',
      url: 'https://example.com/live',
      audience: { rule: 'tier', minTier: 1 },
      idempotencyKey: 'live-1',
      deadline: new Date('2030-01-01T00:00:00Z'),
    });
    expect(await getCreatorEvent(db().pool, ana, event.id)).toEqual(event);
    expect(await getCreatorEvent(db().pool, ben, event.id)).toBeNull();
    expect(await getCreatorEvent(db().pool, ana, event.id + 1000)).toBeNull();
  });
});
