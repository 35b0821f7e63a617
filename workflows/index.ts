// Every workflow the worker runs; the worker bundles this file.
export { announceEvent } from './announce-event.ts';
export { decideRange } from './decide-range.ts';
export { dispatchSlot } from './dispatch-slot.ts';
export { monitorRelevance } from './monitor-relevance.ts';
export { retrainModel } from './retrain-model.ts';
export { sendDigests } from './send-digests.ts';
