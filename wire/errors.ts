// The refusals on the wire: what an admin route answers when it will not do what was asked, as the console reads it.
import type { FieldError } from '../domain/field-error.ts';

/** A 4xx (or 503) from a route: every bad field with the rule it broke, so a form can point at each. */
export interface ErrorAnswer {
  errors: FieldError[];
}

/** What the router answers by itself: no such route or method, or a handler that failed unexpectedly (500). */
export interface RouterErrorAnswer {
  error: string;
}
