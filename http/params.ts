// Zod schemas for the path and query parts the routes share: ids, bounded integers, text.
import { z } from 'zod';

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
