// decideBatch's work: score each candidate send time, decide under the fans' row locks, record in the same transaction.
import { alertHistory, fanContexts, lockFans, pastCandidates } from '../db/decision-inputs.ts';
import { insertDecisions, type WrittenDecision } from '../db/decisions.ts';
import { getEvent } from '../db/events.ts';
import { type Pool, withTransaction } from '../db/pool.ts';
import type { AudienceMember, Candidate, Decision, DecisionArm, DecisionEvidence, Send } from '../domain/decision.ts';
import type { ArmAssignment } from '../domain/experiment.ts';
import type { RelevanceScorer } from '../models/scoring.ts';
import { baselineSendNow } from '../policy/baseline.ts';
import type { CapPolicy } from '../policy/cap-policy.ts';
import { holdoutDecision, withoutRelevanceFiltering } from '../policy/experiment-arms.ts';
import type { Scores } from '../policy/inputs.ts';
import {
  counted,
  decideCandidates,
  historyReachMs,
  type PageFan,
  pageCandidates,
  sendTimesToScore,
} from '../policy/page.ts';
import { type FanCandidateStats, fanCandidateStats } from '../policy/value-aware.ts';
import type { PolicyInForce } from './policy-loader.ts';

/** How far back a fan's past candidates inform value-aware capping. */
export const VALUE_LOOKBACK_MS = 7 * 86_400_000;

export interface DecidePageDeps {
  pool: Pool;
  scorer: RelevanceScorer | undefined;
  policy: () => Promise<PolicyInForce>;
  /** A stored cap policy version an experiment's arm names. */
  policyVersion?: (version: number) => Promise<PolicyInForce>;
}

type StoredDecision = Decision & DecisionEvidence & DecisionArm;

/** A page decided: every decision, and the rows this call wrote (a retried page's earlier ones are not rewritten). */
export interface RecordedPage {
  decisions: StoredDecision[];
  written: WrittenDecision[];
}

/**
 * Without a model there are no scores to decide on: every enabled channel, now, named as the baseline and saying why.
 */
function baseline(members: readonly AudienceMember[], at: Date, why: string, arm: DecisionArm): StoredDecision[] {
  return baselineSendNow(members, at).map((d) => ({
    ...d,
    reasonDetail: { ...d.reasonDetail, model: why },
    modelVersion: null,
    score: null,
    features: null,
    contributions: null,
    ...arm,
  }));
}

/** The cap policy an arm decides with: its pinned version or the one in force, unfiltered for the global holdout. */
async function armPolicy(deps: DecidePageDeps, assignment: ArmAssignment | null): Promise<PolicyInForce> {
  const pinned = assignment?.capPolicyVersion ?? null;
  if (pinned !== null && !deps.policyVersion) throw new Error('policyVersion: needed by an arm that names a version');
  const inForce = pinned !== null && deps.policyVersion ? await deps.policyVersion(pinned) : await deps.policy();
  return assignment?.noRelevanceFiltering ? { ...inForce, policy: withoutRelevanceFiltering(inForce.policy) } : inForce;
}

/** A holdout arm's decisions: transactional ones as made, the rest for the fan's digest (policy/experiment-arms.ts). */
function heldOut<D extends Decision>(decisions: D[], candidateOf: (d: D) => Candidate | undefined, policy: CapPolicy) {
  return decisions.map((d) => {
    const c = candidateOf(d);
    return c ? { ...d, ...holdoutDecision(c, d, policy) } : d;
  });
}

function statsByFanChannel(
  rows: Awaited<ReturnType<typeof pastCandidates>>,
  policy: PolicyInForce['policy'],
  at: Date,
): Map<string, FanCandidateStats> {
  const past = new Map<string, { at: Date; value: number }[]>();
  for (const r of rows) {
    const key = `${r.fanId}/${r.channel}`;
    const list = past.get(key) ?? [];
    list.push({ at: r.decidedAt, value: r.score * policy.kinds[r.kind].weight });
    past.set(key, list);
  }
  return new Map([...past].map(([key, list]) => [key, fanCandidateStats(list, at, VALUE_LOOKBACK_MS)]));
}

/**
 * Decides one page of an event's audience and records it; returns the decisions and the rows written (a retried
 * page's earlier ones are kept as they were). Scoring runs before the lock; the lock covers reading the fans' alerts,
 * deciding and inserting, so a concurrent event deciding for the same fans waits and then counts these alerts as
 * reservations.
 */
export async function decideAndRecord(
  deps: DecidePageDeps,
  eventId: number,
  members: readonly AudienceMember[],
  at: Date,
  assignment: ArmAssignment | null = null,
): Promise<RecordedPage> {
  const event = await getEvent(deps.pool, eventId);
  if (!event) throw new RangeError(`eventId: no event ${eventId}`);
  const scoringEvent = { creatorId: event.creatorId, kind: event.kind, createdAtMs: event.createdAt.getTime() };
  const arm: DecisionArm = { experimentId: assignment?.experimentId ?? null, arm: assignment?.arm ?? null };

  const { version: policyVersion, policy } = await armPolicy(deps, assignment);
  const fanIds = members.map((m) => m.fanId);
  const contexts = await fanContexts(deps.pool, event.creatorId, fanIds);
  const fans: PageFan[] = members.flatMap((m) => {
    const c = contexts.get(m.fanId);
    return c ? [{ ...c, channels: m.channels }] : [];
  });
  const candidates = pageCandidates(
    { creatorId: event.creatorId, eventId, kind: event.kind, eventAt: event.createdAt, deadline: event.deadline },
    fans,
  );
  /** The baseline, through the holdout arm's filter when the fan is in one. */
  const unscored = (why: string) => {
    const made = baseline(members, at, why, arm);
    if (!assignment?.holdout) return record(deps.pool, eventId, made);
    const byKey = new Map(candidates.map((c) => [`${c.fanId}/${c.channel}`, c]));
    return record(
      deps.pool,
      eventId,
      heldOut(made, (d) => byKey.get(`${d.fanId}/${d.channel}`), policy),
    );
  };
  if (!deps.scorer) return unscored('no relevance scorer configured');
  // The send times to score are the same for every candidate: sendTimesToScore reads only the event (its kind,
  // publication and deadline), and the page's candidates all announce this one.
  const times = candidates.length > 0 ? sendTimesToScore(policy, candidates[0], at) : [];
  const perCandidate = times.length;
  const timeIndex = new Map(times.map((t, j) => [t, j]));
  const scored = await deps.scorer.scoreGrid(
    scoringEvent,
    { pairs: candidates, sendTimesMs: times },
    at.getTime(),
    assignment?.modelVersion ?? undefined,
  );
  if (scored.scores === null) return unscored(scored.unscoredReason ?? 'no active model');
  const scores = scored.scores;

  const stats = statsByFanChannel(
    await pastCandidates(deps.pool, fanIds, new Date(at.getTime() - VALUE_LOOKBACK_MS), at),
    policy,
    at,
  );
  /** Candidate i's scores by send time: a view of its stretch of the page's scores, not a map of its own. */
  const scoresOf = (i: number): Scores => {
    const offset = i * perCandidate;
    return {
      byTime: {
        get(t: number) {
          const j = timeIndex.get(t);
          return j === undefined ? undefined : scores[offset + j];
        },
      },
      fanStats: stats.get(`${candidates[i].fanId}/${candidates[i].channel}`) ?? null,
    };
  };
  /** The scored row behind a decision: its send time for alerts, else the best-scoring time. */
  const rowOf = (i: number, sendAt: Date | null): number | null => {
    if (perCandidate === 0) return null;
    const offset = i * perCandidate;
    if (sendAt) return offset + timeIndex.get(sendAt.getTime())!;
    let best = 0;
    for (let j = 1; j < perCandidate; j++) if (scores[offset + j] > scores[offset + best]) best = j;
    return offset + best;
  };
  const reach = historyReachMs(policy);
  const lastTime = Math.max(at.getTime(), times[perCandidate - 1] ?? 0);

  return withTransaction(deps.pool, async (client) => {
    await lockFans(client, fanIds);
    const history = new Map<number, Send[]>();
    for (const a of await alertHistory(
      client,
      fanIds,
      new Date(at.getTime() - reach),
      new Date(lastTime + reach),
      eventId,
    )) {
      if (!counted(policy, a.kind)) continue;
      const list = history.get(a.fanId) ?? [];
      list.push({ channel: a.channel, creatorId: a.creatorId, sendAt: a.sendAt });
      history.set(a.fanId, list);
    }
    const made = decideCandidates(candidates, scoresOf, history, policy, at);
    const armed = assignment?.holdout ? made.map((d, i) => holdoutDecision(candidates[i], d, policy)) : made;
    const decisions = armed.map((d, i): StoredDecision => {
      const row = rowOf(i, d.sendAt);
      return {
        ...d,
        reasonDetail: { ...d.reasonDetail, policyVersion, model: scored.modelVersion },
        modelVersion: scored.modelVersion,
        score: d.score,
        // The row, not its contributions: TreeSHAP runs when someone asks why (RelevanceScorer.explainStored).
        features: row === null ? null : scored.featureRow(row),
        contributions: null,
        ...arm,
      };
    });
    return { decisions, written: await insertDecisions(client, eventId, decisions) };
  });
}

async function record(pool: Pool, eventId: number, decisions: StoredDecision[]): Promise<RecordedPage> {
  return { decisions, written: await insertDecisions(pool, eventId, decisions) };
}
