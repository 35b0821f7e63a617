// Medians of how long a Temporal dev server takes from spawn to answering describeNamespace, and to stop.
import { startDevServer } from '../dev/temporal.ts';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 7);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`runs must be a positive integer, got "${process.argv[2]}"`);
  const ready: number[] = [];
  const stop: number[] = [];
  for (let run = 1; run <= runs; run++) {
    const started = performance.now();
    const server = await startDevServer();
    ready.push(performance.now() - started);
    const stopping = performance.now();
    await server.stop();
    stop.push(performance.now() - stopping);
    console.log(`run ${run}: ready in ${ready.at(-1)!.toFixed(0)} ms, stopped in ${stop.at(-1)!.toFixed(0)} ms`);
  }
  console.log(
    `median of ${runs}: ready ${median(ready).toFixed(0)} ms ` +
      `(min ${Math.min(...ready).toFixed(0)}, max ${Math.max(...ready).toFixed(0)}), ` +
      `stop ${median(stop).toFixed(0)} ms`,
  );
}

await main();
