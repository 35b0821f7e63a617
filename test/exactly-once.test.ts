// Each delivery protocol transition with a worker "dying" there: nothing is lost, nothing past the commit point resent.

import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../db/pool.ts';
import { type DeliverDeps, deliverDecisions } from '../delivery/deliver.ts';
import { createEmailSender } from '../delivery/email-sender.ts';
import { vapidKeys } from '../delivery/keys.ts';
import { parsePushHosts } from '../delivery/push-endpoint.ts';
import { createPushSender } from '../delivery/push-sender.ts';
import type { BeforeCommit } from '../domain/commit-point.ts';
import type { Channel } from '../domain/vocabulary.ts';
import { type PushService, startPushService } from '../peers/push-service.ts';
import { type SmtpCapture, startSmtpCapture } from '../peers/smtp-capture.ts';
import { seedAudience } from '../testing/audience.ts';
import { createTestSchema, type TestSchema } from '../testing/db.ts';
import { type DeliveryRig, decideAlerts, deliveryRig } from '../testing/deliveries.ts';

let db: TestSchema;
let smtp: SmtpCapture;
let push: PushService;
let rig: DeliveryRig;
const dead: DeliveryRig[] = [];
/** Attempts left stalled on purpose; they finish when the peers go away and must do so before the schema does. */
const stalled: Promise<unknown>[] = [];
let n = 0;

beforeAll(async () => {
  db = await createTestSchema('exactly_once');
  smtp = await startSmtpCapture();
  push = await startPushService();
  rig = await deliveryRig(db.pool, smtp, push);
});

afterAll(async () => {
  rig?.close();
  for (const d of dead) d.close();
  await smtp?.stop();
  await push?.stop();
  await Promise.race([Promise.allSettled(stalled), new Promise((r) => setTimeout(r, 2000))]);
  await db?.drop();
});

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
const never = () => new Promise<never>(() => {});

/** One fan with one push subscription and one alert decision on `channel`. */
async function oneDecision(channel: Channel) {
  const vapid = await vapidKeys(db.pool);
  const a = await seedAudience(db.pool, {
    fans: 1,
    handle: `x${++n}`,
    subscribe: () => push.createSubscription({ applicationServerKey: vapid.publicKey }).subscription,
  });
  const d = await decideAlerts(db.pool, {
    creatorId: a.creatorId,
    fanIds: a.fanIds,
    channels: [channel],
    key: `k${n}`,
  });
  return { decisionId: d[channel][0] };
}

async function row(decisionId: number) {
  const r = await db.pool.query(`select status, attempts, error_code from deliveries where decision_id = $1::bigint`, [
    decisionId,
  ]);
  return r.rows[0];
}

/**
 * The commit point's COMMIT leaves just before the last byte and is not awaited, so give PostgreSQL a moment
 * to apply it.
 */
async function settledRow(decisionId: number, status: string) {
  for (let i = 0; i < 100; i++) {
    const r = await row(decisionId);
    if (r?.status === status) return r;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return row(decisionId);
}

const arrived = (channel: Channel, mark: number) =>
  (channel === 'email' ? smtp.messages.length : push.received.length) - mark;
const markOf = (channel: Channel) => (channel === 'email' ? smtp.messages.length : push.received.length);

/**
 * A second worker with its own senders whose provider calls go through `wrap`: it can hold the commit point, fail
 * it, or "die" (never return) after the provider accepted.
 */
async function worker(
  wrap: <M extends { beforeCommit?: BeforeCommit }, R>(m: M, send: (m: M) => Promise<R>) => Promise<R>,
): Promise<DeliverDeps> {
  const w = await deliveryRig(db.pool, smtp, push);
  dead.push(w);
  return {
    ...w.deps,
    email: { send: (m) => wrap(m, (x) => w.email.send(x)) },
    push: { send: (m) => wrap(m, (x) => w.push.send(x)) },
  };
}

describe.each(['email', 'push'] as const)('%s', (channel) => {
  it('claimed → sending → sent in one attempt, once', async () => {
    const { decisionId } = await oneDecision(channel);
    const mark = markOf(channel);
    expect(await deliverDecisions(rig.deps, [decisionId])).toMatchObject({ sent: 1 });
    expect(await row(decisionId)).toEqual({ status: 'sent', attempts: 1, error_code: null });
    expect(await deliverDecisions(rig.deps, [decisionId])).toMatchObject({ sent: 0, possiblySent: 0 });
    expect(arrived(channel, mark)).toBe(1);
  });

  it('dies before the commit point: row stays claimed, provider has nothing, the next attempt sends once', async () => {
    const { decisionId } = await oneDecision(channel);
    const mark = markOf(channel);
    const reached = deferred();
    // The whole message but its last byte is on the wire, then the worker stops for good.
    const deps = await worker((m, send) =>
      send({
        ...m,
        beforeCommit: () => {
          reached.resolve();
          return never();
        },
      }),
    );
    stalled.push(deliverDecisions(deps, [decisionId]));
    await reached.promise;
    expect(await row(decisionId)).toMatchObject({ status: 'claimed', attempts: 1 });

    expect(await deliverDecisions(rig.deps, [decisionId])).toMatchObject({ sent: 1, possiblySent: 0 });
    expect(await row(decisionId)).toEqual({ status: 'sent', attempts: 2, error_code: null });
    dead.at(-1)!.close();
    await new Promise((r) => setTimeout(r, 300));
    expect(arrived(channel, mark)).toBe(1);
  });

  it('a stalled attempt that wakes after its successor claimed cannot pass the commit point', async () => {
    const { decisionId } = await oneDecision(channel);
    const mark = markOf(channel);
    const reached = deferred();
    const wake = deferred();
    let zombieError: unknown;
    const deps = await worker((m, send) =>
      send({
        ...m,
        beforeCommit: async () => {
          reached.resolve();
          await wake.promise;
          try {
            return await m.beforeCommit!();
          } catch (err) {
            zombieError = err;
            throw err;
          }
        },
      }),
    );
    const zombie = deliverDecisions(deps, [decisionId]);
    await reached.promise;
    expect(await deliverDecisions(rig.deps, [decisionId])).toMatchObject({ sent: 1 });
    wake.resolve();
    expect(await zombie).toMatchObject({ sent: 0, retry: 0, failed: 0 });
    expect(String(zombieError)).toContain('claimed by another attempt');
    expect(await row(decisionId)).toEqual({ status: 'sent', attempts: 2, error_code: null });
    await new Promise((r) => setTimeout(r, 300));
    expect(arrived(channel, mark)).toBe(1);
  });

  it('a commit point that fails (the ledger is unreachable) sends nothing and leaves it to retry', async () => {
    const { decisionId } = await oneDecision(channel);
    const mark = markOf(channel);
    const deps = await worker((m, send) =>
      send({ ...m, beforeCommit: async () => Promise.reject(new Error('connection to the database lost')) }),
    );
    expect(await deliverDecisions(deps, [decisionId])).toMatchObject({ retry: 1 });
    expect(await row(decisionId)).toMatchObject({ status: 'retry', error_code: 'unexpected' });
    await new Promise((r) => setTimeout(r, 300));
    expect(arrived(channel, mark)).toBe(0);
    expect(await deliverDecisions(rig.deps, [decisionId])).toMatchObject({ sent: 1 });
    expect(arrived(channel, mark)).toBe(1);
  });

  it('the ledger connection lost at the commit point (a PostgreSQL restart): retried, sent once', async () => {
    const { decisionId } = await oneDecision(channel);
    const mark = markOf(channel);
    // The attempt's own pool, whose connection holding the commit point's open transaction the server ends.
    const senderPool = createPool(db.connectionString, 4, { log: () => undefined });
    try {
      const deps = await worker((m, send) =>
        send({
          ...m,
          beforeCommit: async () => {
            const commit = await m.beforeCommit!();
            // This attempt's session only: the server is shared with other databases and other tests' sessions.
            const cut = await db.pool.query(
              `select pg_terminate_backend(pid) as done from pg_stat_activity
                where datname = current_database() and state = 'idle in transaction'
                  and query like '%set status = ''sending''%' and query like $1::text`,
              [`%decision_id = ${decisionId}::bigint%`],
            );
            expect(cut.rows).toEqual([{ done: true }]);
            await new Promise((r) => setTimeout(r, 500)); // the server's goodbye reaches the idle client
            return commit;
          },
        }),
      );
      const report = await deliverDecisions({ ...deps, pool: senderPool }, [decisionId]);
      await new Promise((r) => setTimeout(r, 300));
      if (channel === 'push') {
        // The commit throws CommitLostError and the last byte is held back: nothing reached the service, and the row
        // is not 'possibly_sent' (which would never be resent) but left to retry, without spending the attempt.
        expect(report).toMatchObject({ sent: 0, retry: 1, possiblySent: 0 });
        expect(await row(decisionId)).toEqual({ status: 'retry', attempts: 0, error_code: 'commit_lost' });
        expect(arrived(channel, mark)).toBe(0);
        expect(await deliverDecisions(rig.deps, [decisionId])).toMatchObject({ sent: 1 });
      } else {
        // The final dot is already being emitted when the commit finds the connection lost: the server's 250 settles.
        expect(report).toMatchObject({ sent: 1, possiblySent: 0 });
      }
      expect(await row(decisionId)).toMatchObject({ status: 'sent', error_code: null });
      await new Promise((r) => setTimeout(r, 300));
      expect(arrived(channel, mark)).toBe(1);
    } finally {
      await senderPool.end();
    }
  });

  it('dies after the provider accepted, before the ledger write: possibly_sent, never resent', async () => {
    const { decisionId } = await oneDecision(channel);
    const mark = markOf(channel);
    const accepted = deferred();
    const finish = deferred();
    const deps = await worker(async (m, send) => {
      const result = await send(m);
      accepted.resolve();
      await finish.promise; // the process is gone: no settle follows
      return result;
    });
    const zombie = deliverDecisions(deps, [decisionId]);
    await accepted.promise;
    expect(await settledRow(decisionId, 'sending')).toMatchObject({ status: 'sending' });
    expect(arrived(channel, mark)).toBe(1);

    expect(await deliverDecisions(rig.deps, [decisionId])).toMatchObject({ sent: 0, possiblySent: 1 });
    expect(await row(decisionId)).toMatchObject({ status: 'possibly_sent', error_code: 'interrupted' });
    expect(await deliverDecisions(rig.deps, [decisionId])).toMatchObject({ sent: 0, possiblySent: 0 });
    expect(arrived(channel, mark)).toBe(1);

    // If the stalled attempt does come back, it knows the provider's answer and records the truth.
    finish.resolve();
    expect(await zombie).toMatchObject({ sent: 1 });
    expect(await row(decisionId)).toMatchObject({ status: 'sent', error_code: null });
    expect(arrived(channel, mark)).toBe(1);
  });

  it('dies after the commit point, then the fan opts out: still possibly_sent, not left sending', async () => {
    const { decisionId } = await oneDecision(channel);
    const accepted = deferred();
    const deps = await worker(async (m, send) => {
      const result = await send(m);
      accepted.resolve();
      return never().then(() => result);
    });
    stalled.push(deliverDecisions(deps, [decisionId]));
    await accepted.promise;
    const column = channel === 'email' ? 'email_enabled' : 'push_enabled';
    await db.pool.query(
      `update preferences set ${column} = false where fan_id = (select fan_id from decisions where id = $1::bigint)`,
      [decisionId],
    );
    expect(await deliverDecisions(rig.deps, [decisionId])).toMatchObject({ skipped: 0, possiblySent: 1 });
    expect(await row(decisionId)).toMatchObject({ status: 'possibly_sent', error_code: 'interrupted' });
  });
});

describe('the connection drops after the commit point, before the answer', () => {
  it('email: the server took it, the reply never came: possibly_sent, not retried', async () => {
    // A capture that cuts the client off the moment it has recorded a message, before its 250 goes out.
    const sockets = new Set<Socket>();
    let cut = false;
    const capture = await startSmtpCapture({
      onMessage: () => {
        cut = true;
        for (const s of sockets) s.destroy();
      },
    });
    const proxy = createServer((client) => {
      sockets.add(client);
      const upstream = connect(capture.port, capture.host);
      client.on('data', (d) => upstream.write(d));
      upstream.on('data', (d) => {
        if (!cut) client.write(d);
      });
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.on('error', () => undefined);
      upstream.on('error', () => undefined);
    });
    proxy.listen(0, '127.0.0.1');
    await new Promise((r) => proxy.once('listening', r));
    const email = createEmailSender({
      host: '127.0.0.1',
      port: (proxy.address() as AddressInfo).port,
      from: 'Fanfare <notify@mail.fanfare.test>',
    });
    try {
      const { decisionId } = await oneDecision('email');
      cut = false;
      const report = await deliverDecisions({ ...rig.deps, email }, [decisionId]);
      expect(report).toMatchObject({ sent: 0, retry: 0, possiblySent: 1 });
      // nodemailer's pool either fails the message or streams it again on a fresh connection, where the second pass
      // through the commit point is refused; both end here.
      const settled = await row(decisionId);
      expect(settled.status).toBe('possibly_sent');
      expect(['smtp_connection_failed', 'transport_retried']).toContain(settled.error_code);
      expect(capture.messages.length).toBe(1);
      expect(await deliverDecisions(rig.deps, [decisionId])).toMatchObject({ sent: 0, possiblySent: 0 });
      expect(capture.messages.length).toBe(1);
    } finally {
      email.close();
      proxy.close();
      await capture.stop();
    }
  });

  it('push: a connection found closed after the commit point, before the last byte: retried, sent once', async () => {
    // As when a reused keep-alive connection was closed by the service while idle: the head went into a connection
    // the service no longer reads, and the gate answers before the sender has heard of the close.
    const sockets = new Set<Socket>();
    class TrackingAgent extends https.Agent {
      override createConnection(...args: Parameters<https.Agent['createConnection']>) {
        const socket = super.createConnection(...args) as Socket;
        sockets.add(socket);
        return socket;
      }
    }
    const agent = new TrackingAgent({ ca: push.caCertPem, keepAlive: true });
    const vapid = await vapidKeys(db.pool);
    const pushSender = createPushSender({
      vapidPublicKey: vapid.publicKey,
      vapidPrivateKey: vapid.privateKey,
      subject: 'mailto:push@fanfare.test',
      agent,
      endpoints: { hosts: parsePushHosts(push.allowEntry) },
    });
    try {
      const { decisionId } = await oneDecision('push');
      const mark = markOf('push');
      const cutting: DeliverDeps = {
        ...rig.deps,
        push: {
          send: (m) =>
            pushSender.send({
              ...m,
              beforeCommit: async () => {
                const commit = await m.beforeCommit!();
                for (const s of sockets) s.destroy();
                return commit;
              },
            }),
        },
      };
      expect(await deliverDecisions(cutting, [decisionId])).toMatchObject({ sent: 0, retry: 1, possiblySent: 0 });
      expect(await row(decisionId)).toMatchObject({ status: 'retry', error_code: 'push_connection_failed' });
      await new Promise((r) => setTimeout(r, 300));
      expect(arrived('push', mark)).toBe(0);
      expect(await deliverDecisions(rig.deps, [decisionId])).toMatchObject({ sent: 1 });
      await new Promise((r) => setTimeout(r, 300));
      expect(arrived('push', mark)).toBe(1);
    } finally {
      agent.destroy();
    }
  });

  it.each(['email', 'push'] as const)(
    '%s: a provider permit whose release fails after the provider took the message: still settled sent',
    async (channel) => {
      const { decisionId } = await oneDecision(channel);
      const mark = markOf(channel);
      const gate = {
        acquire: async () => ({
          release: async () => {
            throw new Error('the database system is shutting down');
          },
        }),
      };
      const report = await deliverDecisions({ ...rig.deps, providers: { gate, smtp: 'smtp:test' } }, [decisionId]);
      expect(report).toMatchObject({ sent: 1 });
      expect(await row(decisionId)).toMatchObject({ status: 'sent', error_code: null });
      await new Promise((r) => setTimeout(r, 300));
      expect(arrived(channel, mark)).toBe(1);
    },
  );

  it('a failure of one delivery loop waits for the sends still in flight before it is passed on', async () => {
    const first = await oneDecision('email');
    const second = await oneDecision('email');
    const mark = markOf('email');
    const holding = deferred();
    const hold = deferred();
    const w = await worker(async (m, send) => {
      holding.resolve();
      await hold.promise; // in flight while the other loop fails
      return send(m);
    });
    let calls = 0;
    const gate = {
      acquire: async () => {
        calls += 1;
        if (calls === 1) return { release: async () => ({ outage: false }) };
        await holding.promise;
        throw new Error('connect ECONNREFUSED: the ledger is unreachable');
      },
    };
    let settled = false;
    const delivery = deliverDecisions({ ...w, concurrency: 2, providers: { gate, smtp: 'smtp:test' } }, [
      first.decisionId,
      second.decisionId,
    ]).finally(() => {
      settled = true;
    });
    delivery.catch(() => undefined);
    await holding.promise;
    await new Promise((r) => setTimeout(r, 300));
    // Rejecting now would let a retry claim the rows while the first message is still being sent.
    expect(settled).toBe(false);
    hold.resolve();
    await expect(delivery).rejects.toThrow('the ledger is unreachable');
    const rows = [await row(first.decisionId), await row(second.decisionId)].map((r) => r.status).sort();
    expect(rows).toEqual(['claimed', 'sent']);
    expect(arrived('email', mark)).toBe(1);
  });

  it('push: the service took it, the reply never came: possibly_sent, never resent', async () => {
    const sockets = new Set<Socket>();
    // Destroys the client side of every connection the moment the service has recorded the push, before it replies.
    const service = await startPushService({
      onPush: () => {
        for (const s of sockets) s.destroy();
      },
    });
    class CuttingAgent extends https.Agent {
      override createConnection(...args: Parameters<https.Agent['createConnection']>) {
        const socket = super.createConnection(...args) as Socket;
        sockets.add(socket);
        return socket;
      }
    }
    const agent = new CuttingAgent({ ca: service.caCertPem });
    const vapid = await vapidKeys(db.pool);
    const pushSender = createPushSender({
      vapidPublicKey: vapid.publicKey,
      vapidPrivateKey: vapid.privateKey,
      subject: 'mailto:push@fanfare.test',
      agent,
      endpoints: { hosts: parsePushHosts(service.allowEntry) },
    });
    try {
      const a = await seedAudience(db.pool, {
        fans: 1,
        handle: `cut${++n}`,
        subscribe: () => service.createSubscription({ applicationServerKey: vapid.publicKey }).subscription,
      });
      const d = await decideAlerts(db.pool, {
        creatorId: a.creatorId,
        fanIds: a.fanIds,
        channels: ['push'],
        key: `cut${n}`,
      });
      const report = await deliverDecisions({ ...rig.deps, push: pushSender }, d.push);
      expect(report).toMatchObject({ sent: 0, retry: 0, possiblySent: 1 });
      expect(await row(d.push[0])).toMatchObject({ status: 'possibly_sent', error_code: 'push_connection_failed' });
      expect(service.received.length).toBe(1);
      expect(await deliverDecisions({ ...rig.deps, push: pushSender }, d.push)).toMatchObject({
        sent: 0,
        possiblySent: 0,
      });
      expect(service.received.length).toBe(1);
    } finally {
      agent.destroy();
      await service.stop();
    }
  });
});
