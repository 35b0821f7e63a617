// Caps hold under concurrency: parallel announceEvent runs for the same fans on real Temporal never exceed a cap.

import type { Client } from '@temporalio/client';
import { beforeAll, describe, expect, it } from 'vitest';
import { activateCapPolicy } from '../db/cap-policies.ts';
import { insertEvent } from '../db/events.ts';
import { type CapPolicy, type CapRule, DEFAULT_CAP_POLICY } from '../policy/cap-policy.ts';
import { durationMs } from '../policy/duration.ts';
import { seedAudience } from '../testing/audience.ts';
import type { TestSchema } from '../testing/db.ts';
import { trainActiveModel } from '../testing/model.ts';
import { useTestStack } from '../testing/stack.ts';
import { useTemporalDevServer } from '../testing/temporal.ts';
import { announceEvent } from '../workflows/announce-event.ts';
import { announceWorkflowId, TASK_QUEUE } from '../workflows/names.ts';

/** Rounds of racing events; CAP_RACE_ROUNDS=20 is the stress run. */
const ROUNDS = Number(process.env.CAP_RACE_ROUNDS ?? 2);
const FANS = 30;
const EVENTS_PER_CREATOR = 3;

const RULES: CapRule[] = [
  { type: 'cap', name: 'any_per_day', limit: 3, window: '24h' },
  { type: 'cap', name: 'push_per_day', channel: 'push', limit: 2, window: '24h' },
  { type: 'cap', name: 'email_per_creator', channel: 'email', perCreator: true, limit: 1, window: '24h' },
];
/** Every candidate clears the threshold, so only the caps stand between the racing events and the fans. */
const RACE_POLICY: CapPolicy = {
  ...DEFAULT_CAP_POLICY,
  name: 'cap_race',
  quietHours: null,
  rules: RULES,
  segments: [],
  kinds: {
    post: { priority: 'standard', weight: 1, alertThreshold: { email: 0, push: 0 } },
    live: { priority: 'urgent', weight: 1.5, alertThreshold: { email: 0, push: 0 } },
    announcement: { priority: 'standard', weight: 1.2, alertThreshold: { email: 0, push: 0 } },
  },
  digest: { topK: 5, minScore: 0, weeklyOn: 1 },
};

const temporal = useTemporalDevServer();
const stack = useTestStack('cap_race', temporal, {
  prepare: async (schema) => {
    await trainActiveModel(schema.pool);
    await activateCapPolicy(schema.pool, RACE_POLICY, 'cap-race-test');
  },
});
let db: TestSchema;
let client: Client;

beforeAll(() => {
  ({ db, client } = stack());
});

interface Alert {
  fanId: number;
  channel: string;
  creatorId: number;
  at: number;
}

/**
 * Each rule's fullest window per fan: alerts of its scope in [a, a + window) for every alert a, which is where
 * the peak starts.
 */
function overCap(alerts: Alert[]): string[] {
  const problems: string[] = [];
  for (const rule of RULES) {
    const w = durationMs(rule.window);
    for (const a of alerts) {
      const inScope = (b: Alert) =>
        b.fanId === a.fanId &&
        (!rule.channel || b.channel === rule.channel) &&
        (!rule.perCreator || b.creatorId === a.creatorId);
      if (!inScope(a)) continue;
      const n = alerts.filter((b) => inScope(b) && b.at >= a.at && b.at < a.at + w).length;
      if (n > rule.limit)
        problems.push(
          `fan ${a.fanId}: ${n} alerts under ${rule.name} (limit ${rule.limit}) from ${new Date(a.at).toISOString()}`,
        );
    }
  }
  return problems;
}

describe('caps under concurrency', () => {
  it(
    `hold when ${2 * EVENTS_PER_CREATOR} events race for the same fans (${ROUNDS} rounds)`,
    async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const audience = await seedAudience(db.pool, {
          fans: FANS,
          handle: `race${round}`,
          subscribe: () => stack().subscribe(),
        });
        const other = await db.pool.query(
          `insert into creators (handle, display_name) values ($1::text, 'Other') returning id`,
          [`race${round}b`],
        );
        const otherId: number = other.rows[0].id;
        await db.pool.query(
          `insert into memberships (fan_id, creator_id, kind, tier)
           select f, $2::bigint, 'free', 0 from unnest($1::bigint[]) as f`,
          [audience.fanIds, otherId],
        );

        const eventIds: number[] = [];
        for (const creatorId of [audience.creatorId, otherId]) {
          for (let k = 0; k < EVENTS_PER_CREATOR; k++) {
            const { event } = await insertEvent(db.pool, {
              creatorId,
              kind: k % 2 === 0 ? 'live' : 'post',
              title: `Race ${round}.${k}`,
              url: `https://creators.example/race/${round}/${creatorId}/${k}`,
              audience: { rule: 'all' },
              idempotencyKey: `race-${round}-${k}`,
              deadline: null,
            });
            eventIds.push(event.id);
          }
        }
        // All at once: their decideBatch activities run side by side on the worker.
        const handles = await Promise.all(
          eventIds.map((eventId) =>
            client.workflow.start(announceEvent, {
              workflowId: announceWorkflowId(eventId),
              taskQueue: TASK_QUEUE,
              // Three ranges of 10 fans per event, in pages of 5: the children of all six events race too.
              args: [{ eventId, pageSize: 5, rangeSize: 10 }],
            }),
          ),
        );
        await Promise.all(handles.map((h) => h.result()));

        const { rows } = await db.pool.query(
          `select d.fan_id, d.channel, e.creator_id, d.send_at, d.reason
             from decisions d join creator_events e on e.id = d.event_id where d.event_id = any($1::bigint[])`,
          [eventIds],
        );
        expect(rows).toHaveLength(eventIds.length * FANS * 2);
        const alerts: Alert[] = rows
          .filter((r) => r.send_at)
          .map((r) => ({ fanId: r.fan_id, channel: r.channel, creatorId: r.creator_id, at: r.send_at.getTime() }));
        expect(overCap(alerts), `round ${round}`).toEqual([]);
        // Not vacuous: every fan wanted twelve alerts and the caps stopped most of them.
        expect(rows.filter((r) => r.reason === 'digest_cap_reached').length).toBeGreaterThan(FANS * 6);
        const perFan = new Map<number, number>();
        for (const a of alerts) perFan.set(a.fanId, (perFan.get(a.fanId) ?? 0) + 1);
        expect(
          [...perFan.values()].every((n) => n === 3),
          `round ${round}: every fan gets exactly the any_per_day limit`,
        ).toBe(true);
      }
    },
    60_000 + ROUNDS * 30_000,
  );
});
