// A replay refused because one is already running for the same person, or because every replay thread is taken.

/** Who holds the place a refused replay wanted: the same person's running replay, or the machine's last thread. */
export type ReplayBusyReason = 'person' | 'capacity';

/** What a replay runner throws instead of queueing: the API answers 429 with `Retry-After`. */
export class ReplayBusyError extends Error {
  constructor(
    readonly reason: ReplayBusyReason,
    /** When the running replay that blocks this one is expected to end. */
    readonly retryAfterSeconds: number,
  ) {
    super(reason === 'person' ? 'one replay at a time per person' : 'every replay thread is busy: try again shortly');
    this.name = 'ReplayBusyError';
  }
}
