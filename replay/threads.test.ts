// The replay on worker threads: the same answer and the same errors as in process, one per person, a bounded number.
import { afterAll, describe, expect, it } from 'vitest';
import { ReplayBusyError } from '../domain/replay-busy.ts';
import { type CapPolicy, DEFAULT_CAP_POLICY } from '../policy/cap-policy.ts';
import { historyReplay } from '../policy/history-replay.ts';
import type { SimulateRequest } from '../wire/replay.ts';
import { runConsoleReplay } from './console.ts';
import { createReplayThreads } from './threads.ts';

const SMALL: SimulateRequest<CapPolicy> = {
  policy: DEFAULT_CAP_POLICY,
  days: 2,
  world: { seed: 4, fans: 120, creators: 5 },
};
const threads = createReplayThreads({ maxRunning: 2 });

afterAll(async () => {
  await threads.close();
});

async function refusal(promise: Promise<unknown>): Promise<ReplayBusyError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ReplayBusyError);
  return err as ReplayBusyError;
}

describe('replay threads', () => {
  it('answer exactly what the in-process replay answers for the same request', async () => {
    const threaded = await threads.run(SMALL, 'mia');
    expect(threaded).toEqual(await runConsoleReplay(SMALL));
    expect(threaded.outcomes.map((o) => o.policy)).toEqual(['send_everything_now', 'caps_only_fcfs', 'policy']);
    expect(threads.running()).toBe(0);
  });

  it("bring back the replay's error with its message", async () => {
    // Past the API's validator, a world the simulator refuses: the thread's error must reach the caller.
    const bad = { ...SMALL, world: { ...SMALL.world, creators: -3 } };
    const inProcess = await runConsoleReplay(bad).then(
      () => new Error('no error'),
      (e: Error) => e,
    );
    expect(inProcess.message).toMatch(/creators/);
    await expect(threads.run(bad, 'mia')).rejects.toThrow(inProcess.message);
    expect(threads.running()).toBe(0);
  });

  it('refuse a second replay of the same person, and any replay beyond the limit, until one ends', async () => {
    const first = threads.run(SMALL, 'mia');
    const again = await refusal(threads.run(SMALL, 'mia'));
    expect(again.reason).toBe('person');
    expect(again.message).toBe('one replay at a time per person');
    expect(again.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    const other = threads.run(SMALL, 'noah');
    expect(threads.running()).toBe(2);
    const third = await refusal(threads.run(SMALL, 'ava'));
    expect(third.reason).toBe('capacity');
    await Promise.all([first, other]);
    expect(threads.running()).toBe(0);
    // Once hers has ended, the same person may run another.
    expect((await threads.run(SMALL, 'mia')).events).toBeGreaterThan(0);
  });

  it('run the replay on logged history as in process, under the same one-per-person limit', async () => {
    const input = {
      logged: [],
      fans: 3,
      days: 2,
      current: DEFAULT_CAP_POLICY,
      proposed: DEFAULT_CAP_POLICY,
      resamples: 20,
      seed: 1,
    };
    expect(await threads.runHistory(input, 'mia')).toEqual(historyReplay(input));
    const simulated = threads.run(SMALL, 'liam');
    const refused = await refusal(threads.runHistory(input, 'liam'));
    expect(refused.reason).toBe('person');
    await simulated;
    expect(threads.running()).toBe(0);
  });
});
