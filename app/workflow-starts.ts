// Starting and signalling workflows from outside them, typed by the workflow functions themselves.
import type { Client } from '@temporalio/client';
import type { SlotWaker } from '../activities/index.ts';
import { dispatchWorkflowId } from '../dispatch/slots.ts';
import { decisionsAdded, dispatchSlot } from '../workflows/dispatch-slot.ts';
import { TASK_QUEUE } from '../workflows/names.ts';

/**
 * Signal-with-start: one dispatcher per slot, started by the first page with alerts in it and woken by every later one.
 */
export function slotWaker(client: Client, taskQueue = TASK_QUEUE): SlotWaker {
  return async (slotStart) => {
    await client.workflow.signalWithStart(dispatchSlot, {
      workflowId: dispatchWorkflowId(slotStart),
      taskQueue,
      args: [{ slotStart }],
      signal: decisionsAdded,
      signalArgs: [],
    });
  };
}
