// Reads the process configuration from the environment, with the variable's name in every error.

export interface Config {
  databaseUrl: string | undefined;
  temporalAddress: string;
  temporalNamespace: string;
  apiPort: number;
  apiHost: string;
  publicUrl: string | undefined;
  smtp: { host: string; port: number; secure: boolean; user?: string; pass?: string; maxConnections: number; rateLimit?: number };
  mailFrom: string;
  mailReplyTo: string | undefined;
  vapidSubject: string;
  deliveryConcurrency: number;
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min = 0, max = 65535 * 1000): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name}: must be an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}

export function readConfig(env: Env = process.env): Config {
  const rate = env.SMTP_RATE_LIMIT;
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    temporalAddress: env.TEMPORAL_ADDRESS || '127.0.0.1:7233',
    temporalNamespace: env.TEMPORAL_NAMESPACE || 'default',
    apiPort: int(env, 'PORT', 8080, 0, 65535),
    apiHost: env.HOST || '127.0.0.1',
    publicUrl: env.PUBLIC_URL || undefined,
    smtp: {
      host: env.SMTP_HOST || '127.0.0.1',
      port: int(env, 'SMTP_PORT', 2525, 1, 65535),
      secure: env.SMTP_SECURE === 'true',
      user: env.SMTP_USER || undefined,
      pass: env.SMTP_PASS || undefined,
      maxConnections: int(env, 'SMTP_MAX_CONNECTIONS', 5, 1, 100),
      rateLimit: rate ? int(env, 'SMTP_RATE_LIMIT', 0, 1, 100000) : undefined,
    },
    mailFrom: env.MAIL_FROM || 'Fanfare <notifications@fanfare.localhost>',
    mailReplyTo: env.MAIL_REPLY_TO || undefined,
    vapidSubject: env.VAPID_SUBJECT || 'mailto:push@fanfare.localhost',
    deliveryConcurrency: int(env, 'DELIVERY_CONCURRENCY', 8, 1, 256),
  };
}

export function requireDatabaseUrl(config: Config): string {
  if (!config.databaseUrl) throw new Error('DATABASE_URL: must be set to a PostgreSQL connection string, e.g. postgres://postgres@127.0.0.1:5432/fanfare');
  return config.databaseUrl;
}

/** The domain of the From address, for Message-IDs. */
export function mailDomain(from: string): string {
  return /@([^>\s]+)/.exec(from)?.[1] ?? 'fanfare.localhost';
}
