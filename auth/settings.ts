// The numbers that tune authentication, read from the environment by app/config.ts (the variables named below) and
// handed down.

export interface AuthSettings {
  /** How long a console session lasts from login (SESSION_LIFETIME_HOURS). */
  sessionLifetimeMs: number;
  /** Announcements a creator may make per window (ANNOUNCE_RATE_LIMIT); the window (ANNOUNCE_RATE_WINDOW_SECONDS). */
  announceRate: { points: number; windowSeconds: number };
  /**
   * Wrong passwords allowed per username (LOGIN_FAILURES_PER_ACCOUNT) and per client address
   * (LOGIN_FAILURES_PER_ADDRESS) within a window (LOGIN_FAILURE_WINDOW_SECONDS) before logins are refused for the
   * lockout (LOGIN_LOCKOUT_SECONDS).
   */
  loginThrottle: { perAccount: number; perAddress: number; windowSeconds: number; lockoutSeconds: number };
  /**
   * Wrong bearer tokens (ADMIN_TOKEN, service credentials, creator keys) allowed per client address
   * (TOKEN_FAILURES_PER_ADDRESS) within a window (TOKEN_FAILURE_WINDOW_SECONDS) before every bearer token from the
   * address is refused for the lockout (TOKEN_LOCKOUT_SECONDS).
   */
  tokenThrottle: { perAddress: number; windowSeconds: number; lockoutSeconds: number };
}

export const DEFAULT_AUTH_SETTINGS: AuthSettings = {
  sessionLifetimeMs: 12 * 3_600_000,
  announceRate: { points: 60, windowSeconds: 60 },
  loginThrottle: { perAccount: 5, perAddress: 20, windowSeconds: 900, lockoutSeconds: 900 },
  tokenThrottle: { perAddress: 20, windowSeconds: 900, lockoutSeconds: 900 },
};
