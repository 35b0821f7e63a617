// Reads the process configuration from the environment, the one place that does, naming the variable in every error.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type AuthSettings, DEFAULT_AUTH_SETTINGS } from '../auth/settings.ts';
import { type ProviderLimits, parseProviderLimits } from '../delivery/provider-limits.ts';
import { type PushHostPattern, parsePushHosts } from '../delivery/push-endpoint.ts';
import { checkTrackingKeys, parseTrackingKeys, type TrackingKey } from '../delivery/tokens.ts';

export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Where Fanfare keeps what it builds once (the Temporal CLI, the LightGBM oracle, built consoles) and finds tools. */
export interface ToolPaths {
  /** FANFARE_CACHE, by default ~/.cache/fanfare. */
  cacheDir: string;
  /** TEMPORAL_CLI_PATH: a temporal CLI binary to use instead of searching. */
  temporalCliPath: string | undefined;
  /** PATH, searched for `temporal` and `go`. */
  searchPath: string;
  /** TEMPORAL_SERVER_PATH: a Temporal server binary (v1.29.1) to use instead of the one built into the cache. */
  temporalServerPath: string | undefined;
  /** TEMPORAL_SQL_TOOL_PATH: the Temporal SQL schema tool (temporal-sql-tool, v1.29.1) to use likewise. */
  temporalSqlToolPath: string | undefined;
}

/** `fanfare cluster up`: where the Temporal server keeps its own PostgreSQL databases, and the app's database. */
export interface ClusterSettings {
  /**
   * FANFARE_CLUSTER_POSTGRES_URL: the PostgreSQL server (host, port, user, password) on which the Temporal server's
   * databases are made; a database named in the URL is ignored. Default postgres://postgres@127.0.0.1:5432.
   */
  temporalPostgresUrl: string;
  /** DATABASE_URL, else the database `fanfare` on that same server. */
  databaseUrl: string;
}

export interface Config {
  databaseUrl: string | undefined;
  temporalAddress: string;
  temporalNamespace: string;
  apiPort: number;
  apiHost: string;
  publicUrl: string | undefined;
  smtp: {
    host: string;
    port: number;
    secure: boolean;
    user?: string;
    pass?: string;
    maxConnections: number;
    rateLimit?: number;
  };
  mailFrom: string;
  mailReplyTo: string | undefined;
  /** FANFARE_ALERT_EMAIL: who is emailed when an alert is raised or cleared; unset, alerts are rows and a banner. */
  alertEmail: string | undefined;
  vapidSubject: string;
  deliveryConcurrency: number;
  /**
   * FANFARE_GLOBAL_HOLDOUT_PERCENT: the standing global holdout's share of fans (0 to 10, two decimals), decided
   * without relevance filtering to measure the whole system's lift (docs/EXPERIMENTS.md).
   */
  globalHoldoutPercent: number;
  /** Per provider (the SMTP relay, each push service): calls in flight and messages per second, across all workers. */
  providerLimits: ProviderLimits;
  /** The SMTP listener for mail that comes back (`fanfare inbound serve`). */
  inbound: InboundSettings;
  /** List-Id of every message (RFC 2919); defaults to <notifications.{From domain}>. */
  listId: string;
  /** Signing keys for links, newest first; unset means one generated key kept in the settings table. */
  trackingKeys: TrackingKey[] | undefined;
  /** Bearer token of the growth team's admin API (/api/admin/*); unset means every admin route answers 401. */
  adminToken: string | undefined;
  /** Session lifetime, the announce rate limit and the login throttle (auth/settings.ts names the variables). */
  auth: AuthSettings;
  /** PUSH_CA_FILE: an extra CA for a push service with a private certificate. */
  pushCaFile: string | undefined;
  /** FANFARE_PUSH_HOSTS: push services whose endpoints fans may register and the worker calls (default: browsers'). */
  pushHosts: PushHostPattern[];
  /** FANFARE_LOG_LEVEL: the Temporal SDK's log level. */
  logLevel: LogLevel;
  /** Where each process serves Prometheus metrics, apart from the API's public address; null where turned off. */
  metrics: MetricsAddresses;
  paths: ToolPaths;
  /** Whether TEMPORAL_ADDRESS and PORT were set: `fanfare dev` starts its own server or picks a port where not. */
  explicit: { temporalAddress: boolean; apiPort: boolean };
}

export interface InboundSettings {
  /** FANFARE_INBOUND_SMTP_ADDRESS: where the listener takes mail from the MX. */
  address: ListenAddress;
  /** INBOUND_DOMAINS: domains whose mail it accepts; by default the From domain. */
  domains: string[];
}

export const DEFAULT_INBOUND_SMTP_ADDRESS = '127.0.0.1:2526';

/** A TCP address to listen on. */
export interface ListenAddress {
  host: string;
  port: number;
}

/** docs/OPERATIONS.md: loopback by default, so the metrics are not on the public address unless an operator says so. */
export interface MetricsAddresses {
  /** FANFARE_API_METRICS_ADDRESS: `fanfare api`'s /metrics (and `fanfare dev`'s, whose one process is both). */
  api: ListenAddress | null;
  /** FANFARE_WORKER_METRICS_ADDRESS: `fanfare worker`'s /metrics. */
  worker: ListenAddress | null;
  /** FANFARE_TEMPORAL_METRICS_ADDRESS: the Temporal SDK's own worker metrics, served by its runtime. */
  temporal: ListenAddress | null;
}

export const DEFAULT_METRICS_ADDRESSES = {
  api: '127.0.0.1:9464',
  worker: '127.0.0.1:9465',
  temporal: '127.0.0.1:9466',
} as const;

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min = 0, max = 65535 * 1000): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`${name}: must be an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}

/** A percent with at most two decimals, from 0 to max. */
function percent(env: Env, name: string, fallback: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^\d+(\.\d{1,2})?$/.test(raw) || n > max)
    throw new Error(`${name}: must be a percent from 0 to ${max} with at most two decimals, got "${raw}"`);
  return n;
}

export function readToolPaths(env: Env = process.env): ToolPaths {
  return {
    cacheDir: env.FANFARE_CACHE || join(env.HOME || homedir(), '.cache', 'fanfare'),
    temporalCliPath: env.TEMPORAL_CLI_PATH || undefined,
    searchPath: env.PATH ?? '',
    temporalServerPath: env.TEMPORAL_SERVER_PATH || undefined,
    temporalSqlToolPath: env.TEMPORAL_SQL_TOOL_PATH || undefined,
  };
}

export function readClusterSettings(env: Env = process.env): ClusterSettings {
  const raw = env.FANFARE_CLUSTER_POSTGRES_URL?.trim() || 'postgres://postgres@127.0.0.1:5432';
  let server: URL;
  try {
    server = new URL(raw);
  } catch {
    throw new Error(`FANFARE_CLUSTER_POSTGRES_URL: must be a postgres:// URL, got "${raw}"`);
  }
  if (server.protocol !== 'postgres:' && server.protocol !== 'postgresql:')
    throw new Error(`FANFARE_CLUSTER_POSTGRES_URL: must be a postgres:// URL, got "${raw}"`);
  server.pathname = '/';
  const app = new URL(server);
  app.pathname = '/fanfare';
  return { temporalPostgresUrl: server.toString(), databaseUrl: env.DATABASE_URL?.trim() || app.toString() };
}

export function readConfig(env: Env = process.env): Config {
  const rate = env.SMTP_RATE_LIMIT;
  return {
    databaseUrl: env.DATABASE_URL?.trim() || undefined,
    temporalAddress: env.TEMPORAL_ADDRESS || '127.0.0.1:7233',
    temporalNamespace: env.TEMPORAL_NAMESPACE || 'default',
    apiPort: int(env, 'PORT', 8080, 0, 65535),
    apiHost: env.HOST || '127.0.0.1',
    publicUrl: publicUrl(env.PUBLIC_URL),
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
    alertEmail: alertEmail(env.FANFARE_ALERT_EMAIL),
    vapidSubject: env.VAPID_SUBJECT || 'mailto:push@fanfare.localhost',
    deliveryConcurrency: int(env, 'DELIVERY_CONCURRENCY', 8, 1, 256),
    globalHoldoutPercent: percent(env, 'FANFARE_GLOBAL_HOLDOUT_PERCENT', 1, 10),
    providerLimits: providerLimits(env),
    inbound: {
      address:
        listenAddress(env, 'FANFARE_INBOUND_SMTP_ADDRESS', DEFAULT_INBOUND_SMTP_ADDRESS) ??
        fail('FANFARE_INBOUND_SMTP_ADDRESS: must be host:port or [ipv6]:port; "off" is not an inbound address'),
      domains: inboundDomains(env.INBOUND_DOMAINS, mailDomain(env.MAIL_FROM || 'notifications@fanfare.localhost')),
    },
    listId: listId(env.LIST_ID, mailDomain(env.MAIL_FROM || 'notifications@fanfare.localhost')),
    trackingKeys: trackingKeys(env.TRACKING_KEYS),
    adminToken: adminToken(env.ADMIN_TOKEN),
    auth: authSettings(env),
    pushCaFile: env.PUSH_CA_FILE || undefined,
    pushHosts: pushHosts(env.FANFARE_PUSH_HOSTS),
    logLevel: logLevel(env.FANFARE_LOG_LEVEL),
    metrics: {
      api: listenAddress(env, 'FANFARE_API_METRICS_ADDRESS', DEFAULT_METRICS_ADDRESSES.api),
      worker: listenAddress(env, 'FANFARE_WORKER_METRICS_ADDRESS', DEFAULT_METRICS_ADDRESSES.worker),
      temporal: listenAddress(env, 'FANFARE_TEMPORAL_METRICS_ADDRESS', DEFAULT_METRICS_ADDRESSES.temporal),
    },
    paths: readToolPaths(env),
    explicit: { temporalAddress: !!env.TEMPORAL_ADDRESS, apiPort: !!env.PORT },
  };
}

/** One plain address (no display name, no list): the monitor emails exactly who is named. */
function alertEmail(raw: string | undefined): string | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  if (!/^[^\s@<>,;"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/.test(value))
    throw new Error(`FANFARE_ALERT_EMAIL: must be one email address such as ops@example.com, got "${raw}"`);
  return value;
}

function fail(message: string): never {
  throw new Error(message);
}

const DOMAIN = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

function inboundDomains(raw: string | undefined, fromDomain: string): string[] {
  if (!raw?.trim()) return [fromDomain.toLowerCase()];
  const domains = raw
    .split(',')
    .map((d) => d.trim().toLowerCase())
    .filter((d) => d !== '');
  const bad = domains.find((d) => !DOMAIN.test(d));
  if (bad !== undefined || domains.length === 0)
    throw new Error(`INBOUND_DOMAINS: must be comma-separated domain names, got "${raw}"`);
  return domains;
}

function providerLimits(env: Env): ProviderLimits {
  const concurrency = int(env, 'PROVIDER_CONCURRENCY', 32, 1, 10_000);
  const rate = int(env, 'PROVIDER_RATE_LIMIT', 0, 0, 1_000_000);
  try {
    return parseProviderLimits(env.PROVIDER_LIMITS ?? '', { concurrency, ratePerSecond: rate || null });
  } catch (err) {
    throw new Error(`PROVIDER_LIMITS: ${(err as Error).message} (format: smtp=CONCURRENCY/RATE,https://host=…)`);
  }
}

function logLevel(raw: string | undefined): LogLevel {
  const level = (raw || 'WARN').toUpperCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level))
    throw new Error(`FANFARE_LOG_LEVEL: must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
  return level as LogLevel;
}

/** `host:port` or `[ipv6]:port`, or `off`; a blank value keeps the default. */
function listenAddress(env: Env, name: string, fallback: string): ListenAddress | null {
  const raw = env[name]?.trim() || fallback;
  if (raw === 'off') return null;
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(raw);
  const port = m ? Number(m[3]) : -1;
  if (!m || port > 65535) throw new Error(`${name}: must be host:port, [ipv6]:port or off, got "${raw}"`);
  return { host: m[1] ?? m[2], port };
}

/** host:port as a listener or a URL writes it, brackets around an IPv6 address. */
export function formatAddress(a: ListenAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/** The test suite's database (TEST_DATABASE_URL), created if missing by the test helpers. */
export function testDatabaseUrl(env: Env = process.env): string {
  return env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/fanfare_test';
}

/** The Chromium the console's browser tests drive (CHROMIUM_PATH), Debian's by default. */
export function chromiumPath(env: Env = process.env): string {
  return env.CHROMIUM_PATH || '/usr/bin/chromium';
}

function publicUrl(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`PUBLIC_URL: must be an absolute http or https URL, got "${raw}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new Error(`PUBLIC_URL: must be an http or https URL, got "${raw}"`);
  if (url.search || url.hash) throw new Error(`PUBLIC_URL: must have no query or fragment, got "${raw}"`);
  return raw.replace(/\/+$/, '');
}

function listId(raw: string | undefined, domain: string): string {
  if (!raw) return `Fanfare notifications <notifications.${domain}>`;
  // RFC 2919: an optional phrase, then <list-label.domain>.
  if (!/^[^<>\r\n]*<[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+>$/.test(raw.trim())) {
    throw new Error(`LIST_ID: must look like "Name <label.example.com>" (RFC 2919), got "${raw}"`);
  }
  return raw.trim();
}

/** Long enough that guessing it is hopeless; header-safe so it can travel as a bearer token. */
function adminToken(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  if (raw.length < 24) throw new Error(`ADMIN_TOKEN: must be at least 24 characters, got ${raw.length}`);
  if (!/^[A-Za-z0-9._~+/=-]+$/.test(raw))
    throw new Error('ADMIN_TOKEN: must use only letters, digits and . _ ~ + / = -');
  return raw;
}

function pushHosts(raw: string | undefined): PushHostPattern[] {
  let hosts: PushHostPattern[];
  try {
    hosts = parsePushHosts(raw?.trim() ? raw : 'default');
  } catch (err) {
    throw new Error(`FANFARE_PUSH_HOSTS: ${(err as Error).message} (format: default,host[:port],*.domain[:port])`);
  }
  if (hosts.length === 0) throw new Error('FANFARE_PUSH_HOSTS: must name at least one push service host, or "default"');
  return hosts;
}

function authSettings(env: Env): AuthSettings {
  const { sessionLifetimeMs, announceRate: rate, loginThrottle: login, tokenThrottle: token } = DEFAULT_AUTH_SETTINGS;
  return {
    sessionLifetimeMs: int(env, 'SESSION_LIFETIME_HOURS', sessionLifetimeMs / 3_600_000, 1, 24 * 30) * 3_600_000,
    announceRate: {
      points: int(env, 'ANNOUNCE_RATE_LIMIT', rate.points, 1, 1_000_000),
      windowSeconds: int(env, 'ANNOUNCE_RATE_WINDOW_SECONDS', rate.windowSeconds, 1, 86_400),
    },
    loginThrottle: {
      perAccount: int(env, 'LOGIN_FAILURES_PER_ACCOUNT', login.perAccount, 1, 1000),
      perAddress: int(env, 'LOGIN_FAILURES_PER_ADDRESS', login.perAddress, 1, 100_000),
      windowSeconds: int(env, 'LOGIN_FAILURE_WINDOW_SECONDS', login.windowSeconds, 1, 86_400),
      lockoutSeconds: int(env, 'LOGIN_LOCKOUT_SECONDS', login.lockoutSeconds, 1, 86_400),
    },
    tokenThrottle: {
      perAddress: int(env, 'TOKEN_FAILURES_PER_ADDRESS', token.perAddress, 1, 1_000_000),
      windowSeconds: int(env, 'TOKEN_FAILURE_WINDOW_SECONDS', token.windowSeconds, 1, 86_400),
      lockoutSeconds: int(env, 'TOKEN_LOCKOUT_SECONDS', token.lockoutSeconds, 1, 86_400),
    },
  };
}

function trackingKeys(raw: string | undefined): TrackingKey[] | undefined {
  if (!raw) return undefined;
  const keys = parseTrackingKeys(raw);
  const problem = checkTrackingKeys(keys);
  if (problem) throw new Error(`TRACKING_KEYS: ${problem} (format: kid1:secret1,kid2:secret2, newest first)`);
  return keys;
}

/** DATABASE_URL for a command that needs only the database: read, and required, in one step. */
export function databaseUrl(env: Env = process.env): string {
  return requireDatabaseUrl(readConfig(env));
}

export function requireDatabaseUrl(config: Config): string {
  if (!config.databaseUrl)
    throw new Error(
      'DATABASE_URL: must be set to a PostgreSQL connection string, e.g. postgres://postgres@127.0.0.1:5432/fanfare',
    );
  return config.databaseUrl;
}

/** The domain of the From address, for Message-IDs. */
export function mailDomain(from: string): string {
  return /@([^>\s]+)/.exec(from)?.[1] ?? 'fanfare.localhost';
}
