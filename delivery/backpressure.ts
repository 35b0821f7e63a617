// Holds delivery to each provider's limits across every worker, through PostgreSQL: a concurrency lease per call in
// flight, a shared start rate, and a shared pause after the provider refuses (docs/DELIVERY.md, "Backpressure").

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from '../db/pool.ts';
import {
  acquireProviderSlot,
  countProviderRefusal,
  pauseProvider,
  releaseProviderSlot,
  renewProviderSlots,
  takeProviderTurn,
} from '../db/provider-limits.ts';
import { DeliveryError } from './errors.ts';
import { limitFor, type ProviderLimits, REFUSALS, refusalPauseMs } from './provider-limits.ts';

/** A provider cannot take a message within the wait allowed; nothing was sent. */
export class ProviderBusyError extends Error {
  constructor(
    readonly provider: string,
    /** How long until it may: the pause or the rate's queue, or one poll when every slot is held. */
    readonly retryAfterMs: number,
    reason: string,
  ) {
    super(`${provider}: ${reason}; nothing sent, retry in ${Math.ceil(retryAfterMs / 1000)} s`);
  }
}

/** One call's permission to reach a provider; released with what the provider answered. */
export interface ProviderPermit {
  /**
   * `errorCode`: the delivery error of a refusal, or undefined when the provider took the message. Resolves to
   * `outage: true` when this refusal came during a run of them (the provider refused before and has taken nothing
   * since): the provider is refusing everyone, so the message should not spend an attempt on it.
   */
  release(
    answer: { accepted: true } | { accepted: false; errorCode?: string; retryAfterMs?: number },
  ): Promise<{ outage: boolean }>;
}

export interface ProviderGate {
  acquire(provider: string): Promise<ProviderPermit>;
}

export interface ProviderGateOptions {
  pool: Pool;
  limits: ProviderLimits;
  /** How long a message may wait for its provider before it is handed back as a retry (default 20 s). */
  maxWaitMs?: number;
  /**
   * How long a lease outlives a worker that died holding it (default 15 s). The worker renews its leases every third
   * of that while their calls are in flight, so a slow send keeps its slot however long it takes, and a killed worker's
   * slots come free within one lease.
   */
  leaseMs?: number;
  /** How often a call waiting for a free slot looks again (default 50 ms, with jitter). */
  pollMs?: number;
}

/** How long a worker hands back calls to a provider it found busy, at least. */
export const BUSY_MEMORY_MS = 1_000;

export function createProviderGate(options: ProviderGateOptions): ProviderGate {
  const { pool, limits } = options;
  const maxWaitMs = options.maxWaitMs ?? 20_000;
  const leaseMs = options.leaseMs ?? 15_000;
  /** The holders of this worker's leases in flight, renewed together by one timer while there are any. */
  const leases = new Set<string>();
  let renewal: NodeJS.Timeout | undefined;
  const hold = (holder: string) => {
    leases.add(holder);
    renewal ??= setInterval(() => {
      renewProviderSlots(pool, [...leases], leaseMs).catch(() => {
        // The database is away: the leases may run out, and other workers then take at most the slots back.
      });
    }, leaseMs / 3).unref();
  };
  const unhold = (holder: string) => {
    leases.delete(holder);
    if (leases.size === 0 && renewal) {
      clearInterval(renewal);
      renewal = undefined;
    }
  };
  const pollMs = options.pollMs ?? 50;
  /**
   * Once a call found a provider busy, the rest of this worker's calls to it are handed back at once for a while,
   * instead of each waiting out `maxWaitMs` in turn (a batch would outlast its activity's timeout).
   */
  const busyUntil = new Map<string, number>();
  const busy = (provider: string, retryAfterMs: number, reason: string) => {
    busyUntil.set(provider, Date.now() + Math.max(retryAfterMs, BUSY_MEMORY_MS));
    return new ProviderBusyError(provider, retryAfterMs, reason);
  };
  return {
    async acquire(provider) {
      const until = busyUntil.get(provider) ?? 0;
      if (Date.now() < until) throw new ProviderBusyError(provider, until - Date.now(), 'found busy just before');
      const limit = limitFor(limits, provider);
      const holder = randomUUID();
      const started = Date.now();
      let slot: number | null = null;
      for (;;) {
        slot = await acquireProviderSlot(pool, provider, holder, limit.concurrency, leaseMs);
        if (slot !== null) break;
        if (Date.now() - started >= maxWaitMs) throw busy(provider, pollMs, `all ${limit.concurrency} slots in use`);
        await sleep(pollMs / 2 + Math.random() * pollMs);
      }
      const held = slot;
      hold(holder);
      const intervalMs = limit.ratePerSecond ? 1000 / limit.ratePerSecond : 0;
      let turn: Awaited<ReturnType<typeof takeProviderTurn>>;
      try {
        turn = await takeProviderTurn(pool, provider, intervalMs, Math.max(0, maxWaitMs - (Date.now() - started)));
      } catch (err) {
        unhold(holder);
        await releaseProviderSlot(pool, provider, held, holder, false).catch(() => {});
        throw err;
      }
      if ('busyMs' in turn) {
        unhold(holder);
        await releaseProviderSlot(pool, provider, held, holder, false);
        throw busy(provider, turn.busyMs, 'paused after refusals, or its rate is booked up');
      }
      if (turn.waitMs > 0) await sleep(turn.waitMs);
      let released = false;
      return {
        async release(answer) {
          if (released) return { outage: false };
          released = true;
          unhold(holder);
          let outage = false;
          if (!answer.accepted && answer.errorCode !== undefined && REFUSALS.includes(answer.errorCode)) {
            const refusals = await countProviderRefusal(pool, provider);
            await pauseProvider(pool, provider, refusalPauseMs(refusals, answer.retryAfterMs));
            outage = refusals > 1;
          }
          await releaseProviderSlot(pool, provider, held, holder, answer.accepted);
          return { outage };
        },
      };
    },
  };
}

/**
 * Waits for the provider's turn when limits are configured (`providers` absent: no limits, no permit); a busy provider
 * comes back as `busy`, with nothing sent. Alerts and digests both go through it.
 */
export async function permitFor(
  providers: { gate: ProviderGate } | undefined,
  provider: string,
): Promise<{ permit: ProviderPermit | null } | { busy: ProviderBusyError }> {
  if (!providers) return { permit: null };
  try {
    return { permit: await providers.gate.acquire(provider) };
  } catch (err) {
    if (err instanceof ProviderBusyError) return { busy: err };
    throw err;
  }
}

/** What the provider answered, for the permit: a refusal's code (a "not now" pauses it for all workers), or silence. */
export function answerOf(err: unknown): { accepted: false; errorCode?: string; retryAfterMs?: number } {
  return err instanceof DeliveryError
    ? { accepted: false, errorCode: err.code, retryAfterMs: err.retryAfterMs }
    : { accepted: false };
}
