// Asks the kernel for a TCP port that is free right now, for servers started by tests and by `fanfare dev`.
import { createServer } from 'node:net';

/** A port free at the time of the call; another process may still take it before it is bound. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error(`could not read a free port on ${host}`))));
    });
  });
}
