// retrainModel: trains a candidate relevance model, promoting it only if it beats the active one on the same holdout.
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { GateResult, TrainCandidateInput, TrainedCandidate, TrainingActivities } from '../activities/training.ts';
import { trainingTaskQueue } from './names.ts';

// Training is minutes of CPU on the default world, on the training queue beside this workflow's own (names.ts); a
// retry re-extracts from PostgreSQL, so two attempts are plenty.
const trainOn = (taskQueue: string) =>
  proxyActivities<TrainingActivities>({
    taskQueue,
    startToCloseTimeout: '2 hours',
    retry: { initialInterval: '1 minute', maximumAttempts: 2, nonRetryableErrorTypes: ['InvalidTrainingInput'] },
  }).trainCandidate;

const { gateCandidate } = proxyActivities<TrainingActivities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '1 minute',
    backoffCoefficient: 2,
    nonRetryableErrorTypes: ['UnknownModel'],
  },
});

export type RetrainModelInput = TrainCandidateInput;

export interface RetrainModelResult {
  candidate: TrainedCandidate;
  gate: GateResult;
}

export async function retrainModel(input: RetrainModelInput = {}): Promise<RetrainModelResult> {
  const candidate = await trainOn(trainingTaskQueue(workflowInfo().taskQueue))(input);
  const gate = await gateCandidate({ version: candidate.version });
  return { candidate, gate };
}
