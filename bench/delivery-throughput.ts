// Sustained emails/s and pushes/s through deliverDecisions (real PostgreSQL and peers) and which side ran out of CPU.
//
//   npx tsx bench/delivery-throughput.ts [messages per run, default 2000]
// Uses TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/fanfare_test) with a scratch schema.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { backendPids } from '../db/databases.ts';
import { createPool } from '../db/pool.ts';
import { type DeliverDeps, deliverDecisions } from '../delivery/deliver.ts';
import { createEmailSender } from '../delivery/email-sender.ts';
import { vapidKeys } from '../delivery/keys.ts';
import { createLinks } from '../delivery/links.ts';
import { parsePushHosts } from '../delivery/push-endpoint.ts';
import { createPushSender, type PushSubscriptionJson } from '../delivery/push-sender.ts';
import { createTokenSigner } from '../delivery/tokens.ts';
import type { Channel } from '../domain/vocabulary.ts';
import { seedAudience } from '../testing/audience.ts';
import { createTestSchema } from '../testing/db.ts';
import { decideAlerts } from '../testing/deliveries.ts';
import { ask, forkDeliveryPeers } from './peer-process.ts';

const PER_RUN = Number(process.argv[2] ?? 2000);
/** What dispatchSlot hands deliverDue at a time. */
const BATCH = 200;
const SETTINGS = [
  { concurrency: 8, smtpConnections: 5 },
  { concurrency: 32, smtpConnections: 16 },
];

/** Busy and total jiffies of the whole machine, to see what PostgreSQL and everything else used. */
function machineCpu(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + f[4];
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

type Stats = { cpu: NodeJS.CpuUsage; mails: number; pushes: number };

const TICKS_PER_SECOND = 100;

/** CPU seconds used so far by the PostgreSQL backends serving this pool (they run on this machine). */
async function postgresCpuSeconds(pool: import('../db/pool.ts').Pool): Promise<Map<number, number>> {
  const used = new Map<number, number>();
  for (const pid of await backendPids(pool, 'fanfare_bench')) {
    try {
      // Fields after the ")" that closes the command name: utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      used.set(pid, (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND);
    } catch {
      // The backend exited between the query and the read.
    }
  }
  return used;
}

function cpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, s] of after) total += s - (before.get(pid) ?? 0);
  return total;
}

/** A Markdown table row of these cells. */
function tableRow(cells: (string | number)[]): string {
  return `| ${cells.join(' | ')} |`;
}

async function main(): Promise<void> {
  const { peers: child, ready } = await forkDeliveryPeers();
  const scratch = await createTestSchema('bench_delivery');
  // Its own pool, named, so the PostgreSQL backends serving the benchmark can be found and their CPU read.
  const url = new URL(scratch.connectionString);
  url.searchParams.set('application_name', 'fanfare_bench');
  const db = {
    pool: createPool(url.toString(), 16),
    drop: async () => {
      await db.pool.end();
      await scratch.drop();
    },
  };
  const vapid = await vapidKeys(db.pool);
  const fans = PER_RUN * SETTINGS.length;
  const { subscriptions } = await ask<{ subscriptions: PushSubscriptionJson[] }>(child, {
    op: 'subscribe',
    count: fans,
    applicationServerKey: vapid.publicKey,
  });
  const audience = await seedAudience(db.pool, { fans, handle: 'bench', subscribe: (i) => subscriptions[i] });
  const agent = new https.Agent({ ca: ready.caCertPem, keepAlive: true, maxSockets: 64 });
  const signer = createTokenSigner([{ kid: 'b1', secret: 'benchmark-secret-0123456789abcdefghij' }]);
  const links = createLinks({ publicUrl: 'https://fanfare.test', mailDomain: 'mail.fanfare.test', signer });
  const push = createPushSender({
    vapidPublicKey: vapid.publicKey,
    vapidPrivateKey: vapid.privateKey,
    subject: 'mailto:bench@fanfare.test',
    agent,
    endpoints: { hosts: parsePushHosts(new URL(subscriptions[0]!.endpoint).host) },
  });
  const cores = (await import('node:os')).availableParallelism();
  console.log(
    `delivery throughput: ${PER_RUN} messages per run, batches of ${BATCH}, ${cores} cores, Node ${process.version}`,
  );

  const rows: string[] = [];
  for (const [i, s] of SETTINGS.entries()) {
    const email = createEmailSender({
      host: ready.smtp.host,
      port: ready.smtp.port,
      from: 'Fanfare <bench@mail.fanfare.test>',
      maxConnections: s.smtpConnections,
    });
    const deps: DeliverDeps = {
      pool: db.pool,
      email,
      push,
      messageIdDomain: 'mail.fanfare.test',
      links,
      listId: '<bench.mail.fanfare.test>',
      concurrency: s.concurrency,
    };
    const slice = audience.fanIds.slice(i * PER_RUN, (i + 1) * PER_RUN);
    for (const channel of ['email', 'push'] as Channel[]) {
      const decided = await decideAlerts(db.pool, {
        creatorId: audience.creatorId,
        fanIds: slice,
        channels: [channel],
        key: `bench-${i}-${channel}`,
      });
      const ids = decided[channel];
      await ask(child, { op: 'clear' });
      const before = await ask<Stats>(child, { op: 'stats' });
      const machineBefore = machineCpu();
      const pgBefore = await postgresCpuSeconds(db.pool);
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      let sent = 0;
      for (let at = 0; at < ids.length; at += BATCH)
        sent += (await deliverDecisions(deps, ids.slice(at, at + BATCH))).sent;
      const seconds = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpuBefore);
      const after = await ask<Stats>(child, { op: 'stats' });
      const pg = cpuDelta(pgBefore, await postgresCpuSeconds(db.pool)) / seconds;
      const machine = machineCpu();
      const worker = (cpu.user + cpu.system) / 1e6 / seconds;
      const peer = (after.cpu.user - before.cpu.user + after.cpu.system - before.cpu.system) / 1e6 / seconds;
      const busy = ((machine.busy - machineBefore.busy) / (machine.total - machineBefore.total)) * cores;
      const arrived = channel === 'email' ? after.mails - before.mails : after.pushes - before.pushes;
      if (sent !== ids.length || arrived !== ids.length)
        throw new Error(`${channel}: sent ${sent}, peer got ${arrived}, expected ${ids.length}`);
      // CPU milliseconds per message say which side saturates first on equal cores, whatever else shares the machine.
      const perMessage = (coresUsed: number) => (coresUsed * seconds * 1000) / ids.length;
      const costs = { worker: perMessage(worker), peer: perMessage(peer), postgres: perMessage(pg) };
      const first = (Object.entries(costs) as [string, number][]).sort((a, b) => b[1] - a[1])[0][0];
      const limit =
        worker >= 0.9
          ? 'worker CPU'
          : peer >= 0.9
            ? 'peer CPU'
            : busy >= cores * 0.9
              ? `machine saturated; ${first} costs most per message`
              : `latency (no side saturated); ${first} costs most per message`;
      const row = tableRow([
        channel,
        s.concurrency,
        channel === 'email' ? s.smtpConnections : '-',
        ids.length,
        `**${(ids.length / seconds).toFixed(0)}/s**`,
        `${worker.toFixed(2)} (${costs.worker.toFixed(2)} ms)`,
        `${peer.toFixed(2)} (${costs.peer.toFixed(2)} ms)`,
        `${pg.toFixed(2)} (${costs.postgres.toFixed(2)} ms)`,
        busy.toFixed(2),
        limit,
      ]);
      console.log(row);
      rows.push(row);
    }
    email.close();
  }
  console.log(
    `\nload average at the end: ${(await import('node:os'))
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    tableRow([
      'Channel',
      'DELIVERY_CONCURRENCY',
      'SMTP_MAX_CONNECTIONS',
      'Messages',
      'Throughput',
      'Worker CPU, cores (per message)',
      'Peer CPU',
      'PostgreSQL CPU',
      'Machine busy, cores',
      'Limit',
    ]),
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(r);
  agent.destroy();
  await ask(child, { op: 'stop' });
  await db.drop();
}

await main();
