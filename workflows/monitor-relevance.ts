// monitorRelevance: the hourly monitor run (relevance report, alert rules, alerts raised and cleared, emails).
import { proxyActivities } from '@temporalio/workflow';
import type { MonitorActivities } from '../activities/monitor.ts';

// Once a day the run replays two windows of features for drift: seconds on a large log, minutes at worst.
const { monitorRelevance: runMonitor } = proxyActivities<MonitorActivities>({
  startToCloseTimeout: '30 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '5 minutes', backoffCoefficient: 2, maximumAttempts: 3 },
});

export type MonitorRelevanceResult = Awaited<ReturnType<MonitorActivities['monitorRelevance']>>;

export async function monitorRelevance(): Promise<MonitorRelevanceResult> {
  return runMonitor();
}
