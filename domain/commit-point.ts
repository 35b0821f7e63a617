// The commit point of senders and ledger: a gate awaited before a message's last byte, giving the step that records it.

/**
 * Called synchronously immediately before the last byte goes out. Keeping it synchronous matters: the record of the
 * commit point and the byte that completes the message leave the process in the same tick, so a crash can fall
 * between them only within microseconds, instead of within a database round trip.
 */
export type Commit = () => void;
// A Commit may throw when the record cannot be made (the ledger's connection is already known lost): the sender
// then must not send the last byte.

/**
 * Rejects to abort the message before the provider can have it; resolves with the Commit to run before the last byte.
 */
export type BeforeCommit = () => Promise<Commit | undefined>;
