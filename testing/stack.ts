// A whole Fanfare stack for an integration test file: schema, SMTP capture and push service, a worker and the API.
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll } from 'vitest';
import { type Config, readConfig } from '../app/config.ts';
import { type ProcessMetrics, startProcessMetrics } from '../app/metrics.ts';
import { connectTemporal } from '../app/services.ts';
import { type RunningWorker, startWorker } from '../app/worker.ts';
import { createAuth } from '../auth/auth.ts';
import { vapidKeys } from '../delivery/keys.ts';
import type { PushSubscriptionJson } from '../delivery/push-sender.ts';
import type { DevServer } from '../dev/temporal.ts';
import { createApi } from '../http/api.ts';
import type { HttpApp } from '../http/app.ts';
import { consoleCacheDir } from '../http/console-static.ts';
import { type PushService, startPushService } from '../peers/push-service.ts';
import { type SmtpCapture, startSmtpCapture } from '../peers/smtp-capture.ts';
import { simulatedWorldOracle } from '../simulator/oracle.ts';
import { createTestSchema, type TestSchema } from './db.ts';

export interface TestStack {
  db: TestSchema;
  smtp: SmtpCapture;
  push: PushService;
  config: Config;
  worker: RunningWorker;
  client: Client;
  /** The API's base URL, e.g. http://127.0.0.1:41234. */
  api: string;
  /** The worker's registry, served on a free loopback port (`metrics.server.url`). */
  metrics: ProcessMetrics;
  /** A browser subscription at the push service, bound to the stack's VAPID key. */
  subscribe(): PushSubscriptionJson;
  /**
   * POSTs JSON to the API and returns the status with the parsed answer, of the type T the caller expects; `headers`
   * adds e.g. a creator key's `authorization` (testing/creator-keys.ts).
   */
  post<T = unknown>(
    path: string,
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; json: T }>;
}

export interface TestStackOptions {
  /**
   * Extra environment for the configuration (PUBLIC_URL, MAIL_FROM, …). The Temporal SDK's metrics are off unless
   * FANFARE_TEMPORAL_METRICS_ADDRESS is given: test files run side by side.
   */
  env?: Record<string, string>;
  /** Runs on the migrated schema before the worker starts (train a model, set a policy, seed). */
  prepare?: (db: TestSchema) => Promise<void>;
}

/** Call at the top level of a test file; the getter gives the running stack inside tests and hooks. */
export function useTestStack(name: string, temporal: () => DevServer, options: TestStackOptions = {}): () => TestStack {
  let stack: TestStack | undefined;
  let app: HttpApp | undefined;
  const parts: Partial<TestStack> = {};
  beforeAll(async () => {
    const db = await createTestSchema(name);
    parts.db = db;
    const smtp = await startSmtpCapture();
    parts.smtp = smtp;
    const push = await startPushService();
    parts.push = push;
    await options.prepare?.(db);
    const config = readConfig({
      DATABASE_URL: db.connectionString,
      TEMPORAL_ADDRESS: temporal().address,
      SMTP_HOST: smtp.host,
      SMTP_PORT: String(smtp.port),
      FANFARE_PUSH_HOSTS: push.allowEntry,
      FANFARE_TEMPORAL_METRICS_ADDRESS: 'off',
      ...options.env,
    });
    const metrics = await startProcessMetrics(db.pool, { host: '127.0.0.1', port: 0 }, 'the test stack');
    parts.metrics = metrics;
    const vapid = await vapidKeys(db.pool);
    const worker = await startWorker(config, db.pool, {
      pushAgent: push.agent,
      oracle: simulatedWorldOracle(db.pool),
      metrics: metrics.metrics,
    });
    parts.worker = worker;
    const client = await connectTemporal(config);
    parts.client = client;
    app = await createApi(
      {
        pool: db.pool,
        temporal: client,
        auth: createAuth(db.pool, config.auth),
        fan: { trackingKeys: config.trackingKeys, pushEndpoints: { hosts: config.pushHosts } },
        console: { cacheDir: consoleCacheDir(config.paths.cacheDir) },
      },
      { requests: metrics.metrics },
    );
    const api = await app.listen({ port: 0, host: '127.0.0.1' });
    stack = {
      db,
      smtp,
      push,
      config,
      worker,
      client,
      api,
      metrics,
      subscribe: () => push.createSubscription({ applicationServerKey: vapid.publicKey }).subscription,
      async post<T>(path: string, body: unknown, headers: Record<string, string> = {}) {
        const res = await fetch(`${api}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
        });
        return { status: res.status, json: (await res.json()) as T };
      },
    };
  }, 180_000);
  afterAll(async () => {
    await app?.close();
    await parts.worker?.stop();
    await parts.client?.connection.close();
    await parts.smtp?.stop();
    await parts.push?.stop();
    await parts.metrics?.close();
    await parts.db?.drop();
  });
  return () => {
    if (!stack) throw new Error('useTestStack: the stack is not running yet; use the getter inside tests or hooks');
    return stack;
  };
}
