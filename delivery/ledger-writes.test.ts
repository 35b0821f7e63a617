// A settlement that meets a database blip is written once the database answers again, within its budget.
import { describe, expect, it } from 'vitest';
import { untilWritten } from './ledger-writes.ts';

describe('untilWritten', () => {
  it('tries again with doubling waits until the write goes through', async () => {
    const waits: number[] = [];
    let calls = 0;
    await untilWritten(
      async () => {
        calls++;
        if (calls < 4) throw new Error('Connection terminated unexpectedly');
      },
      60_000,
      async (ms) => waits.push(ms),
    );
    expect(calls).toBe(4);
    expect(waits).toEqual([250, 500, 1_000]);
  });

  it('gives up with the last error once the budget is spent', async () => {
    let calls = 0;
    const failing = untilWritten(
      async () => {
        calls++;
        throw new Error(`down ${calls}`);
      },
      50,
      async () => {},
    );
    await expect(failing).rejects.toThrow('down 1');
    expect(calls).toBe(1);
  });
});
