// Gives a vitest file its own Temporal dev server on free ports, started before its tests and stopped after.
import { afterAll, beforeAll } from 'vitest';
import { type DevServer, type DevServerOptions, startDevServer } from '../dev/temporal.ts';

/**
 * Call at the top level of a test file (or a describe block); the returned getter gives the running server.
 *   const temporal = useTemporalDevServer();
 *   it('...', async () => { const connection = await Connection.connect({ address: temporal().address }); ... });
 */
export function useTemporalDevServer(options: DevServerOptions = {}): () => DevServer {
  let server: DevServer | undefined;
  beforeAll(async () => {
    server = await startDevServer(options);
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server)
      throw new Error(
        'useTemporalDevServer: the dev server is not running yet; ' +
          'use the getter inside tests or hooks, not at import time',
      );
    return server;
  };
}
