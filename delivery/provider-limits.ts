// Per-provider limits, pure: which provider a message goes to, the limits configured for it, and how long every worker
// leaves a provider alone after it refused (docs/DELIVERY.md, "Backpressure").

/** Calls in flight at once and messages started per second (null: no rate limit), across all workers. */
export interface ProviderLimit {
  concurrency: number;
  ratePerSecond: number | null;
}

export interface ProviderLimits {
  defaults: ProviderLimit;
  /** By `smtp` (the relay) or a push service origin (`https://fcm.googleapis.com`). */
  overrides: ReadonlyMap<string, ProviderLimit>;
}

/** The SMTP relay's provider name. */
export function smtpProvider(host: string, port: number): string {
  return `smtp:${host.toLowerCase()}:${port}`;
}

/** A push service's provider name: its endpoint's origin. */
export function pushProvider(endpoint: string): string {
  return `push:${new URL(endpoint).origin}`;
}

/** The limit for a provider: an override for `smtp` or its push origin, else the defaults. */
export function limitFor(limits: ProviderLimits, provider: string): ProviderLimit {
  const key = provider.startsWith('smtp:') ? 'smtp' : provider.replace(/^push:/, '');
  return limits.overrides.get(key) ?? limits.defaults;
}

/**
 * `smtp=10/50,https://fcm.googleapis.com=100` : KEY=CONCURRENCY[/RATE], RATE in messages per second. Throws a message
 * naming the entry and the rule.
 */
export function parseProviderLimits(text: string, defaults: ProviderLimit): ProviderLimits {
  const overrides = new Map<string, ProviderLimit>();
  for (const entry of text.split(',').map((s) => s.trim())) {
    if (entry === '') continue;
    const m = /^([^=\s]+)=(\d+)(?:\/(\d+))?$/.exec(entry);
    if (!m) throw new Error(`"${entry}" must be KEY=CONCURRENCY or KEY=CONCURRENCY/RATE`);
    const key = providerKey(m[1], entry);
    const concurrency = Number(m[2]);
    const rate = m[3] === undefined ? null : Number(m[3]);
    if (concurrency < 1 || concurrency > 10_000) throw new Error(`"${entry}": concurrency must be from 1 to 10000`);
    if (rate !== null && (rate < 1 || rate > 1_000_000)) throw new Error(`"${entry}": rate must be from 1 to 1000000`);
    if (overrides.has(key)) throw new Error(`"${key}" must appear once`);
    overrides.set(key, { concurrency, ratePerSecond: rate });
  }
  return { defaults, overrides };
}

function providerKey(key: string, entry: string): string {
  if (key === 'smtp') return key;
  let url: URL;
  try {
    url = new URL(key);
  } catch {
    throw new Error(`"${entry}": the key must be smtp or a push service origin such as https://fcm.googleapis.com`);
  }
  if (url.protocol !== 'https:' || url.origin !== key.replace(/\/$/, ''))
    throw new Error(`"${entry}": a push service is named by its https origin only, e.g. https://fcm.googleapis.com`);
  return url.origin;
}

/** The first pause after a refusal; each refusal in a row doubles it, up to the most. */
export const FIRST_PAUSE_MS = 1_000;
/**
 * The longest pause: how late, at worst, delivery notices a provider is back. A provider still down meets one burst of
 * calls (at most its concurrency) a minute.
 */
export const MOST_PAUSE_MS = 60_000;

/**
 * How long every worker leaves a provider alone after its `refusals`-th refusal in a row (from 1): doubling from a
 * second to a minute, and never shorter than a Retry-After the provider gave.
 */
export function refusalPauseMs(refusals: number, retryAfterMs?: number): number {
  const backoff = Math.min(MOST_PAUSE_MS, FIRST_PAUSE_MS * 2 ** Math.max(0, Math.min(refusals - 1, 30)));
  return Math.max(backoff, Math.min(retryAfterMs ?? 0, 24 * 3_600_000));
}

/** Provider errors that mean "not now" from the provider itself, as opposed to this one message being bad. */
export const REFUSALS: readonly string[] = [
  'smtp_rejected_transient',
  'smtp_connection_failed',
  'push_rate_limited',
  'push_server_error',
  'push_connection_failed',
];
