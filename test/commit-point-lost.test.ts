// The ledger's connection lost at the commit point (a PostgreSQL restart): the process lives on, and the message is
// not finished, because the row it would have recorded as 'sending' is back to 'claimed' and will be resent.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CommitLostError, claimDeliveries, passCommitPoint } from '../db/deliveries.ts';
import { createPool, type Pool } from '../db/pool.ts';
import { seedAudience } from '../testing/audience.ts';
import { createTestSchema, type TestSchema } from '../testing/db.ts';
import { decideAlerts } from '../testing/deliveries.ts';

let db: TestSchema;
/** The sender's own pool, whose connection is cut; the test's pool watches from outside. */
let senderPool: Pool;

beforeAll(async () => {
  db = await createTestSchema('commit_point_lost');
  senderPool = createPool(db.connectionString, 2, { log: () => undefined });
});

afterAll(async () => {
  await senderPool?.end();
  await db?.drop();
});

it('a connection cut between the commit point and COMMIT throws CommitLostError instead of crashing', async () => {
  const audience = await seedAudience(db.pool, { fans: 1, noPush: [0], subscribe: () => ({}) as never });
  const { email } = await decideAlerts(db.pool, {
    creatorId: audience.creatorId,
    fanIds: audience.fanIds,
    channels: ['email'],
    key: 'lost',
  });
  const [decisionId] = email;
  await claimDeliveries(db.pool, 'attempt-1', [{ decisionId, channel: 'email' }]);
  const commit = await passCommitPoint(senderPool, 'attempt-1', decisionId, 'email');

  // The server ends the session holding the open transaction, as a restart does (57P01 on that connection).
  const cut = await db.pool.query(
    `select pg_terminate_backend(pid) as done from pg_stat_activity
      where datname = current_database() and state = 'idle in transaction' and query like '%set status = ''sending''%'`,
  );
  expect(cut.rows).toEqual([{ done: true }]);
  // The server's goodbye reaches the idle client as an 'error' event; unheard, it would stop the process.
  await new Promise((resolve) => setTimeout(resolve, 500));

  expect(() => commit()).toThrow(CommitLostError);
  const row = await db.pool.query(`select status from deliveries where decision_id = $1`, [decisionId]);
  expect(row.rows).toEqual([{ status: 'claimed' }]);
  // The sender's pool still serves queries: the dead client was discarded, not handed out again.
  expect((await senderPool.query('select 1 as ok')).rows).toEqual([{ ok: 1 }]);
});
