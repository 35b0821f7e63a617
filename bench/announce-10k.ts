// Times POST /api/events to the last delivery for 10,000 fans (an email and a push each), on embedded defaults.
// It measures the pipeline (workflows, ledger, senders, peers) under the baseline "send now on every enabled channel":
// the dev database's active model, if any, is retired for the run (no model means the baseline) and restored after.
// Run: npx tsx bench/announce-10k.ts [fans]

import { restoreModel, retireActiveModel } from '../db/fixtures.ts';
import { createPool } from '../db/pool.ts';
import { startDevStack } from '../dev/run-dev.ts';
import { seedAudience } from '../testing/audience.ts';
import { creatorAuthorization } from '../testing/creator-keys.ts';

const FANS = Number(process.argv[2] ?? 10_000);
const stack = await startDevStack({ fans: 200, creators: 5, seed: 1, log: () => {} });
const pool = createPool(stack.config.databaseUrl!, 4);
const retired = await retireActiveModel(pool);
try {
  const handle = `bench${Date.now()}`;
  const seeded = await seedAudience(pool, { fans: FANS, handle, subscribe: () => stack.subscribe() });
  const authorization = await creatorAuthorization(pool, seeded.creatorId, 'bench');
  const before = { mails: stack.mails.length, pushes: stack.pushes.length };
  const t0 = performance.now();
  const res = await fetch(`${stack.apiUrl}/api/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({
      creatorId: seeded.creatorId,
      kind: 'post',
      title: 'Benchmark post',
      url: 'https://example.com/bench',
      audience: 'all',
      idempotencyKey: handle,
    }),
  });
  if (res.status !== 201) throw new Error(`POST /api/events answered ${res.status}: ${await res.text()}`);
  const mails = () => stack.mails.length - before.mails;
  const pushes = () => stack.pushes.length - before.pushes;
  let lastLog = 0;
  while (mails() < FANS || pushes() < FANS) {
    await new Promise((r) => setTimeout(r, 20));
    const s = (performance.now() - t0) / 1000;
    if (s - lastLog >= 5) {
      lastLog = s;
      process.stderr.write(`${s.toFixed(0)} s: ${mails()} mails, ${pushes()} pushes\n`);
    }
    if (s > 900) throw new Error('gave up after 900 s');
  }
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(
    `announce ${FANS} fans: POST /api/events to the last of ${FANS} emails and ${FANS} pushes ` +
      `in ${seconds.toFixed(1)} s (${((2 * FANS) / seconds).toFixed(0)} deliveries/s)\n`,
  );
} finally {
  if (retired !== null) await restoreModel(pool, retired);
  await pool.end();
  await stack.stop();
}
