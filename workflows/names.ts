// Names shared by workflows and the code that starts or signals them; no imports, so the workflow bundle stays pure.

export const TASK_QUEUE = 'fanfare';

/**
 * The task queue of the training activity beside a workflow task queue ('fanfare' → 'fanfare-training'). Training is
 * a minute or more of synchronous CPU, so it has a queue of its own: `fanfare worker --only training` serves it in a
 * process apart from the one deciding and delivering.
 */
export function trainingTaskQueue(taskQueue: string): string {
  return `${taskQueue}-training`;
}

export function announceWorkflowId(eventId: number): string {
  return `announce-event-${eventId}`;
}

/** The child of announceEvent deciding one fan-id range, named by the event and the fan id the range starts after. */
export function decideRangeWorkflowId(eventId: number, afterFanId: number): string {
  return `${announceWorkflowId(eventId)}-range-after-${afterFanId}`;
}

/** The nightly retraining schedule, created or updated idempotently. */
export const RETRAIN_SCHEDULE_ID = 'retrain-model-nightly';

export function retrainWorkflowId(startedAtMs: number): string {
  return `retrain-model-${new Date(startedAtMs).toISOString()}`;
}

/** The hourly digest schedule, created or updated idempotently. */
export const DIGEST_SCHEDULE_ID = 'send-digests-hourly';

/** The hourly relevance monitor and alert rules schedule, created or updated idempotently. */
export const MONITOR_SCHEDULE_ID = 'monitor-relevance-hourly';
