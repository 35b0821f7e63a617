// The replay as the console reads it: POST /api/admin/simulate for one policy document on the default replay world, reduced to the numbers charted side by side.
import { api } from './api.ts';

/** One policy's outcome in a replay report (policy/replay.ts PolicyOutcome). */
export interface PolicyOutcome {
  policy: 'send_everything_now' | 'caps_only_fcfs' | 'policy';
  name: string;
  alerts: { email: number; push: number };
  digests: number;
  sends: number;
  opens: number;
  digestOpens: number;
  unsubscribes: number;
  decisions: number;
  /** How many broken rules the invariant checker found across the policy's decisions. */
  violations: number;
  firstViolations: string[];
}

/** The answer of POST /api/admin/simulate (http/simulate-input.ts): policy/replay.ts's report with violations counted. */
export interface ReplayReport {
  fans: number;
  days: number;
  events: number;
  scorer: string;
  outcomes: PolicyOutcome[];
}

export interface ReplayFigures {
  name: string;
  sendsPerFanPerDay: { email: number; push: number; digest: number };
  opens: number;
  opensPerSend: number;
  unsubscribes: number;
  violations: number;
}

export async function simulate(policy: unknown, days: number): Promise<ReplayReport> {
  return api<ReplayReport>('POST', '/api/admin/simulate', { policy, days });
}

/** The full policy's outcome of a report, per fan per day where the growth team thinks in those terms. */
export function figures(report: ReplayReport): ReplayFigures {
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
