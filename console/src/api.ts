// Calls the admin API with the session cookie; a 401 sends the browser back to the login form.
import type { FieldError } from '../../domain/field-error.ts';
import type { ErrorAnswer, RouterErrorAnswer } from '../../wire/errors.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errors: FieldError[],
  ) {
    super(errors.map((e) => `${e.field}: ${e.rule}`).join('; ') || `HTTP ${status}`);
  }
}

/** T is the answer's type from wire/, the same one the server's route produces. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 401) {
    window.location.assign('/console/');
    throw new ApiError(401, [{ field: 'session', rule: 'expired: log in again' }]);
  }
  const json = (await res.json().catch(() => ({}))) as Partial<ErrorAnswer & RouterErrorAnswer>;
  if (!res.ok) {
    const rule = json.error ?? `failed with HTTP ${res.status}`;
    throw new ApiError(res.status, json.errors ?? [{ field: '(request)', rule }]);
  }
  return json as T;
}
