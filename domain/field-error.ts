// The one shape of a validation error at every boundary (HTTP, CLI, policies, world specs): a field, the rule it broke.

export interface FieldError {
  /** Path of the offending field, such as `rules[2].window` or `audience`. */
  field: string;
  /** What the field must be, phrased to finish "field: …", such as `must be a duration such as "24h"`. */
  rule: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** "rules[2].window: must be a duration such as \"24h\"", one line per error. */
export function formatFieldErrors(errors: readonly FieldError[]): string {
  return errors.map((e) => `${e.field}: ${e.rule}`).join('\n');
}
