// The console's creator view and audit log under /api/admin/: pick a creator, its totals and events; every audit.
import { z } from 'zod';
import { auditEntries } from '../db/audit-log.ts';
import { creatorTotals, listRecentEvents } from '../db/console-events.ts';
import { searchCreators } from '../db/creators.ts';
import type { Pool } from '../db/pool.ts';
import { AUDIT_KINDS, AUDIT_LIMITS, type AuditAnswer, type AuditKind } from '../wire/audit.ts';
import type { CreatorPickAnswer, CreatorSummary } from '../wire/events.ts';
import type { TeamGate } from './admin-auth.ts';
import { refuse, send } from './answer.ts';
import type { HttpApp } from './app.ts';
import { teamOnly } from './auth-hooks.ts';
import { dayQuery, dayRange, dayText, idParams } from './params.ts';

export interface CreatorViewRouteDeps {
  pool: Pool;
  gate: TeamGate;
  now: () => Date;
}

const CREATOR_QUERY = 'must be a creator id or part of a handle or name, at most 200 characters';
/** The picker narrows by typing, never by paging. */
const CREATOR_PICKS = 50;
/** A creator's totals cover at most this many days. */
export const CREATOR_PERIOD_DAYS = 366;
const CREATOR_EVENTS = 200;
const KIND_RULE = `must be a comma-separated list of ${AUDIT_KINDS.join(', ')}`;

export function registerCreatorViewRoutes(app: HttpApp, deps: CreatorViewRouteDeps): void {
  const read = <S extends object>(schema: S) => ({
    onRequest: teamOnly(deps.gate, 'console.read'),
    schema: { hide: true, ...schema },
  });
  const { pool } = deps;

  // The same search as the Access page's picker, for every role: ids, handles and names only, no keys.
  const pickQuery = z.object({ q: z.string({ error: CREATOR_QUERY }).trim().max(200, CREATOR_QUERY).default('') });
  app.get('/api/admin/creators/search', read({ querystring: pickQuery }), async (req, reply) => {
    const found = await searchCreators(pool, req.query.q, CREATOR_PICKS);
    const body: CreatorPickAnswer = {
      creators: found.map((c) => ({ id: c.id, handle: c.handle, displayName: c.displayName })),
    };
    return send(reply, { status: 200, body });
  });

  const range = z.object({ from: dayQuery, to: dayQuery });
  app.get(
    '/api/admin/creators/:id/summary',
    read({ params: idParams('id'), querystring: range }),
    async (req, reply) => {
      const period = dayRange(req.query, deps.now(), CREATOR_PERIOD_DAYS, 28);
      if ('rule' in period) return send(reply, refuse(400, period));
      const [creator] = await searchCreators(pool, String(req.params.id), 1);
      if (!creator) return send(reply, refuse(404, { field: 'id', rule: 'must name an existing creator' }));
      const scope = { id: creator.id, from: period.from, to: period.end };
      const [totals, events] = await Promise.all([
        creatorTotals(pool, creator.id, period.from, period.end),
        listRecentEvents(pool, CREATOR_EVENTS, scope),
      ]);
      const body: CreatorSummary = {
        creator: { id: creator.id, handle: creator.handle, displayName: creator.displayName },
        from: dayText(period.from),
        to: dayText(period.to),
        totals,
        events,
      };
      return send(reply, { status: 200, body });
    },
  );

  const kinds = z
    .string({ error: KIND_RULE })
    .transform((s) => s.split(',').filter(Boolean))
    .refine((list) => list.every((k) => (AUDIT_KINDS as readonly string[]).includes(k)), { error: KIND_RULE })
    .optional();
  app.get(
    '/api/admin/audit',
    read({ querystring: z.object({ kind: kinds, from: dayQuery, to: dayQuery }) }),
    async (req, reply) => {
      const period = dayRange(req.query, deps.now(), AUDIT_LIMITS.days, 30);
      if ('rule' in period) return send(reply, refuse(400, period));
      const wanted = (req.query.kind?.length ? req.query.kind : AUDIT_KINDS) as AuditKind[];
      const entries = await auditEntries(pool, wanted, period.from, period.end, AUDIT_LIMITS.entries + 1);
      const body: AuditAnswer = {
        from: dayText(period.from),
        to: dayText(period.to),
        kinds: wanted,
        entries: entries.slice(0, AUDIT_LIMITS.entries),
        truncated: entries.length > AUDIT_LIMITS.entries,
      };
      return send(reply, { status: 200, body });
    },
  );
}
