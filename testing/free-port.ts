// Asks the kernel for a TCP port that is free right now, for servers started by tests and by `fanfare dev`.
import { createServer } from 'node:net';

/**
 * Ports this process was already given. The kernel may hand out a port again as soon as the probe closes, so two
 * calls in a row (a server's gRPC and HTTP ports) could otherwise get the same one and the server fail to start.
 */
const given = new Set<number>();

function probe(host: string): Promise<number> {
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

/** A port free at the time of the call and not given before in this process; another process may still take it. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await probe(host);
    if (!given.has(port)) {
      given.add(port);
      return port;
    }
  }
  throw new Error(`could not find a free port on ${host} not handed out before`);
}
