import { describe, expect, it } from 'vitest';
import { dispatchWorkflowId, distinctSlots, slotOf } from './slots.ts';

describe('send slots', () => {
  it('rounds down to the slot start', () => {
    expect(new Date(slotOf(new Date('2026-11-26T12:04:59.999Z'))).toISOString()).toBe('2026-11-26T12:00:00.000Z');
    expect(new Date(slotOf(new Date('2026-11-26T12:05:00Z'))).toISOString()).toBe('2026-11-26T12:05:00.000Z');
  });
  it('lists distinct slots in order and names their dispatchers', () => {
    const s = distinctSlots([
      new Date('2026-11-26T12:07:00Z'),
      new Date('2026-11-26T12:01:00Z'),
      new Date('2026-11-26T12:03:00Z'),
    ]);
    expect(s.map(dispatchWorkflowId)).toEqual([
      'dispatch-2026-11-26T12:00:00.000Z',
      'dispatch-2026-11-26T12:05:00.000Z',
    ]);
  });
});
