// The pure parts of backpressure: provider names, the limits syntax, the pause after refusals.
import { describe, expect, it } from 'vitest';
import {
  FIRST_PAUSE_MS,
  limitFor,
  MOST_PAUSE_MS,
  parseProviderLimits,
  pushProvider,
  refusalPauseMs,
  smtpProvider,
} from './provider-limits.ts';

const defaults = { concurrency: 32, ratePerSecond: null };

describe('provider names', () => {
  it('names the relay by host and port, a push service by its origin', () => {
    expect(smtpProvider('SMTP.Example.com', 587)).toBe('smtp:smtp.example.com:587');
    expect(pushProvider('https://fcm.googleapis.com/fcm/send/abc:def')).toBe('push:https://fcm.googleapis.com');
    expect(pushProvider('https://127.0.0.1:8444/push/1')).toBe('push:https://127.0.0.1:8444');
  });
});

describe('parseProviderLimits', () => {
  it('reads KEY=CONCURRENCY[/RATE] overrides and falls back to the defaults', () => {
    const limits = parseProviderLimits(' smtp=10/50 , https://fcm.googleapis.com=100 ', defaults);
    expect(limitFor(limits, smtpProvider('relay', 25))).toEqual({ concurrency: 10, ratePerSecond: 50 });
    expect(limitFor(limits, 'push:https://fcm.googleapis.com')).toEqual({ concurrency: 100, ratePerSecond: null });
    expect(limitFor(limits, 'push:https://web.push.apple.com')).toBe(defaults);
    expect(parseProviderLimits('', defaults).overrides.size).toBe(0);
  });

  it('names the entry and the rule it breaks', () => {
    expect(() => parseProviderLimits('smtp', defaults)).toThrow(
      '"smtp" must be KEY=CONCURRENCY or KEY=CONCURRENCY/RATE',
    );
    expect(() => parseProviderLimits('smtp=0', defaults)).toThrow('"smtp=0": concurrency must be from 1 to 10000');
    expect(() => parseProviderLimits('smtp=1/0', defaults)).toThrow('rate must be from 1 to 1000000');
    expect(() => parseProviderLimits('http://x.example=1', defaults)).toThrow('https origin only');
    expect(() => parseProviderLimits('https://x.example/path=1', defaults)).toThrow('https origin only');
    expect(() => parseProviderLimits('fcm=1', defaults)).toThrow('must be smtp or a push service origin');
    expect(() => parseProviderLimits('smtp=1,smtp=2', defaults)).toThrow('"smtp" must appear once');
  });
});

describe('refusalPauseMs', () => {
  it('doubles from the first pause per refusal in a row, up to the most', () => {
    expect([1, 2, 3, 4].map((n) => refusalPauseMs(n))).toEqual([1, 2, 4, 8].map((k) => k * FIRST_PAUSE_MS));
    expect(refusalPauseMs(40)).toBe(MOST_PAUSE_MS);
  });

  it('is never shorter than the Retry-After the provider gave', () => {
    expect(refusalPauseMs(1, 30_000)).toBe(30_000);
    expect(refusalPauseMs(5, 1_000)).toBe(16_000);
  });
});
