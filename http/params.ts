// Zod schemas for the path and query parts the routes share: ids, bounded integers, text.
import { z } from 'zod';
import { DAY_MS } from '../domain/time.ts';

const POSITIVE = 'must be a positive integer';

/** A path id such as /api/events/:id: digits only, within the ids JavaScript holds exactly. */
export const idParam = z
  .string()
  .regex(/^\d+$/, { error: POSITIVE, abort: true })
  .transform(Number)
  .refine((n) => Number.isSafeInteger(n) && n >= 1, { error: POSITIVE });

export const idParams = <K extends string>(name: K) => z.object({ [name]: idParam } as Record<K, typeof idParam>);

/** An optional integer query parameter; a repeated one (an array) is refused with the same rule. */
export const intQuery = (min: number, max: number, fallback: number) => {
  const rule = `must be an integer from ${min} to ${max}`;
  return z
    .string({ error: rule })
    .regex(/^\d+$/, { error: rule, abort: true })
    .transform(Number)
    .refine((n) => n >= min && n <= max, { error: rule })
    .optional()
    .transform((n) => n ?? fallback);
};

const DAY_RULE = 'must be a date YYYY-MM-DD';
/** An optional UTC day, YYYY-MM-DD, as the Date of its midnight; undefined when absent. */
export const dayQuery = z
  .string({ error: DAY_RULE })
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: DAY_RULE, abort: true })
  .transform((s) => new Date(`${s}T00:00:00Z`))
  .refine((d) => !Number.isNaN(d.getTime()), { error: DAY_RULE })
  .optional();

/** from and to, both inclusive UTC days, with `end` the midnight after `to`; or the field at fault and its rule. */
export type DayRange = { from: Date; to: Date; end: Date } | { field: 'from'; rule: string };

/** to defaults to today, from to `defaultDays` days up to `to`; at most `maxDays` days. */
export function dayRange(query: { from?: Date; to?: Date }, now: Date, maxDays: number, defaultDays: number): DayRange {
  const to = query.to ?? new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS);
  const from = query.from ?? new Date(to.getTime() - (defaultDays - 1) * DAY_MS);
  const end = new Date(to.getTime() + DAY_MS);
  if (from > to) return { field: 'from', rule: 'must not be after to' };
  if (end.getTime() - from.getTime() > maxDays * DAY_MS)
    return { field: 'from', rule: `must be at most ${maxDays} days before to, both included` };
  return { from, to, end };
}

/** A UTC day as the query and the wire write it. */
export const dayText = (d: Date) => d.toISOString().slice(0, 10);
