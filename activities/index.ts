// The activities: thin adapters from workflow steps to the database, the pure policy and the channel senders.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { audienceCuts, audiencePage } from '../db/audience.ts';
import { alertSendTimes, dueDecisionIds } from '../db/decisions.ts';
import { runningExperiments } from '../db/experiments.ts';
import { firstSends } from '../db/metrics.ts';
import type { Pool } from '../db/pool.ts';
import {
  type DeliverDeps,
  type DeliveryReport,
  deliverDecisions,
  type EmailChannel,
  type PushChannel,
} from '../delivery/deliver.ts';
import { buildDigestPage, type DigestPage, type DigestReport, deliverDigests } from '../delivery/digests.ts';
import type { Links } from '../delivery/links.ts';
import { distinctSlots, SLOT_MS } from '../dispatch/slots.ts';
import type { AudienceMember } from '../domain/decision.ts';
import type { ArmAssignment } from '../domain/experiment.ts';
import type { FanfareMetrics } from '../metrics/fanfare-metrics.ts';
import type { RelevanceScorer } from '../models/scoring.ts';
import { assignArm } from '../policy/experiment.ts';
import { type RangePlan, rangePlan } from './audience-ranges.ts';
import { decideAndRecord } from './policy-decisions.ts';
import { createPolicyLoader, type PolicyInForce } from './policy-loader.ts';

/** Wakes the dispatcher of a send slot, starting it if it is not running; the composition root wires it to Temporal. */
export type SlotWaker = (slotStart: number) => Promise<void>;

export interface ActivityDeps {
  pool: Pool;
  wakeSlot: SlotWaker;
  email: EmailChannel;
  push: PushChannel;
  messageIdDomain: string;
  links: Links;
  listId: string;
  deliveryConcurrency: number;
  /** Per-provider limits shared by every worker; none, providers are called as fast as the concurrency allows. */
  providers?: DeliverDeps['providers'];
  /** Scores decisions with the active relevance model; without one, decisions say "no active model". */
  scorer?: RelevanceScorer;
  /** The cap policy in force, asked once per batch; by default the active stored version, re-read when it changes. */
  policy?: () => Promise<PolicyInForce>;
  /**
   * The standing global holdout's share of fans, in percent (FANFARE_GLOBAL_HOLDOUT_PERCENT): decided without
   * relevance filtering to measure the whole system's lift (docs/EXPERIMENTS.md). None: no global holdout.
   */
  globalHoldoutPercent?: number;
  /** Counts the decisions written and the deliveries settled (docs/OPERATIONS.md); none, nothing is counted. */
  metrics?: FanfareMetrics;
  now?: () => Date;
}

export interface DecidePage {
  eventId: number;
  afterFanId: number;
  /** The inclusive end of the range this page belongs to; absent or null, the audience's end. */
  throughFanId?: number | null;
  limit: number;
}

export interface PlanRanges {
  eventId: number;
  afterFanId: number;
  /** Members per range. */
  rangeSize: number;
  /** Ranges per plan, so the plan (and the history of the workflow that runs it) stays bounded. */
  maxRanges: number;
}

export interface DecidedPage {
  /** Audience members in this page; fewer than the limit means the audience is exhausted. */
  fans: number;
  lastFanId: number;
  decisions: number;
  /** The send slots (epoch ms) that now hold this page's alerts. */
  slots: number[];
}

export interface DeliverDue {
  slotStart: number;
  afterId: number;
  limit: number;
  /** This batch's share of the slot: decision ids with id % partitions = partition. */
  partition: number;
  partitions: number;
}

export interface BuildDigests {
  /** The hourly run's time (epoch ms): whose local digest hour it is, and the digests' period. */
  runAtMs: number;
  afterFanId: number;
  limit: number;
}

export interface DeliveredBatch extends DeliveryReport {
  count: number;
  lastId: number;
}

export function createActivities(deps: ActivityDeps) {
  const now = deps.now ?? (() => new Date());
  const loader = createPolicyLoader(deps.pool);
  const policy = deps.policy ?? (() => loader.current());
  async function decidePage(page: DecidePage): Promise<DecidedPage> {
    const candidates = await audiencePage(
      deps.pool,
      page.eventId,
      page.afterFanId,
      page.limit,
      page.throughFanId ?? null,
    );
    if (candidates.length === 0) return { fans: 0, lastFanId: page.afterFanId, decisions: 0, slots: [] };
    const at = now();
    const traffic = {
      globalHoldoutPercent: deps.globalHoldoutPercent ?? 0,
      running: await runningExperiments(deps.pool),
    };
    let decisions = 0;
    // One decideAndRecord per arm present in the page: each arm decides its own fans with its policy and model.
    for (const { assignment, members } of byArm(candidates, (fanId) => assignArm(fanId, traffic))) {
      const recorded = await decideAndRecord(
        { pool: deps.pool, scorer: deps.scorer, policy, policyVersion: (v) => loader.version(v) },
        page.eventId,
        members,
        at,
        assignment,
      );
      decisions += recorded.decisions.length;
      deps.metrics?.decisionsWritten(recorded.written);
    }
    const fanIds = candidates.map((c) => c.fanId);
    // Read the send times back: a retried page must wake the slots its first attempt recorded.
    const times = await alertSendTimes(deps.pool, page.eventId, fanIds);
    return {
      fans: candidates.length,
      lastFanId: fanIds[fanIds.length - 1],
      decisions,
      slots: distinctSlots(times),
    };
  }

  return {
    /** Cuts the event's audience after `afterFanId` into at most maxRanges fan-id ranges of about rangeSize members. */
    async planRanges(input: PlanRanges): Promise<RangePlan> {
      const cuts = await audienceCuts(deps.pool, input.eventId, input.afterFanId, input.rangeSize, input.maxRanges);
      return rangePlan(input.afterFanId, cuts, input.rangeSize, input.maxRanges);
    },

    /**
     * Decides for one keyset page of the event's audience with the policy in force and the active model's scores
     * (the baseline when no model is active), and records the decisions in one statement under the fans' row locks.
     */
    async decideBatch(page: DecidePage): Promise<DecidedPage> {
      // Heartbeats: a page on a worker that dies is retried elsewhere soon, not at the start-to-close timeout.
      const stopHeartbeat = heartbeatEvery(2_000);
      try {
        return await decidePage(page);
      } finally {
        stopHeartbeat();
      }
    },

    /** Wakes (or starts) the dispatcher of each slot; one durable timer per slot, not per fan. */
    async scheduleDispatch(input: { slots: number[] }): Promise<void> {
      for (const slotStart of input.slots) await deps.wakeSlot(slotStart);
    },

    /**
     * Plans and records the digests owed to one page of fans this hour; a repeat for the same hour records nothing new.
     */
    async buildDigests(input: BuildDigests): Promise<DigestPage> {
      const { policy: inForce } = await policy();
      return buildDigestPage(deps.pool, inForce.digest, new Date(input.runAtMs), input.afterFanId, input.limit);
    },

    /** Sends recorded digests, one email each, exactly once per (fan, period) through the digests ledger. */
    async deliverDigests(input: { digestIds: number[] }): Promise<DigestReport> {
      try {
        return await deliverDigests(
          {
            pool: deps.pool,
            email: deps.email,
            messageIdDomain: deps.messageIdDomain,
            links: deps.links,
            listId: deps.listId,
            providers: deps.providers,
            now,
          },
          input.digestIds,
        );
      } catch (err) {
        // Database trouble: retry; the ledger keeps a digest already sent from going out again.
        throw ApplicationFailure.retryable(err instanceof Error ? err.message : String(err), 'DigestBatchFailed');
      }
    },

    /** Delivers the next batch of the slot's due decisions. */
    async deliverDue(input: DeliverDue): Promise<DeliveredBatch> {
      const ids = await dueDecisionIds(
        deps.pool,
        new Date(input.slotStart),
        new Date(input.slotStart + SLOT_MS),
        input.afterId,
        input.limit,
        {
          index: input.partition,
          count: input.partitions,
        },
      );
      if (ids.length === 0)
        return { count: 0, lastId: input.afterId, sent: 0, failed: 0, skipped: 0, possiblySent: 0, retry: 0 };
      const heartbeat = setInterval(() => Context.current().heartbeat(), 2_000);
      const metrics = deps.metrics;
      const sent: number[] = [];
      try {
        const report = await deliverDecisions(
          {
            pool: deps.pool,
            email: deps.email,
            push: deps.push,
            messageIdDomain: deps.messageIdDomain,
            links: deps.links,
            listId: deps.listId,
            concurrency: deps.deliveryConcurrency,
            providers: deps.providers,
            now,
            onOutcome: metrics
              ? (o) => {
                  metrics.deliverySettled(o, now());
                  if (o.outcome === 'sent') sent.push(o.decisionId);
                }
              : undefined,
          },
          ids,
        );
        if (metrics && sent.length > 0) await countFirstSends(deps.pool, metrics, sent);
        return { ...report, count: ids.length, lastId: ids[ids.length - 1] };
      } catch (err) {
        // Database trouble: retry the batch; the ledger keeps what was already sent from being sent again.
        throw ApplicationFailure.retryable(err instanceof Error ? err.message : String(err), 'DeliveryBatchFailed');
      } finally {
        clearInterval(heartbeat);
      }
    },
  };
}

/** A page's audience split by arm, in page order within each arm; fans in no arm come first as one group. */
function byArm(
  members: readonly AudienceMember[],
  assign: (fanId: number) => ArmAssignment | null,
): { assignment: ArmAssignment | null; members: AudienceMember[] }[] {
  const groups = new Map<string, { assignment: ArmAssignment | null; members: AudienceMember[] }>();
  for (const m of members) {
    const assignment = assign(m.fanId);
    const key = assignment ? `${assignment.experimentId}/${assignment.arm}` : '';
    const group = groups.get(key) ?? { assignment, members: [] };
    group.members.push(m);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** Heartbeats every `ms` while inside an activity; outside one (a benchmark calling it directly), does nothing. */
function heartbeatEvery(ms: number): () => void {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    return () => {};
  }
  const timer = setInterval(() => context.heartbeat(), ms);
  return () => clearInterval(timer);
}

/** The events whose first message went out in this batch; a failed look-up costs a sample, never the batch. */
async function countFirstSends(pool: Pool, metrics: FanfareMetrics, decisionIds: number[]): Promise<void> {
  try {
    metrics.firstSends(await firstSends(pool, decisionIds));
  } catch {
    // The messages are sent and settled: a lost latency sample must not make Temporal retry the batch.
  }
}

export type Activities = ReturnType<typeof createActivities>;
