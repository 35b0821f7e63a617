import { describe, expect, it } from 'vitest';
import { validateEventInput } from './event-input.ts';

const now = new Date('2026-11-26T12:00:00Z');
const good = {
  creatorId: 7,
  kind: 'post',
  title: 'New episode',
  url: 'https://creators.example/p/1',
  audience: 'all',
  idempotencyKey: 'post-1',
};

describe('validateEventInput', () => {
  it('accepts a well-formed event and normalizes the audience', () => {
    const r = validateEventInput({ ...good, audience: 'tier>=2', deadline: '2026-11-27T12:00:00Z' }, now);
    expect(r).toEqual({
      ok: true,
      value: { ...good, audience: { rule: 'tier', minTier: 2 }, deadline: new Date('2026-11-27T12:00:00Z') },
    });
  });

  it('names every bad field and its rule', () => {
    const r = validateEventInput(
      { creatorId: -1, kind: 'tweet', title: '', url: 'ftp://x', audience: 'vips', extra: 1 },
      now,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const fields = r.errors.map((e) => e.field).sort();
    expect(fields).toEqual(['audience', 'creatorId', 'extra', 'idempotencyKey', 'kind', 'title', 'url']);
    expect(r.errors.find((e) => e.field === 'kind')!.rule).toBe('must be one of post, live, announcement');
  });

  it('refuses a deadline in the past or not ISO 8601', () => {
    const past = validateEventInput({ ...good, deadline: '2026-11-25T00:00:00Z' }, now);
    const garbage = validateEventInput({ ...good, deadline: 'tomorrow' }, now);
    expect(past.ok ? [] : past.errors).toEqual([{ field: 'deadline', rule: 'must be in the future' }]);
    expect(garbage.ok ? [] : garbage.errors.map((e) => e.field)).toEqual(['deadline']);
  });

  it('refuses a non-object body', () => {
    expect(validateEventInput([1], now)).toEqual({
      ok: false,
      errors: [{ field: '(body)', rule: 'must be a JSON object' }],
    });
  });

  it('checks the object form of a tier audience', () => {
    const r = validateEventInput({ ...good, audience: { rule: 'tier', minTier: 'x' } }, now);
    expect(r.ok ? [] : r.errors).toEqual([{ field: 'audience.minTier', rule: 'must be an integer >= 0' }]);
  });
});
