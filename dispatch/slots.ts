// Send slots: decisions due in the same few minutes share one durable timer, so Temporal's load follows time, not fans.

export const SLOT_MS = 5 * 60 * 1000;

/** The start of the slot that holds `at`, as epoch milliseconds. */
export function slotOf(at: Date | number, slotMs = SLOT_MS): number {
  const t = typeof at === 'number' ? at : at.getTime();
  return Math.floor(t / slotMs) * slotMs;
}

/** The distinct slots of a set of send times, earliest first. */
export function distinctSlots(times: Iterable<Date | number>, slotMs = SLOT_MS): number[] {
  const set = new Set<number>();
  for (const t of times) set.add(slotOf(t, slotMs));
  return [...set].sort((a, b) => a - b);
}

/** The workflow id of a slot's dispatcher; one per slot, so signal-with-start joins decisions to the same timer. */
export function dispatchWorkflowId(slotStart: number): string {
  return `dispatch-${new Date(slotStart).toISOString()}`;
}
