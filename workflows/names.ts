// Names shared by workflows and the code that starts or signals them; no imports, so the workflow bundle stays pure.

export const TASK_QUEUE = 'fanfare';
/** Signal to a slot's dispatcher: more decisions are due in its slot. */
export const DECISIONS_ADDED = 'decisionsAdded';

export function announceWorkflowId(eventId: number): string {
  return `announce-event-${eventId}`;
}
