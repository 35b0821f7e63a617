// A process's metrics: the registry its parts count into, served on the configured address unless turned off.
import type { Pool } from '../db/pool.ts';
import { createMetrics, type FanfareMetrics } from '../metrics/fanfare-metrics.ts';
import { type MetricsServer, serveMetrics } from '../metrics/server.ts';
import type { ListenAddress } from './config.ts';

export interface ProcessMetrics {
  metrics: FanfareMetrics;
  /** Where /metrics is served, or undefined when its address is `off`. */
  server: MetricsServer | undefined;
  close(): Promise<void>;
}

/**
 * Makes the process's registry (with the due backlog read from `pool`) and serves it at `address`; a failure to listen
 * names `setting`, the variable that chose the address.
 */
export async function startProcessMetrics(
  pool: Pool,
  address: ListenAddress | null,
  setting: string,
): Promise<ProcessMetrics> {
  const metrics = createMetrics({ pool });
  let server: MetricsServer | undefined;
  if (address) {
    try {
      server = await serveMetrics(metrics.registry, address.host, address.port);
    } catch (error) {
      throw new Error(`${setting}: ${(error as Error).message}`, { cause: error });
    }
  }
  return { metrics, server, close: async () => server?.close() };
}
