// The activities: thin adapters from workflow steps to the database, the pure policy and the channel senders.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { audiencePage } from '../db/audience.ts';
import { alertSendTimes, dueDecisionIds } from '../db/decisions.ts';
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
import type { FanfareMetrics } from '../metrics/fanfare-metrics.ts';
import type { RelevanceScorer } from '../models/scoring.ts';
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
  /** Counts the decisions written and the deliveries settled (docs/OPERATIONS.md); none, nothing is counted. */
  metrics?: FanfareMetrics;
  now?: () => Date;
}

export interface DecidePage {
  eventId: number;
  afterFanId: number;
  limit: number;
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
  return {
    /**
     * Decides for one keyset page of the event's audience with the policy in force and the active model's scores
     * (the baseline when no model is active), and records the decisions in one statement under the fans' row locks.
     */
    async decideBatch(page: DecidePage): Promise<DecidedPage> {
      const candidates = await audiencePage(deps.pool, page.eventId, page.afterFanId, page.limit);
      if (candidates.length === 0) return { fans: 0, lastFanId: page.afterFanId, decisions: 0, slots: [] };
      const at = now();
      const { decisions, written } = await decideAndRecord(
        { pool: deps.pool, scorer: deps.scorer, policy },
        page.eventId,
        candidates,
        at,
      );
      deps.metrics?.decisionsWritten(written);
      const fanIds = candidates.map((c) => c.fanId);
      // Read the send times back: a retried page must wake the slots its first attempt recorded.
      const times = await alertSendTimes(deps.pool, page.eventId, fanIds);
      return {
        fans: candidates.length,
        lastFanId: fanIds[fanIds.length - 1],
        decisions: decisions.length,
        slots: distinctSlots(times),
      };
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

/** The events whose first message went out in this batch; a failed look-up costs a sample, never the batch. */
async function countFirstSends(pool: Pool, metrics: FanfareMetrics, decisionIds: number[]): Promise<void> {
  try {
    metrics.firstSends(await firstSends(pool, decisionIds));
  } catch {
    // The messages are sent and settled: a lost latency sample must not make Temporal retry the batch.
  }
}

export type Activities = ReturnType<typeof createActivities>;
