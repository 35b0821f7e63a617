// A console period from the query (from/to dates, or the last N days, in a time zone), checked, and its predecessor.
import { z } from 'zod';
import { instantOfWallTime, zoneOffsetMinutes } from '../domain/clock.ts';
import type { FieldError } from '../domain/field-error.ts';
import { DAY_MS, MINUTE_MS } from '../domain/time.ts';
import { MAX_PERIOD_DAYS, type Period } from '../wire/period.ts';
import { intQuery } from './params.ts';

const DATE_RULE = 'must be a date, YYYY-MM-DD';
const ZONE_RULE = 'must be an IANA time zone such as UTC or Europe/Berlin';

const dayMs = (day: string) => Date.parse(`${day}T00:00:00Z`);
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

const date = z
  .string({ error: DATE_RULE })
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: DATE_RULE, abort: true })
  // 2025-02-30 parses, so the day must print back as itself.
  .refine((s) => !Number.isNaN(dayMs(s)) && dayOf(dayMs(s)) === s, { error: DATE_RULE, abort: true })
  .optional();

function isZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The query of GET /api/admin/overview and /fatigue: `from` and `to` (both or neither; `to` on or after `from`, at
 * most MAX_PERIOD_DAYS days), or else `days`, the last N days up to today; `tz` the zone days are cut in (UTC).
 */
export const periodQuery = z
  .object({
    from: date,
    to: date,
    days: intQuery(1, MAX_PERIOD_DAYS, 28),
    tz: z
      .string({ error: ZONE_RULE })
      .max(64, ZONE_RULE)
      .refine(isZone, { error: ZONE_RULE })
      .optional()
      .transform((s) => s ?? 'UTC'),
  })
  .superRefine((q, ctx) => {
    if ((q.from === undefined) !== (q.to === undefined)) {
      const field = q.from === undefined ? 'from' : 'to';
      ctx.addIssue({ code: 'custom', path: [field], message: 'must be given with the other end (from and to)' });
      return;
    }
    if (q.from === undefined || q.to === undefined) return;
    const days = (dayMs(q.to) - dayMs(q.from)) / DAY_MS + 1;
    if (days < 1) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be on or after from' });
    else if (days > MAX_PERIOD_DAYS)
      ctx.addIssue({ code: 'custom', path: ['to'], message: `must be at most ${MAX_PERIOD_DAYS} days after from` });
  });
export type PeriodQuery = z.output<typeof periodQuery>;

/** Today's date in `zone` at `nowMs`. */
export const todayIn = (zone: string, nowMs: number) => dayOf(nowMs + zoneOffsetMinutes(zone, nowMs) * MINUTE_MS);

/** The whole days from `from` to `to` in `timeZone`, with the one still running at `nowMs` marked partial. */
export function periodOf(from: string, to: string, timeZone: string, nowMs: number): Period {
  const days: string[] = [];
  for (let t = dayMs(from); t <= dayMs(to); t += DAY_MS) days.push(dayOf(t));
  const today = todayIn(timeZone, nowMs);
  return {
    from,
    to,
    timeZone,
    days,
    partialDay: today >= from && today <= to ? today : null,
    start: new Date(instantOfWallTime(timeZone, dayMs(from))).toISOString(),
    end: new Date(instantOfWallTime(timeZone, dayMs(to) + DAY_MS)).toISOString(),
  };
}

/** The period a query asks for, and the one of the same length just before it (for the changes). */
export function resolvePeriod(q: PeriodQuery, now: Date): { period: Period; previous: Period } {
  const nowMs = now.getTime();
  const to = q.to ?? todayIn(q.tz, nowMs);
  const from = q.from ?? dayOf(dayMs(to) - (q.days - 1) * DAY_MS);
  const length = (dayMs(to) - dayMs(from)) / DAY_MS + 1;
  const prevTo = dayOf(dayMs(from) - DAY_MS);
  const prevFrom = dayOf(dayMs(from) - length * DAY_MS);
  return { period: periodOf(from, to, q.tz, nowMs), previous: periodOf(prevFrom, prevTo, q.tz, nowMs) };
}

/** A period may end today at the latest: later days have nothing to show yet. */
export function futureDayError(period: Period, now: Date): FieldError | null {
  const today = todayIn(period.timeZone, now.getTime());
  return period.to > today ? { field: 'to', rule: `must not be after today (${today} in ${period.timeZone})` } : null;
}
