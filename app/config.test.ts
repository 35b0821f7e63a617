import { describe, expect, it } from 'vitest';
import { DEFAULT_AUTH_SETTINGS } from '../auth/settings.ts';
import { formatAddress, readClusterSettings, readConfig, readToolPaths, requireDatabaseUrl } from './config.ts';

describe('readConfig', () => {
  it('has working defaults', () => {
    const c = readConfig({});
    expect(c.temporalAddress).toBe('127.0.0.1:7233');
    expect(c.smtp.port).toBe(2525);
    expect(() => requireDatabaseUrl(c)).toThrow(/^DATABASE_URL: must be set/);
  });
  it('names the variable and the rule on bad input', () => {
    expect(() => readConfig({ SMTP_PORT: 'abc' })).toThrow('SMTP_PORT: must be an integer from 1 to 65535, got "abc"');
    expect(() => readConfig({ DELIVERY_CONCURRENCY: '0' })).toThrow(/DELIVERY_CONCURRENCY/);
  });
  it('reads the delivery settings: public URL, List-Id, tracking keys', () => {
    const c = readConfig({
      PUBLIC_URL: 'https://fans.example/',
      MAIL_FROM: 'Ana <a@mail.example>',
      TRACKING_KEYS: `k2:${'b'.repeat(32)},k1:${'a'.repeat(32)}`,
    });
    expect(c.publicUrl).toBe('https://fans.example');
    expect(c.listId).toBe('Fanfare notifications <notifications.mail.example>');
    expect(c.trackingKeys?.map((k) => k.kid)).toEqual(['k2', 'k1']);
    expect(readConfig({}).trackingKeys).toBeUndefined();
    expect(() => readConfig({ PUBLIC_URL: 'ftp://x' })).toThrow(/^PUBLIC_URL: must be an http or https URL/);
    expect(() => readConfig({ LIST_ID: 'no brackets' })).toThrow(/^LIST_ID: must look like/);
    expect(() => readConfig({ TRACKING_KEYS: 'k1:short' })).toThrow(
      'TRACKING_KEYS: secret of key "k1" must be at least 32 characters',
    );
  });
  it("reads the push-service allow-list: the browsers' services by default, `default` to keep them", () => {
    const hosts = (env: Record<string, string>) => readConfig(env).pushHosts.map((p) => `${p.host}:${p.port}`);
    expect(hosts({})).toEqual(hosts({ FANFARE_PUSH_HOSTS: 'default' }));
    expect(hosts({})).toContain('fcm.googleapis.com:443');
    expect(hosts({ FANFARE_PUSH_HOSTS: 'default, 127.0.0.1:8444' })).toEqual([...hosts({}), '127.0.0.1:8444']);
    expect(hosts({ FANFARE_PUSH_HOSTS: 'push.example' })).toEqual(['push.example:443']);
    expect(() => readConfig({ FANFARE_PUSH_HOSTS: 'https://push.example' })).toThrow(/^FANFARE_PUSH_HOSTS: "https/);
    expect(() => readConfig({ FANFARE_PUSH_HOSTS: ',' })).toThrow(/^FANFARE_PUSH_HOSTS: must name at least one/);
  });
  it('requires DATABASE_URL where a database is needed, blank counting as unset', () => {
    expect(() => requireDatabaseUrl(readConfig({ DATABASE_URL: '  ' }))).toThrow(/^DATABASE_URL: must be set/);
    expect(requireDatabaseUrl(readConfig({ DATABASE_URL: 'postgres://x@y/z' }))).toBe('postgres://x@y/z');
  });
  it('reads the metrics addresses: loopback by default, off, IPv6 in brackets, naming a bad one', () => {
    expect(readConfig({}).metrics).toEqual({
      api: { host: '127.0.0.1', port: 9464 },
      worker: { host: '127.0.0.1', port: 9465 },
      temporal: { host: '127.0.0.1', port: 9466 },
    });
    const m = readConfig({
      FANFARE_API_METRICS_ADDRESS: 'off',
      FANFARE_WORKER_METRICS_ADDRESS: '[::1]:9100',
      FANFARE_TEMPORAL_METRICS_ADDRESS: '10.0.0.5:9101',
    }).metrics;
    expect(m).toEqual({ api: null, worker: { host: '::1', port: 9100 }, temporal: { host: '10.0.0.5', port: 9101 } });
    expect(formatAddress(m.worker!)).toBe('[::1]:9100');
    expect(() => readConfig({ FANFARE_WORKER_METRICS_ADDRESS: '9100' })).toThrow(
      'FANFARE_WORKER_METRICS_ADDRESS: must be host:port, [ipv6]:port or off, got "9100"',
    );
    expect(() => readConfig({ FANFARE_API_METRICS_ADDRESS: 'localhost:70000' })).toThrow(/^FANFARE_API_METRICS/);
  });
  it('reads the log level and the tool paths', () => {
    expect(readConfig({}).logLevel).toBe('WARN');
    expect(readConfig({ FANFARE_LOG_LEVEL: 'debug' }).logLevel).toBe('DEBUG');
    expect(() => readConfig({ FANFARE_LOG_LEVEL: 'loud' })).toThrow(/^FANFARE_LOG_LEVEL: must be one of TRACE, DEBUG/);
    expect(readConfig({ HOME: '/home/ana' }).paths.cacheDir).toBe('/home/ana/.cache/fanfare');
    expect(readConfig({ FANFARE_CACHE: '/var/cache/ff', HOME: '/home/ana' }).paths.cacheDir).toBe('/var/cache/ff');
  });
  it('reads the authentication settings, with defaults, naming a bad one', () => {
    expect(readConfig({}).auth).toEqual(DEFAULT_AUTH_SETTINGS);
    const auth = readConfig({
      SESSION_LIFETIME_HOURS: '8',
      ANNOUNCE_RATE_LIMIT: '10',
      ANNOUNCE_RATE_WINDOW_SECONDS: '30',
      LOGIN_FAILURES_PER_ACCOUNT: '3',
      LOGIN_FAILURES_PER_ADDRESS: '50',
      LOGIN_FAILURE_WINDOW_SECONDS: '600',
      LOGIN_LOCKOUT_SECONDS: '1200',
      TOKEN_FAILURES_PER_ADDRESS: '40',
      TOKEN_FAILURE_WINDOW_SECONDS: '60',
      TOKEN_LOCKOUT_SECONDS: '120',
    }).auth;
    expect(auth).toEqual({
      sessionLifetimeMs: 8 * 3_600_000,
      announceRate: { points: 10, windowSeconds: 30 },
      loginThrottle: { perAccount: 3, perAddress: 50, windowSeconds: 600, lockoutSeconds: 1200 },
      tokenThrottle: { perAddress: 40, windowSeconds: 60, lockoutSeconds: 120 },
    });
    expect(() => readConfig({ TOKEN_FAILURES_PER_ADDRESS: '0' })).toThrow('TOKEN_FAILURES_PER_ADDRESS: must be');
    expect(() => readConfig({ ANNOUNCE_RATE_LIMIT: '0' })).toThrow('ANNOUNCE_RATE_LIMIT: must be an integer from 1');
    expect(() => readConfig({ SESSION_LIFETIME_HOURS: 'ever' })).toThrow(/^SESSION_LIFETIME_HOURS: must be/);
  });

  it('reads the admin token, refusing a short one', () => {
    expect(readConfig({}).adminToken).toBeUndefined();
    expect(readConfig({ ADMIN_TOKEN: 'a'.repeat(24) }).adminToken).toBe('a'.repeat(24));
    expect(() => readConfig({ ADMIN_TOKEN: 'short' })).toThrow('ADMIN_TOKEN: must be at least 24 characters, got 5');
    expect(() => readConfig({ ADMIN_TOKEN: `${'a'.repeat(24)} x` })).toThrow(/^ADMIN_TOKEN: must use only/);
  });

  it('reads the alert address: one plain address or nothing, naming a bad one', () => {
    expect(readConfig({}).alertEmail).toBeUndefined();
    expect(readConfig({ FANFARE_ALERT_EMAIL: ' ops@example.com ' }).alertEmail).toBe('ops@example.com');
    expect(() => readConfig({ FANFARE_ALERT_EMAIL: 'ops@example.com, cto@example.com' })).toThrow(
      /^FANFARE_ALERT_EMAIL: must be one email address/,
    );
    expect(() => readConfig({ FANFARE_ALERT_EMAIL: 'Ops <ops@example.com>' })).toThrow(/^FANFARE_ALERT_EMAIL/);
  });
});

describe('readClusterSettings', () => {
  it("puts the app's database beside the Temporal server's unless DATABASE_URL names one", () => {
    expect(readClusterSettings({})).toEqual({
      temporalPostgresUrl: 'postgres://postgres@127.0.0.1:5432/',
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/fanfare',
    });
    const given = readClusterSettings({
      FANFARE_CLUSTER_POSTGRES_URL: 'postgres://temporal:s3cret@db.internal:6543/ignored',
      DATABASE_URL: 'postgres://app@db.internal/fanfare_prod',
    });
    expect(given).toEqual({
      temporalPostgresUrl: 'postgres://temporal:s3cret@db.internal:6543/',
      databaseUrl: 'postgres://app@db.internal/fanfare_prod',
    });
    expect(() => readClusterSettings({ FANFARE_CLUSTER_POSTGRES_URL: 'mysql://x' })).toThrow(
      /^FANFARE_CLUSTER_POSTGRES_URL: must be a postgres:\/\/ URL/,
    );
  });

  it('reads the Temporal server and schema tool paths', () => {
    const paths = readToolPaths({ TEMPORAL_SERVER_PATH: '/opt/t/server', TEMPORAL_SQL_TOOL_PATH: '/opt/t/sql' });
    expect([paths.temporalServerPath, paths.temporalSqlToolPath]).toEqual(['/opt/t/server', '/opt/t/sql']);
    expect(readToolPaths({}).temporalServerPath).toBeUndefined();
  });
});
