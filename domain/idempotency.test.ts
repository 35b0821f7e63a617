// Tests naming the fields in which a repeated announcement differs from the stored one.
import { describe, expect, it } from 'vitest';
import type { EventRequest } from './creator-event.ts';
import { differingFields } from './idempotency.ts';

const stored: EventRequest = {
  creatorId: 1,
  kind: 'post',
  title: 'New chapter',
  url: 'https://example.com/c/1',
  audience: { rule: 'tier', minTier: 2 },
  idempotencyKey: 'k-1',
  deadline: new Date('2026-11-27T18:00:00Z'),
};

describe('differingFields', () => {
  it('finds none in the same request, a deadline written in another offset included', () => {
    expect(differingFields(stored, { ...stored })).toEqual([]);
    expect(differingFields(stored, { ...stored, deadline: new Date('2026-11-27T19:00:00+01:00') })).toEqual([]);
  });

  it('names each differing field in API order', () => {
    const repeat: EventRequest = { ...stored, url: 'https://evil.example/', title: 'Other', kind: 'live' };
    expect(differingFields(stored, repeat)).toEqual(['kind', 'title', 'url']);
  });

  it('compares the audience rule and its tier', () => {
    expect(differingFields(stored, { ...stored, audience: { rule: 'tier', minTier: 3 } })).toEqual(['audience']);
    expect(differingFields(stored, { ...stored, audience: { rule: 'paid' } })).toEqual(['audience']);
    const all: EventRequest = { ...stored, audience: { rule: 'all' } };
    expect(differingFields(all, { ...all })).toEqual([]);
  });

  it('tells a deadline added or removed from one moved', () => {
    expect(differingFields(stored, { ...stored, deadline: null })).toEqual(['deadline']);
    expect(differingFields({ ...stored, deadline: null }, stored)).toEqual(['deadline']);
    expect(differingFields(stored, { ...stored, deadline: new Date('2026-11-27T18:00:01Z') })).toEqual(['deadline']);
  });
});
