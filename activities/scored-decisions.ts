// Attaches the active model's score and top SHAP contributions to a page of decisions, or says plainly that no model scored them.
import type { Pool } from '../db/pool.ts';
import type { DecisionScore } from '../db/decisions.ts';
import { getEvent } from '../db/events.ts';
import type { RelevanceScorer } from '../models/scoring.ts';
import type { Decision } from '../policy/baseline.ts';

/** Contributions kept per decision: enough to explain it, small enough for every row. */
export const TOP_CONTRIBUTIONS = 5;

/**
 * Until the cap and send-time policy uses the scores, the baseline decides and the score is recorded
 * beside it, so every decision shows what the model thought of it.
 */
export async function scoreDecisions(
  pool: Pool,
  scorer: RelevanceScorer | undefined,
  eventId: number,
  decisions: Decision[],
  at: Date,
): Promise<(Decision & DecisionScore)[]> {
  const unscored = (reason: string) =>
    decisions.map((d) => ({ ...d, reasonDetail: { ...d.reasonDetail, model: reason }, modelVersion: null, score: null, contributions: null }));
  if (!scorer) return unscored('no relevance scorer configured');
  if (decisions.length === 0) return [];
  const event = await getEvent(pool, eventId);
  if (!event) throw new RangeError(`eventId: no event ${eventId}`);
  const scored = await scorer.scoreCandidates(
    { creatorId: event.creatorId, kind: event.kind, createdAtMs: event.createdAt.getTime() },
    decisions.map((d) => ({ fanId: d.fanId, channel: d.channel, sendAtMs: (d.sendAt ?? at).getTime() })),
    at.getTime(),
  );
  if (scored.scores === null) return unscored(scored.unscoredReason ?? 'no active model');
  const scores = scored.scores;
  return decisions.map((d, i) => ({
    ...d,
    reasonDetail: { ...d.reasonDetail, model: `scored by model ${scored.modelVersion}; the baseline still decides until the cap and send-time policy uses scores` },
    modelVersion: scored.modelVersion,
    score: scores[i],
    contributions: scored.explain(i, TOP_CONTRIBUTIONS),
  }));
}
