// The replays as the console reads them: POST /api/admin/simulate for one policy, reduced to the numbers it charts,
// and POST /api/admin/simulate-history for both.
import type { HistoryReplayAnswer, HistoryReplayBody, ReplayAnswer, SimulateBody } from '../../wire/replay.ts';
import { api } from './api.ts';

export interface ReplayFigures {
  name: string;
  sendsPerFanPerDay: { email: number; push: number; digest: number };
  opens: number;
  opensPerSend: number;
  unsubscribes: number;
  violations: number;
}

export async function simulate(policy: unknown, days: number, fans: number): Promise<ReplayAnswer> {
  return api<ReplayAnswer>('POST', '/api/admin/simulate', { policy, days, world: { fans } } satisfies SimulateBody);
}

/** The proposed policy against the one in force, over a sample of real fans' logged history. */
export async function simulateHistory(policy: unknown, days: number, fans: number): Promise<HistoryReplayAnswer> {
  const body: HistoryReplayBody = { policy, days, fans };
  return api<HistoryReplayAnswer>('POST', '/api/admin/simulate-history', body);
}

/** The full policy's outcome of a report, per fan per day where the growth team thinks in those terms. */
export function figures(report: ReplayAnswer): ReplayFigures {
  const o = report.outcomes.find((x) => x.policy === 'policy');
  if (!o) throw new Error('the replay report has no outcome for the policy itself');
  const per = (n: number) => n / report.fans / report.days;
  return {
    name: o.name,
    sendsPerFanPerDay: { email: per(o.alerts.email), push: per(o.alerts.push), digest: per(o.digests) },
    opens: o.opens,
    opensPerSend: o.sends ? o.opens / o.sends : 0,
    unsubscribes: o.unsubscribes,
    violations: o.violations,
  };
}
