// Unit tests for the push payload builder: size budget, which fields get trimmed, and multi-byte text.
import { describe, expect, it } from 'vitest';
import { buildPushPayload, MAX_PAYLOAD_BYTES, type PushNotification } from './payload.ts';

const base: PushNotification = {
  title: 'Aria posted a new track',
  body: 'Listen before anyone else',
  url: 'https://fanfare.test/e/123?d=abc',
  icon: 'https://fanfare.test/c/aria.png',
  tag: 'event-123',
};

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const parse = (s: string) => JSON.parse(s) as PushNotification;

describe('buildPushPayload', () => {
  it('leaves a small notification untouched, fields in a fixed order', () => {
    const json = buildPushPayload(base);
    expect(parse(json)).toEqual(base);
    expect(Object.keys(parse(json))).toEqual(['title', 'body', 'url', 'icon', 'tag']);
  });

  it('omits absent optional fields', () => {
    const json = buildPushPayload({ title: 't', body: 'b', url: 'https://fanfare.test/' });
    expect(parse(json)).toEqual({ title: 't', body: 'b', url: 'https://fanfare.test/' });
  });

  it('trims a very long title and keeps the short body whole', () => {
    const json = buildPushPayload({ ...base, title: 'T'.repeat(10_000) });
    const out = parse(json);
    expect(bytes(json)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
    expect(bytes(json)).toBeGreaterThan(MAX_PAYLOAD_BYTES - 8);
    expect(out.body).toBe(base.body);
    expect(out.title.endsWith('…')).toBe(true);
    expect(out.title.startsWith('TTTT')).toBe(true);
    expect(out.url).toBe(base.url);
    expect(out.tag).toBe(base.tag);
  });

  it('shares the budget between a long title and a long body, longest first', () => {
    const json = buildPushPayload({ ...base, title: 'a'.repeat(2000), body: 'b'.repeat(6000) });
    const out = parse(json);
    expect(bytes(json)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
    // Both exceed an equal share, so both are cut to about the same size.
    expect(Math.abs(bytes(out.title) - bytes(out.body))).toBeLessThanOrEqual(4);
  });

  it('cuts multi-byte text on grapheme boundaries', () => {
    const family = '👨‍👩‍👧‍👦'; // one grapheme, 25 UTF-8 bytes
    const text = `Ünïcödé ${family} 日本語 `.repeat(400);
    const json = buildPushPayload({ ...base, body: text });
    const out = parse(json);
    expect(bytes(json)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
    expect(out.body.endsWith('…')).toBe(true);
    const kept = out.body.slice(0, -1);
    expect(text.startsWith(kept)).toBe(true);
    // No lone surrogate and no broken ZWJ sequence at the cut.
    expect(kept).toBe(Buffer.from(kept, 'utf8').toString('utf8'));
    expect(kept.endsWith('\u200d')).toBe(false);
    const families = kept.split(family).length - 1;
    expect(kept.split('👨').length - 1).toBe(families);
  });

  it('counts JSON escapes towards the budget', () => {
    const json = buildPushPayload({ ...base, body: '"\n\\'.repeat(3000) }, 1024);
    expect(bytes(json)).toBeLessThanOrEqual(1024);
    expect(parse(json).body.endsWith('…')).toBe(true);
  });

  it('refuses when the untrimmable fields alone exceed the budget, naming them', () => {
    expect(() => buildPushPayload({ ...base, url: `https://fanfare.test/${'x'.repeat(4000)}` })).toThrow(
      /url, ping, icon and tag take \d+ bytes, more than the 3072-byte limit/,
    );
  });
});
