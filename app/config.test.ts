import { describe, expect, it } from 'vitest';
import { readConfig, requireDatabaseUrl } from './config.ts';

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
});
