// Writes of the ledger that must outlast a database blip: a provider's answer that is not recorded gets resent.
import { setTimeout as sleep } from 'node:timers/promises';

/** How long a settlement keeps trying: longer than a PostgreSQL restart or failover. */
export const SETTLE_BUDGET_MS = 120_000;

/**
 * Runs an idempotent ledger write until it succeeds, waiting 250 ms doubling to 5 s between tries, for at most
 * `budgetMs`; then throws its last error. A settlement lost to a restarted database would leave its row 'claimed' (or
 * rolled back to it, when the commit point's COMMIT died with the connection), and the next pass would resend a
 * message the provider already took.
 */
export async function untilWritten(
  write: () => Promise<void>,
  budgetMs = SETTLE_BUDGET_MS,
  wait: (ms: number) => Promise<unknown> = sleep,
): Promise<void> {
  const deadline = Date.now() + budgetMs;
  for (let delayMs = 250; ; delayMs = Math.min(delayMs * 2, 5_000)) {
    try {
      await write();
      return;
    } catch (err) {
      if (Date.now() + delayMs > deadline) throw err;
      await wait(delayMs);
    }
  }
}
