// The Prometheus metrics of one process: one registry, made by the composition root and handed to what counts.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { dueBacklog, type FirstSend } from '../db/metrics.ts';
import type { Pool } from '../db/pool.ts';
import { ACTIONS, REASONS } from '../domain/decision.ts';
import { CHANNELS } from '../domain/vocabulary.ts';
import { registerMailFeedback } from './mail-feedback.ts';

/** How far back the backlog gauge looks for due, unsettled alerts; older ones are the ledger's to show. */
export const BACKLOG_WINDOW_MS = 24 * 3_600_000;
/** A scrape waits this long for the backlog query, then reports NaN rather than hold the scrape. */
export const BACKLOG_TIMEOUT_MS = 1_000;

const OUTCOMES = ['sent', 'failed', 'retry', 'possibly_sent', 'skipped'] as const;
/** Seconds, from a second to two days: alerts may be scheduled a day or more after their decision. */
const LATENCY_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 43200, 86400, 172800];
/** Seconds: the API answers in milliseconds; the console's replay and the slowest reads take seconds. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'];
const SCORE_BUCKETS = [0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
/** Error codes named by the senders (delivery/errors.ts) and the ledger; anything else is counted as `other`. */
const ERROR_CODES = new Set([
  'invalid_message',
  'smtp_rejected_permanent',
  'smtp_rejected_transient',
  'smtp_connection_failed',
  'push_subscription_gone',
  'push_endpoint_refused',
  'push_key_invalid',
  'push_payload_too_large',
  'push_unauthorized',
  'push_rejected',
  'push_rate_limited',
  'push_server_error',
  'push_connection_failed',
  'unexpected',
  'provider_busy',
]);

/** A decision as written: the facts counted, none of them about the fan. */
export interface CountedDecision {
  action: string;
  reason: string;
  score: number | null;
}

/** A settled or skipped delivery, as delivery/deliver.ts reports it. */
export interface CountedDelivery {
  channel: string;
  outcome: string;
  decidedAt: Date;
  error?: { code: string; status?: number };
}

/** One answered HTTP request: its route template (never the path a client sent), method, status and duration. */
export interface ServedRequest {
  /** The template the request matched, e.g. `/api/events/:id`, or null when it matched none. */
  route: string | null;
  method: string;
  status: number;
  seconds: number;
}

export interface FanfareMetrics {
  registry: Registry;
  /** Counts a page of decisions as written and records their model scores. */
  decisionsWritten(decisions: readonly CountedDecision[]): void;
  /** Counts one delivery by channel and outcome, its provider error, and (when sent) its decision-to-delivery time. */
  deliverySettled(delivery: CountedDelivery, at: Date): void;
  /** Records events' creation-to-first-send times. */
  firstSends(sends: readonly FirstSend[]): void;
  /** Counts one answered API request by route template, method and status, and records how long it took. */
  requestServed(request: ServedRequest): void;
}

export interface MetricsOptions {
  /** Where the due backlog is read on each scrape; without it there is no backlog gauge. */
  pool?: Pool;
  /** Node's process metrics (CPU, memory, event loop lag); on by default. */
  processMetrics?: boolean;
  now?: () => Date;
}

/** Keeps a label's values to a known set, so a bad value can never add series without bound. */
function known(value: string, values: Iterable<string>): string {
  for (const v of values) if (v === value) return v;
  return 'other';
}

/** A reply code as a label: SMTP's and HTTP's three digits, or `none` for a transport error without one. */
function statusLabel(status: number | undefined): string {
  return status !== undefined && Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : 'none';
}

export function createMetrics(options: MetricsOptions = {}): FanfareMetrics {
  const registry = new Registry();
  const now = options.now ?? (() => new Date());
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'fanfare_' });

  const decisions = new Counter({
    name: 'fanfare_decisions_total',
    help: 'Decisions written, by action and reason code.',
    labelNames: ['action', 'reason'] as const,
    registers: [registry],
  });
  for (const reason of REASONS) {
    const action = reason === 'baseline_send_now' ? 'alert' : reason.split('_')[0];
    decisions.inc({ action, reason }, 0);
  }
  const scores = new Histogram({
    name: 'fanfare_model_score',
    help: "The relevance model's score (predicted open probability) of each decision written with one.",
    buckets: SCORE_BUCKETS,
    registers: [registry],
  });
  const deliveries = new Counter({
    name: 'fanfare_deliveries_total',
    help: 'Deliveries settled or skipped, by channel and outcome.',
    labelNames: ['channel', 'outcome'] as const,
    registers: [registry],
  });
  for (const channel of CHANNELS) for (const outcome of OUTCOMES) deliveries.inc({ channel, outcome }, 0);
  const providerErrors = new Counter({
    name: 'fanfare_provider_errors_total',
    help: "Deliveries a provider or its transport refused, by channel, error code and the provider's reply status.",
    labelNames: ['channel', 'code', 'status'] as const,
    registers: [registry],
  });
  const decisionToDelivery = new Histogram({
    name: 'fanfare_decision_to_delivery_seconds',
    help: 'From a decision to its message sent, by channel (includes the wait for a scheduled send time).',
    labelNames: ['channel'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const eventToFirstSend = new Histogram({
    name: 'fanfare_event_to_first_send_seconds',
    help: "From a creator's event to the first message sent for it.",
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });

  const httpRequests = new Counter({
    name: 'fanfare_http_requests_total',
    help: 'API requests answered, by route template, method and status code.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'fanfare_http_request_duration_seconds',
    help: 'From an API request received to its answer sent, by route template and method.',
    labelNames: ['route', 'method'] as const,
    buckets: HTTP_BUCKETS,
    registers: [registry],
  });

  if (options.pool) {
    registerBacklog(registry, options.pool, now);
    registerMailFeedback(registry, options.pool, now);
  }

  return {
    registry,
    decisionsWritten(written) {
      for (const d of written) {
        decisions.inc({ action: known(d.action, ACTIONS), reason: known(d.reason, REASONS) });
        if (d.score !== null && Number.isFinite(d.score)) scores.observe(d.score);
      }
    },
    deliverySettled(d, at) {
      const channel = known(d.channel, CHANNELS);
      deliveries.inc({ channel, outcome: known(d.outcome, OUTCOMES) });
      if (d.error)
        providerErrors.inc({ channel, code: known(d.error.code, ERROR_CODES), status: statusLabel(d.error.status) });
      if (d.outcome === 'sent')
        decisionToDelivery.observe({ channel }, Math.max(0, (at.getTime() - d.decidedAt.getTime()) / 1000));
    },
    firstSends(sends) {
      for (const s of sends)
        eventToFirstSend.observe(Math.max(0, (s.firstSentAt.getTime() - s.createdAt.getTime()) / 1000));
    },
    requestServed(r) {
      // Templates are as many as the routes registered; a path no route matched is one label, whatever it was.
      const route = r.route ?? 'unmatched';
      const method = known(r.method, HTTP_METHODS);
      httpRequests.inc({ route, method, status: statusLabel(r.status) });
      if (Number.isFinite(r.seconds)) httpDuration.observe({ route, method }, Math.max(0, r.seconds));
    },
  };
}

/**
 * The due backlog, read from PostgreSQL on each scrape: a count and the age of the oldest. A query that fails or
 * outlasts its timeout leaves both NaN (and counts the failure), so a stale number is never shown as current.
 */
function registerBacklog(registry: Registry, pool: Pool, now: () => Date): void {
  let failed = 0;
  let pending: Promise<{ count: number; oldestAgeSeconds: number }> | undefined;
  /** One query at a time, shared by the two gauges and by scrapes that overlap. */
  const read = () => {
    pending ??= (async () => {
      const at = now();
      let timer: NodeJS.Timeout | undefined;
      try {
        const backlog = await Promise.race([
          dueBacklog(pool, new Date(at.getTime() - BACKLOG_WINDOW_MS), at, BACKLOG_TIMEOUT_MS),
          // The pool may have no free connection: bound the wait for one as well as the query.
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error('backlog query timed out')), BACKLOG_TIMEOUT_MS + 500);
          }),
        ]);
        const age = backlog.oldestSendAt ? Math.max(0, (at.getTime() - backlog.oldestSendAt.getTime()) / 1000) : 0;
        return { count: backlog.count, oldestAgeSeconds: age };
      } catch {
        failed++;
        return { count: Number.NaN, oldestAgeSeconds: Number.NaN };
      } finally {
        clearTimeout(timer);
        pending = undefined;
      }
    })();
    return pending;
  };
  // Read through the same query as the gauges, so the scrape whose query failed already counts it.
  new Counter({
    name: 'fanfare_backlog_query_failures_total',
    help: 'Scrapes whose backlog query failed or timed out.',
    registers: [registry],
    async collect() {
      await read();
      this.reset();
      this.inc(failed);
    },
  });
  new Gauge({
    name: 'fanfare_due_decisions',
    help: `Alert decisions due in the last ${BACKLOG_WINDOW_MS / 3_600_000} hours with no settled delivery yet.`,
    registers: [registry],
    async collect() {
      this.set((await read()).count);
    },
  });
  new Gauge({
    name: 'fanfare_due_decisions_oldest_age_seconds',
    help: 'How long the oldest of those decisions has been due (0 when there are none).',
    registers: [registry],
    async collect() {
      this.set((await read()).oldestAgeSeconds);
    },
  });
}
