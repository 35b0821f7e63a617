// Signs one VAPID Authorization header per push service origin and reuses it until shortly before it expires.
//
// web-push signs a fresh ES256 JWT (and rebuilds a PEM key) for every message, which was a large share of the
// worker's CPU per push. RFC 8292 binds the JWT to the push service's origin (`aud`) and an expiry (`exp`, at most
// 24 h ahead), not to a message, so one header serves every message to that origin until near its `exp`. The
// payload encryption stays per message: RFC 8291 needs a fresh key pair for each one.
import webpush from 'web-push';

export type VapidIdentity = {
  subject: string;
  publicKey: string;
  privateKey: string;
};

export type VapidHeaderOptions = {
  /** How long a signed header claims to be valid (`exp` - now), in seconds; RFC 8292 allows 24 h at most. */
  lifetimeSeconds?: number;
  /** A header is signed again once this little of its lifetime is left, so a slow request never carries a stale one. */
  renewBeforeSeconds?: number;
  /** Milliseconds since the epoch; a test moves it. */
  now?: () => number;
};

/** Returns the `Authorization` header for a push endpoint (`vapid t=<JWT>, k=<public key>`). */
export type VapidHeaders = (endpoint: string) => string;

/** web-push's own default lifetime. */
const LIFETIME_S = 12 * 3600;
const RENEW_BEFORE_S = 3600;
/** Origins kept at most; the allow-list names a few push services, but `*` admits any host. */
const MAX_ORIGINS = 1000;

export function createVapidHeaders(identity: VapidIdentity, options: VapidHeaderOptions = {}): VapidHeaders {
  const lifetime = options.lifetimeSeconds ?? LIFETIME_S;
  const renewBefore = options.renewBeforeSeconds ?? RENEW_BEFORE_S;
  if (!(lifetime > renewBefore && renewBefore >= 0 && lifetime <= 24 * 3600))
    throw new RangeError('vapid headers: need 0 <= renewBeforeSeconds < lifetimeSeconds <= 86400');
  const now = options.now ?? Date.now;
  const cache = new Map<string, { header: string; exp: number }>();
  return (endpoint) => {
    const audience = new URL(endpoint).origin;
    const seconds = Math.floor(now() / 1000);
    const cached = cache.get(audience);
    if (cached && seconds < cached.exp - renewBefore) return cached.header;
    const exp = seconds + lifetime;
    const { Authorization } = webpush.getVapidHeaders(
      audience,
      identity.subject,
      identity.publicKey,
      identity.privateKey,
      'aes128gcm',
      exp,
    );
    cache.delete(audience);
    if (cache.size >= MAX_ORIGINS) cache.delete(cache.keys().next().value!);
    cache.set(audience, { header: Authorization, exp });
    return Authorization;
  };
}
