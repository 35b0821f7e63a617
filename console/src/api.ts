// Calls the admin API with the session cookie; a 401 sends the browser back to the login form.
export interface FieldError {
  field: string;
  rule: string;
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.rule}`).join('; ') || `HTTP ${status}`);
  }
}

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
  const json = (await res.json().catch(() => ({}))) as { errors?: FieldError[]; error?: string };
  if (!res.ok) throw new ApiError(res.status, json.errors ?? [{ field: '(request)', rule: json.error ?? `failed with HTTP ${res.status}` }]);
  return json as T;
}
