// Everything on embedded defaults in one process: PostgreSQL, Temporal, SMTP and push peers, world, worker and API.

import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Config, formatAddress, type ListenAddress, readConfig } from '../app/config.ts';
import { ensureDigestSchedule } from '../app/digest-schedule.ts';
import { startProcessMetrics } from '../app/metrics.ts';
import { connectTemporal } from '../app/services.ts';
import { startWorker } from '../app/worker.ts';
import { createAuth } from '../auth/auth.ts';
import { migrate } from '../db/migrate.ts';
import { createPool } from '../db/pool.ts';
import { revokeSubscriptionsUnder } from '../db/push-subscriptions.ts';
import { vapidKeys } from '../delivery/keys.ts';
import { parsePushHosts } from '../delivery/push-endpoint.ts';
import type { PushSubscriptionJson } from '../delivery/push-sender.ts';
import { createApi } from '../http/api.ts';
import { buildConsole } from '../http/console-build.ts';
import { consoleCacheDir } from '../http/console-static.ts';
import { type ReceivedPush, startPushService } from '../peers/push-service.ts';
import { type CapturedMail, startSmtpCapture } from '../peers/smtp-capture.ts';
import { testCertificatePem, testPrivateKeyPem } from '../peers/test-certificate.ts';
import { createReplayThreads } from '../replay/threads.ts';
import { simulatedWorldOracle } from '../simulator/oracle.ts';
import { createResponder, type Responder } from '../simulator/responder.ts';
import { seedWorld } from '../simulator/seed.ts';
import { generateWorld } from '../simulator/world.ts';
import { storeSimulatedWorld } from '../simulator/world-setting.ts';
import { freePort } from '../testing/free-port.ts';
import { announceDemoEvents, demoWorldSpec, ensureDemoHistory, ensureDemoModel, quietCreator } from './demo-data.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { ensureDevPrincipals } from './principals.ts';
import { startDevServer } from './temporal.ts';

export const DATA_DIR = fileURLToPath(new URL('../.data', import.meta.url));

export interface DevOptions {
  fans: number;
  creators: number;
  seed: number;
  env?: Record<string, string | undefined>;
  log?: (line: string) => void;
  /**
   * Simulated fans answer what they receive (opens, clicks, unsubscribes through the messages' links), with
   * delays scaled by this factor: 1/60 (the default) plays an hour of reading time in a minute; 0 answers at once.
   */
  responseTimeScale?: number;
  /**
   * Free ports everywhere instead of the well-known defaults (8080, 2525, …): for tests that run stacks side by side.
   */
  anyPorts?: boolean;
}

export interface DevStack {
  config: Config;
  apiUrl: string;
  /** ADMIN_TOKEN, or one generated for this run: the bearer token of /api/admin/*. */
  adminToken: string;
  /** The first admin's console login, with a password made for this run (the previous run's sessions end). */
  admin: { username: string; password: string };
  uiUrl: string | undefined;
  /** The one process's Prometheus metrics (API and worker), unless FANFARE_API_METRICS_ADDRESS is off. */
  metricsUrl: string | undefined;
  /** The Temporal SDK's worker metrics, unless FANFARE_TEMPORAL_METRICS_ADDRESS is off. */
  temporalMetricsUrl: string | undefined;
  smtpPort: number;
  pushOrigin: string;
  creatorIds: number[];
  /** A creator whose audience heard no alert from it in the last day: the printed example's target. */
  exampleCreatorId: number;
  /** This run's API key of the example creator (`Authorization: Bearer …`); the previous run's is revoked. */
  creatorKey: string;
  mails: CapturedMail[];
  pushes: ReceivedPush[];
  /** The simulated fans answering mails and pushes with the ground truth. */
  responder: Responder;
  /** A new browser subscription at the local push service, bound to our VAPID key. */
  subscribe(): PushSubscriptionJson;
  /**
   * Stops everything in the reverse order of starting: the API (idle keep-alive connections at once, requests still
   * running after a short grace), the replay threads, the worker, the peers, Temporal and PostgreSQL.
   */
  stop(): Promise<void>;
  /** Kills the child servers (Temporal dev server, embedded PostgreSQL) at once: for a quit that cannot wait. */
  kill(): void;
}

/** The port if it is free, else any free port: a second `fanfare dev` must not fail on a taken default. */
async function preferWellKnownPort(port: number): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => void freePort().then(resolve));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(port)));
  });
}

/** Prints the first few messages of a burst in full, then a running count, so 2,000 fans do not flood the terminal. */
function burstPrinter(log: (line: string) => void, label: string) {
  let shown = 0;
  let total = 0;
  let timer: NodeJS.Timeout | undefined;
  return (line: string) => {
    total++;
    if (shown < 3) {
      shown++;
      log(line);
    }
    clearTimeout(timer);
    timer = setTimeout(() => {
      log(`${label}: ${total} captured so far`);
      shown = 0;
    }, 1500);
    timer.unref();
  };
}

/** How long requests still running when the API stops may take to finish before their connections are cut. */
const REQUEST_GRACE_MS = 2_000;

/** Stops listening and ends every connection: idle keep-alive ones now, busy ones after REQUEST_GRACE_MS. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), REQUEST_GRACE_MS).unref();
  });
}

export async function startDevStack(options: DevOptions): Promise<DevStack> {
  const preferPort = options.anyPorts ? () => freePort() : preferWellKnownPort;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  // Every variable is read and checked here, once; the dev stack then fills in what was not given.
  const given = readConfig(options.env);
  const stops: (() => Promise<void>)[] = [];
  const kills: (() => void)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
  };
  const kill = () => {
    for (const k of kills) k();
  };
  try {
    mkdirSync(DATA_DIR, { recursive: true });
    let databaseUrl = given.databaseUrl;
    if (!databaseUrl) {
      log('postgres: starting embedded PostgreSQL (set DATABASE_URL to use your own)');
      const pg = await startEmbeddedPostgres({ port: await preferPort(54329), cacheDir: given.paths.cacheDir });
      stops.push(() => pg.stop());
      kills.push(() => pg.kill());
      // Not always .data/pg: as root, from a checkout the postgres OS user cannot reach, it lives in the cache area.
      log(`postgres: listening on 127.0.0.1:${pg.port}, data in ${pg.dataDir}`);
      databaseUrl = pg.connectionString;
    }
    await migrate({ connectionString: databaseUrl });

    let temporalAddress = given.temporalAddress;
    let uiUrl: string | undefined;
    if (!given.explicit.temporalAddress) {
      log('temporal: starting the dev server (set TEMPORAL_ADDRESS to use a cluster)');
      const server = await startDevServer({
        paths: given.paths,
        port: await preferPort(7233),
        uiPort: await preferPort(8233),
        dbFile: `${DATA_DIR}/temporal.db`,
      });
      stops.push(() => server.stop());
      kills.push(() => server.kill());
      temporalAddress = server.address;
      uiUrl = server.uiUrl;
    }

    let responder: Responder | undefined;
    const printMail = burstPrinter(log, 'mail');
    const printPush = burstPrinter(log, 'push');
    const smtp = await startSmtpCapture({
      port: await preferPort(2525),
      onMessage: (m) => {
        printMail(`mail → ${m.envelope.to.join(', ')}: "${m.parsed.subject ?? ''}"`);
        responder?.handleMail(m);
      },
    });
    stops.push(() => smtp.stop());
    const push = await startPushService({
      port: await preferPort(8444),
      onPush: (p) => {
        printPush(`push → ${p.endpoint.replace(/^.*\/push\//, 'device ')}: ${p.payload}`);
        responder?.handlePush(p);
      },
    });
    stops.push(() => push.stop());

    const apiPort = await preferPort(8080);
    const httpsPort = await preferPort(8443);
    // The configured metrics ports if free, as for the other well-known ports.
    const metricsAt = async (a: ListenAddress | null) => a && { host: a.host, port: await preferPort(a.port) };
    const metrics = {
      ...given.metrics,
      api: await metricsAt(given.metrics.api),
      temporal: await metricsAt(given.metrics.temporal),
    };
    const config: Config = {
      ...given,
      databaseUrl,
      temporalAddress,
      smtp: { ...given.smtp, host: smtp.host, port: smtp.port },
      apiPort: given.explicit.apiPort ? given.apiPort : apiPort,
      metrics,
      // Links in messages must be https (RFC 8058 one-click unsubscribe): the API also listens with TLS, on the
      // local test certificate for 127.0.0.1, and messages link there.
      publicUrl: given.publicUrl ?? `https://127.0.0.1:${httpsPort}`,
      // A fresh admin token per run unless one is given: the console and curl need one, a fixed default would
      // be a hole.
      adminToken: given.adminToken ?? randomBytes(24).toString('base64url'),
      // The local push service listens on loopback: allowed by its address and port, beside the browsers' services.
      pushHosts: [...given.pushHosts, ...parsePushHosts(push.allowEntry)],
    };
    const pool = createPool(databaseUrl, 20, { name: 'dev' });
    stops.push(() => pool.end());

    // The local push service keeps its browsers' keys in memory: subscriptions from an earlier run cannot be
    // decrypted any more, so retire them and subscribe the seeded fans afresh.
    await revokeSubscriptionsUnder(pool, 'https://127.0.0.1:');
    const vapid = await vapidKeys(pool);
    // The console's first page is built while the world is seeded.
    const consoleBuilt = buildConsole(consoleCacheDir(config.paths.cacheDir), log);
    consoleBuilt.catch(() => {});
    const spec = await demoWorldSpec(pool, options);
    const world = generateWorld(spec);
    await storeSimulatedWorld(pool, spec);
    responder = createResponder({
      world,
      fanIndexOfEndpoint: (endpoint) => fanOfEndpoint.get(endpoint),
      revokePush: (p) => push.unsubscribe(p.subscriptionId),
      timeScale: options.responseTimeScale ?? 1 / 60,
      // Simulated fans reach the API over plain http, as a browser that accepted the local certificate
      // would over https.
      fetch: (url, init) =>
        fetch(
          String(url).replace(config.publicUrl!.replace(/\/$/, ''), `http://${config.apiHost}:${config.apiPort}`),
          init,
        ),
    });
    log(`seed: ${options.creators} creators and ${options.fans} fans (seed ${options.seed})`);
    const fanOfEndpoint = new Map<string, number>();
    const seeded = await seedWorld(pool, world, {
      createPushSubscription: async (fanIndex) => {
        const { subscription } = push.createSubscription({ applicationServerKey: vapid.publicKey });
        fanOfEndpoint.set(subscription.endpoint, fanIndex);
        return subscription;
      },
    });
    await ensureDemoHistory(pool, world, seeded, log);
    await ensureDemoModel(pool, log);

    // API and worker share this process, so one registry counts for both and is served at the API's metrics address.
    const served = await startProcessMetrics(pool, config.metrics.api, 'FANFARE_API_METRICS_ADDRESS');
    stops.push(() => served.close());
    const worker = await startWorker(config, pool, {
      pushAgent: push.agent,
      oracle: simulatedWorldOracle(pool),
      metrics: served.metrics,
    });
    stops.push(() => worker.stop());
    const temporal = await connectTemporal(config);
    stops.push(() => temporal.connection.close());
    // Digests go out hourly at each fan's local digest hour, as in production.
    await ensureDigestSchedule(temporal);
    const replays = createReplayThreads();
    stops.push(() => replays.close());
    let tlsServer: https.Server | undefined;
    const app = await createApi(
      {
        pool,
        temporal,
        auth: createAuth(pool, config.auth),
        adminToken: config.adminToken,
        fan: { pushEndpoints: { hosts: config.pushHosts } },
        console: {
          simulate: replays.run,
          simulateHistory: replays.runHistory,
          cacheDir: consoleCacheDir(config.paths.cacheDir),
          globalHoldoutPercent: config.globalHoldoutPercent,
        },
      },
      // The same routes over TLS, for clients that need a secure context.
      {
        requests: served.metrics,
        alsoServe: (handler, { keepAliveTimeout, ...limits }) => {
          tlsServer = https.createServer({ cert: testCertificatePem, key: testPrivateKeyPem, ...limits }, handler);
          tlsServer.keepAliveTimeout = keepAliveTimeout;
        },
      },
    );
    await app.listen({ port: config.apiPort, host: config.apiHost });
    const server = app.server;
    const tls = tlsServer!;
    tls.listen(httpsPort, config.apiHost);
    await once(tls, 'listening');
    // Both listeners close together, so their grace periods overlap.
    stops.push(async () => void (await Promise.all([app.close(), closeServer(tls)])));
    const apiUrl = `http://${config.apiHost}:${(server.address() as AddressInfo).port}`;
    await announceDemoEvents(pool, temporal, seeded.creatorIds, log);
    const exampleCreatorId = await quietCreator(pool, seeded.creatorIds);
    const principals = await ensureDevPrincipals(pool, exampleCreatorId);
    await consoleBuilt;
    // Last in, so stopped first: the simulated fans' pending link calls would otherwise hit a closing API.
    stops.push(async () => responder?.stop());

    return {
      config,
      apiUrl,
      adminToken: config.adminToken!,
      admin: principals.admin,
      uiUrl,
      metricsUrl: served.server?.url,
      temporalMetricsUrl: config.metrics.temporal
        ? `http://${formatAddress(config.metrics.temporal)}/metrics`
        : undefined,
      smtpPort: smtp.port,
      pushOrigin: push.origin,
      creatorIds: seeded.creatorIds,
      exampleCreatorId,
      creatorKey: principals.creatorKey,
      mails: smtp.messages,
      pushes: push.received,
      responder: responder!,
      subscribe: () => push.createSubscription({ applicationServerKey: vapid.publicKey }).subscription,
      stop,
      kill,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
