// What the shared per-provider limits cost: emails/s and worker CPU per email through deliverDecisions, with and
// without the provider gate (three more PostgreSQL round trips per message), limits high enough never to bind.
//
//   npx tsx bench/backpressure-overhead.ts [emails per run, default 1000] [rounds, default 2]
// Uses TEST_DATABASE_URL with a scratch schema; the SMTP capture runs in this process (its CPU is counted too, the
// same in both modes).
import { createProviderGate } from '../delivery/backpressure.ts';
import { type DeliverDeps, deliverDecisions } from '../delivery/deliver.ts';
import { smtpProvider } from '../delivery/provider-limits.ts';
import { startPushService } from '../peers/push-service.ts';
import { startSmtpCapture } from '../peers/smtp-capture.ts';
import { seedAudience } from '../testing/audience.ts';
import { createTestSchema } from '../testing/db.ts';
import { decideAlerts, deliveryRig } from '../testing/deliveries.ts';

const PER_RUN = Number(process.argv[2] ?? 1000);
const ROUNDS = Number(process.argv[3] ?? 2);
const BATCH = 200;

const db = await createTestSchema('bench_backpressure');
const smtp = await startSmtpCapture();
const push = await startPushService();
try {
  const audience = await seedAudience(db.pool, {
    fans: PER_RUN,
    noPush: [...Array(PER_RUN).keys()],
    subscribe: () => ({}) as never,
  });
  const rig = await deliveryRig(db.pool, smtp, push, 8);
  const gated: DeliverDeps = {
    ...rig.deps,
    providers: {
      gate: createProviderGate({
        pool: db.pool,
        limits: { defaults: { concurrency: 1000, ratePerSecond: null }, overrides: new Map() },
      }),
      smtp: smtpProvider(smtp.host, smtp.port),
    },
  };
  let key = 0;
  const rows: string[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [mode, deps] of [
      ['without gate', rig.deps],
      ['with gate', gated],
    ] as const) {
      const { email } = await decideAlerts(db.pool, {
        creatorId: audience.creatorId,
        fanIds: audience.fanIds,
        channels: ['email'],
        key: `bench-${++key}`,
      });
      smtp.clear();
      const cpu = process.cpuUsage();
      const started = performance.now();
      let sent = 0;
      for (let i = 0; i < email.length; i += BATCH)
        sent += (await deliverDecisions(deps, email.slice(i, i + BATCH))).sent;
      const seconds = (performance.now() - started) / 1000;
      const used = process.cpuUsage(cpu);
      const msPerEmail = (used.user + used.system) / 1000 / sent;
      rows.push(`| ${round} | ${mode} | ${sent} | ${(sent / seconds).toFixed(0)} | ${msPerEmail.toFixed(2)} |`);
      process.stderr.write(`${rows.at(-1)}\n`);
    }
  }
  rig.close();
  process.stdout.write(
    [
      '| round | mode | emails | emails/s | process CPU ms per email |',
      '| --- | --- | --- | --- | --- |',
      ...rows,
    ].join('\n'),
  );
  process.stdout.write('\n');
} finally {
  await smtp.stop();
  await push.stop();
  await db.drop();
}
