// The commit point of senders and ledger: a gate awaited before a message's last byte, giving the step that records it.

/**
 * Called synchronously immediately before the last byte goes out. Keeping it synchronous matters: the record of the
 * commit point and the byte that completes the message leave the process in the same tick, so a crash can fall
 * between them only within microseconds, instead of within a database round trip.
 */
export type Commit = (() => void) & {
  /**
   * Gives the commit point up instead: the sender found its connection gone before the last byte, so the provider
   * cannot have the message. The row stays as it was, free for a retry at once rather than after the commit's wait.
   */
  abandon?: () => void;
};
// A Commit may throw when the record cannot be made (the ledger's connection is already known lost): the sender
// then must not send the last byte.

/**
 * Rejects to abort the message before the provider can have it; resolves with the Commit to run before the last byte.
 */
export type BeforeCommit = () => Promise<Commit | undefined>;
