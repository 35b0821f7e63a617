// The console's replay off the API's event loop: worker threads (piscina), one replay per person, a bounded number.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { ReplayBusyError } from '../domain/replay-busy.ts';
import type { HistoryReplayRunner, ReplayRunner } from '../http/simulate-input.ts';
import type { CapPolicy } from '../policy/cap-policy.ts';
import type { HistoryReplayInput, HistoryReplayResult } from '../policy/history-replay.ts';
import type { ReplayAnswer, SimulateRequest } from '../wire/replay.ts';

export interface ReplayThreadsOptions {
  /** Replays running at once, each on its own thread; by default one core is left to the event loop. */
  maxRunning?: number;
  /**
   * How long an idle thread lives: the model trained for a world is cached in its thread, so the console's second
   * replay (the proposed policy after the active one) finds it if the thread is still there.
   */
  idleTimeoutMs?: number;
}

export interface ReplayThreads {
  /** The `ReplayRunner` the API is given: rejects with `ReplayBusyError` rather than queueing. */
  run: ReplayRunner;
  /** The replay on logged history, on the same threads under the same limits: one replay of either kind per person. */
  runHistory: HistoryReplayRunner;
  /** Replays running now. */
  running(): number;
  /** Ends the threads; replays still running reject. */
  close(): Promise<void>;
}

/** Until a replay has finished, the Retry-After of a refusal assumes the console's default replay takes this long. */
const FIRST_GUESS_MS = 20_000;

export function createReplayThreads(options: ReplayThreadsOptions = {}): ReplayThreads {
  const maxRunning = options.maxRunning ?? Math.max(1, availableParallelism() - 1);
  // A JavaScript entry that registers tsx in the thread: worker threads do not inherit the loader of the process
  // (bin/fanfare.js registers it through the API, vitest through its own runner), so each thread loads it itself.
  const pool = new Piscina({
    filename: new URL('./thread-entry.js', import.meta.url).href,
    minThreads: 0,
    maxThreads: maxRunning,
    idleTimeout: options.idleTimeoutMs ?? 10 * 60_000,
  });
  const startedAt = new Map<string, number>();
  let lastDurationMs = FIRST_GUESS_MS;
  const retryAfter = (since: number) => Math.max(1, Math.ceil((lastDurationMs - (Date.now() - since)) / 1000));

  /** Runs a task on a thread for a person, refusing instead of queueing. */
  async function claim<T>(person: string, task: () => Promise<T>): Promise<T> {
    // Checked and claimed before the first await, so two requests in the same tick cannot both pass.
    const mine = startedAt.get(person);
    if (mine !== undefined) throw new ReplayBusyError('person', retryAfter(mine));
    if (startedAt.size >= maxRunning)
      throw new ReplayBusyError('capacity', retryAfter(Math.min(...startedAt.values())));
    const started = Date.now();
    startedAt.set(person, started);
    try {
      const answer = await task();
      lastDurationMs = Date.now() - started;
      return answer;
    } finally {
      startedAt.delete(person);
    }
  }

  return {
    run: (request: SimulateRequest<CapPolicy>, person: string): Promise<ReplayAnswer> =>
      claim(person, () => pool.run(request)),
    runHistory: (input: HistoryReplayInput, person: string): Promise<HistoryReplayResult> =>
      claim(person, () => pool.run(input, { name: 'historyReplay' })),
    running: () => startedAt.size,
    close: () => pool.destroy(),
  };
}
