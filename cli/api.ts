// `fanfare api`: serves the HTTP API until SIGINT or SIGTERM.
import { readConfig } from '../app/config.ts';
import { startProcessMetrics } from '../app/metrics.ts';
import { defineCommand, ENV, parseFlags, type Syntax } from './args.ts';

const SYNTAX = {
  command: 'api',
  summary: 'serve the HTTP API and the growth console until SIGINT or SIGTERM',
  env: {
    ...ENV.database,
    ...ENV.temporal,
    'PORT, HOST': 'listen address (default 8080 on 127.0.0.1)',
    ADMIN_TOKEN: 'a bootstrap admin bearer token for /api/admin/* (service:env in the audit), 24+ characters',
    ...ENV.links,
    FANFARE_PUSH_HOSTS: ENV.push.FANFARE_PUSH_HOSTS,
    'ANNOUNCE_RATE_LIMIT, ANNOUNCE_RATE_WINDOW_SECONDS': 'announcements per creator per window (default 60 per 60 s)',
    ...ENV.cache,
    FANFARE_API_METRICS_ADDRESS: ENV.metricsApi.FANFARE_API_METRICS_ADDRESS,
  },
} satisfies Syntax;

export const command = defineCommand(SYNTAX, async (args) => {
  parseFlags(args, SYNTAX);
  const config = readConfig();
  // Loaded only to serve, so that --help need not wait for the Temporal client and the console's build tools.
  const [services, api, { createReplayThreads }, { consoleCacheDir }, { createAuth }] = await Promise.all([
    import('../app/services.ts'),
    import('../http/api.ts'),
    import('../replay/threads.ts'),
    import('../http/console-static.ts'),
    import('../auth/auth.ts'),
  ]);
  const { connectTemporal, openPool } = services;
  const pool = openPool(config, 'api');
  const served = await startProcessMetrics(pool, config.metrics.api, 'FANFARE_API_METRICS_ADDRESS');
  const temporal = await connectTemporal(config);
  // The replay's seconds of CPU run on worker threads, so every other route keeps answering meanwhile.
  const replays = createReplayThreads();
  const app = await api.createApi(
    {
      pool,
      temporal,
      auth: createAuth(pool, config.auth),
      fan: { trackingKeys: config.trackingKeys, pushEndpoints: { hosts: config.pushHosts } },
      adminToken: config.adminToken,
      console: {
        simulate: replays.run,
        simulateHistory: replays.runHistory,
        cacheDir: consoleCacheDir(config.paths.cacheDir),
        globalHoldoutPercent: config.globalHoldoutPercent,
      },
    },
    { requests: served.metrics },
  );
  await app.listen({ port: config.apiPort, host: config.apiHost });
  process.stdout.write(`fanfare api: listening on http://${config.apiHost}:${config.apiPort}\n`);
  if (served.server) process.stdout.write(`fanfare api: metrics at ${served.server.url}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  // Ends keep-alive and in-flight connections too (forceCloseConnections), so stopping never waits on a client.
  await app.close();
  await served.close();
  await replays.close();
  await temporal.connection.close();
  await pool.end();
  return 0;
});
