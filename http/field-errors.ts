// Zod at the HTTP boundary: its issues as today's `{ field, rule }` list, and the validator Fastify runs per route.
import type { FastifyRouteSchemaDef, FastifyValidationResult } from 'fastify/types/schema.js';
import type { z } from 'zod';
import type { FieldError } from '../domain/field-error.ts';

type Issue = z.core.$ZodIssue;

/** `quietHours.start`, `mutedCreatorIds[3]`; the whole input is `(body)` (or the name of the part, for a query). */
function fieldName(path: readonly PropertyKey[], root: string): string {
  let name = '';
  for (const key of path) name += typeof key === 'number' ? `[${key}]` : `${name ? '.' : ''}${String(key)}`;
  return name || root;
}

/** One error per bad field (its first broken rule); an unknown key is reported under its own name. */
export function fieldErrors(issues: readonly Issue[], root = '(body)'): FieldError[] {
  const errors = new Map<string, string>();
  const add = (field: string, rule: string) => {
    if (!errors.has(field)) errors.set(field, rule);
  };
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys')
      for (const key of issue.keys) add(fieldName([...issue.path, key], root), 'is not a known field');
    else add(fieldName(issue.path, root), issue.message);
  }
  return [...errors].map(([field, rule]) => ({ field, rule }));
}

/** A refused request part; Fastify gives it `validationContext` (body, params, querystring, headers) and status 400. */
export class InputError extends Error {
  readonly statusCode = 400;
  readonly code = 'FST_ERR_VALIDATION';
  validationContext?: string;
  constructor(readonly issues: readonly Issue[]) {
    super('invalid input');
  }

  fieldErrors(): FieldError[] {
    return fieldErrors(
      this.issues,
      this.validationContext === 'body' || !this.validationContext ? '(body)' : `(${this.validationContext})`,
    );
  }
}

/** Validates a request part with its zod schema, keeping zod's issues whole (paths as arrays) for `fieldErrors`. */
export function zodValidatorCompiler<S>({ schema }: FastifyRouteSchemaDef<S>): FastifyValidationResult {
  return (data) => {
    const result = (schema as z.ZodType).safeParse(data);
    return result.success ? { value: result.data } : { error: new InputError(result.error.issues) };
  };
}

/**
 * For a body whose fields a plain function checks in the handler (so its rules stay in one mergeable place): the
 * zod schema only documents the body in the OpenAPI document, and the value reaches the handler as sent.
 */
export function documentedBodyCompiler<S>(route: FastifyRouteSchemaDef<S>): FastifyValidationResult {
  return route.httpPart === 'body' ? (data) => ({ value: data }) : zodValidatorCompiler(route);
}
