// The local SMTP capture and push service in a process of their own (bench/delivery-peers.ts), so their CPU is not the
// worker's, and the request/answer exchange with it over IPC.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What the peers' process says once both listen. */
export interface PeersReady {
  smtp: { host: string; port: number };
  caCertPem: string;
}

/** Starts the peers' process and waits until both peers listen. */
export async function forkDeliveryPeers(): Promise<{ peers: ChildProcess; ready: PeersReady }> {
  const peers = fork(fileURLToPath(new URL('./delivery-peers.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<PeersReady>((resolve) => peers.once('message', resolve as never));
  return { peers, ready };
}

let nextId = 0;

/** Sends one request (`op` and its fields) to the peers' process and waits for the answer carrying its id. */
export function ask<T>(peers: ChildProcess, request: Record<string, unknown>): Promise<T> {
  const id = ++nextId;
  return new Promise((resolve) => {
    const onMessage = (m: { id?: number }) => {
      if (m.id !== id) return;
      peers.off('message', onMessage);
      resolve(m as T);
    };
    peers.on('message', onMessage);
    peers.send({ ...request, id });
  });
}
