// `fanfare api`: serves the HTTP API until SIGINT or SIGTERM.
import { once } from 'node:events';
import { readConfig } from '../app/config.ts';
import { connectTemporal, openPool } from '../app/services.ts';
import { createApiRouter, createApiServer } from '../http/api.ts';
import type { Command } from './command.ts';
import { runConsoleReplay } from '../replay/console.ts';
import { consoleCacheDir } from '../http/console-static.ts';

export const command: Command = {
  summary: 'serve the HTTP API (DATABASE_URL, TEMPORAL_ADDRESS, PORT, HOST, ADMIN_TOKEN)',
  async run() {
    const config = readConfig();
    const pool = openPool(config);
    const temporal = await connectTemporal(config);
    const server = createApiServer(createApiRouter({ pool, temporal, fan: { trackingKeys: config.trackingKeys }, adminToken: config.adminToken, console: { simulate: runConsoleReplay, cacheDir: consoleCacheDir(config.paths.cacheDir) } }));
    server.listen(config.apiPort, config.apiHost);
    await once(server, 'listening');
    process.stdout.write(`fanfare api: listening on http://${config.apiHost}:${config.apiPort}\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    server.close();
    await temporal.connection.close();
    await pool.end();
  },
};
