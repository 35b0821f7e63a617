// Push endpoints that are safe to call: refused at registration over HTTP, and never contacted at send time.
import { createECDH, randomBytes } from 'node:crypto';
import type { LookupAddress } from 'node:dns';
import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverDecisions } from '../delivery/deliver.ts';
import { vapidKeys } from '../delivery/keys.ts';
import { ENDPOINT_RULES, KEY_RULES, type PushEndpointPolicy, parsePushHosts } from '../delivery/push-endpoint.ts';
import { createPushSender, type PushSender, type PushSubscriptionJson } from '../delivery/push-sender.ts';
import { createHttpApp, type HttpApp } from '../http/app.ts';
import { registerFanRoutes } from '../http/fan-routes.ts';
import { type PushService, startPushService } from '../peers/push-service.ts';
import { type SmtpCapture, startSmtpCapture } from '../peers/smtp-capture.ts';
import { type SeededAudience, seedAudience } from '../testing/audience.ts';
import { createTestSchema, type TestSchema } from '../testing/db.ts';
import { type DeliveryRig, decideAlerts, deliveryRig, TEST_TRACKING_KEYS } from '../testing/deliveries.ts';

let db: TestSchema;
let smtp: SmtpCapture;
let push: PushService;
let rig: DeliveryRig;
let app: HttpApp;
let api: string;
let audience: SeededAudience;
/** A plain TCP listener on loopback that counts who connects: a stand-in for an internal service. */
let internal: net.Server;
let internalPort: number;
const connections: net.Socket[] = [];
const seeded: PushSubscriptionJson[] = [];

/** Names the tests resolve: one public, two that a DNS change has pointed inside. */
const DNS: Record<string, string[]> = {
  'push.public.test': ['93.184.216.34'],
  'rebind.test': ['127.0.0.1'],
  'metadata.test': ['93.184.216.34', '169.254.169.254'],
};
const resolve = async (hostname: string): Promise<LookupAddress[]> => {
  const addresses = DNS[hostname];
  if (!addresses) throw Object.assign(new Error(`${hostname}: not found`), { code: 'ENOTFOUND' });
  return addresses.map((address) => ({ address, family: 4 }));
};

beforeAll(async () => {
  db = await createTestSchema('push_endpoints');
  smtp = await startSmtpCapture();
  push = await startPushService();
  rig = await deliveryRig(db.pool, smtp, push);
  internal = net.createServer((socket) => {
    connections.push(socket);
    socket.destroy();
  });
  internal.listen(0, '127.0.0.1');
  await once(internal, 'listening');
  internalPort = (internal.address() as AddressInfo).port;
  const vapid = await vapidKeys(db.pool);
  audience = await seedAudience(db.pool, {
    fans: 4,
    noPush: [2, 3],
    subscribe: (i) => {
      seeded[i] = push.createSubscription({ applicationServerKey: vapid.publicKey }).subscription;
      return seeded[i]!;
    },
  });
  app = await createHttpApp();
  // Any public host may be registered here, so that the address rules, not the allow-list, are what refuses.
  registerFanRoutes(app, {
    pool: db.pool,
    now: () => new Date(),
    trackingKeys: TEST_TRACKING_KEYS,
    log: () => {},
    pushEndpoints: { hosts: parsePushHosts(`*,${push.allowEntry}`), resolve },
  });
  api = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app?.close();
  internal?.close();
  rig?.close();
  await smtp?.stop();
  await push?.stop();
  await db?.drop();
});

const register = async (fan: number, body: unknown) => {
  const token = rig.signer.sign({
    purpose: 'preferences',
    fanId: audience.fanIds[fan]!,
    expiresAt: new Date(Date.now() + 60_000),
  });
  const res = await fetch(`${api}/api/push/subscriptions?token=${token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as { errors?: { field: string; rule: string }[] } };
};
const browserKeys = () => ({
  p256dh: createECDH('prime256v1').generateKeys().toString('base64url'),
  auth: randomBytes(16).toString('base64url'),
});
const subscriptionRows = async () =>
  (await db.pool.query(`select fan_id, endpoint, p256dh, status from push_subscriptions order by id`)).rows;

describe('registration', () => {
  it('refuses endpoints that would make the worker call inside the network, naming the field and rule', async () => {
    const before = await subscriptionRows();
    const cases: [string, string][] = [
      ['https://127.0.0.1:5432/', ENDPOINT_RULES.port],
      ['https://169.254.169.254/latest/meta-data/', ENDPOINT_RULES.publicAddress],
      ['https://10.0.0.1/', ENDPOINT_RULES.publicAddress],
      ['https://2130706433/', ENDPOINT_RULES.publicAddress],
      ['https://0x7f.1/', ENDPOINT_RULES.publicAddress],
      ['https://[::ffff:192.168.1.1]/', ENDPOINT_RULES.publicAddress],
      ['https://[fd00::1]/', ENDPOINT_RULES.publicAddress],
      ['https://rebind.test/push/1', ENDPOINT_RULES.publicAddress],
      ['https://metadata.test/push/1', ENDPOINT_RULES.publicAddress],
      ['https://unknown.test/push/1', ENDPOINT_RULES.resolves],
      ['http://push.public.test/push/1', ENDPOINT_RULES.https],
      ['https://push.public.test:8443/push/1', ENDPOINT_RULES.port],
    ];
    for (const [endpoint, rule] of cases) {
      const r = await register(0, { endpoint, keys: browserKeys() });
      expect({ endpoint, status: r.status, errors: r.json.errors }).toEqual({
        endpoint,
        status: 400,
        errors: [{ field: 'endpoint', rule }],
      });
    }
    expect(await subscriptionRows()).toEqual(before);
    expect((await register(0, { endpoint: 'https://push.public.test/push/1', keys: browserKeys() })).status).toBe(201);
  });

  it('refuses a p256dh key that is not a point on the curve', async () => {
    const off = createECDH('prime256v1').generateKeys();
    off[64] = off[64]! ^ 1;
    const r = await register(1, {
      endpoint: 'https://push.public.test/push/off',
      keys: { ...browserKeys(), p256dh: off.toString('base64url') },
    });
    expect(r).toEqual({ status: 400, json: { errors: [{ field: 'keys.p256dh', rule: KEY_RULES.p256dh }] } });
  });

  it('does not move an endpoint another fan holds, and lets its own fan refresh it', async () => {
    const victim = seeded[0]!;
    const before = await subscriptionRows();
    const taken = await register(1, { endpoint: victim.endpoint, keys: browserKeys() });
    expect(taken).toEqual({
      status: 409,
      json: { errors: [{ field: 'endpoint', rule: 'is registered to another fan' }] },
    });
    expect(await subscriptionRows()).toEqual(before);
    const refreshed = await register(0, { ...victim, keys: browserKeys() });
    expect(refreshed.status).toBe(200);
    const row = (await subscriptionRows()).find((r) => r.endpoint === victim.endpoint);
    expect(row).toMatchObject({ fan_id: audience.fanIds[0], status: 'active' });
    expect(row?.p256dh).not.toBe(victim.keys.p256dh);
    // Back to the keys the push service decrypts with, for the delivery tests below.
    expect((await register(0, victim)).status).toBe(200);
  });
});

describe('delivery', () => {
  /** A sender that allows the local push service and, by name, the internal listener's port. */
  function sender(extra: Partial<PushEndpointPolicy> = {}): PushSender {
    return createPushSender({
      vapidPublicKey: seededVapid.publicKey,
      vapidPrivateKey: seededVapid.privateKey,
      subject: 'mailto:push@fanfare.test',
      agent: push.agent,
      endpoints: {
        hosts: parsePushHosts(`${push.allowEntry},rebind.test:${internalPort},push.public.test`),
        resolve,
        ...extra,
      },
    });
  }
  let seededVapid: { publicKey: string; privateKey: string };
  beforeAll(async () => {
    seededVapid = await vapidKeys(db.pool);
  });
  const addSubscription = async (fan: number, endpoint: string, p256dh = browserKeys().p256dh) => {
    const r = await db.pool.query(
      `insert into push_subscriptions (fan_id, endpoint, p256dh, auth) values ($1, $2, $3, $4) returning id`,
      [audience.fanIds[fan], endpoint, p256dh, randomBytes(16).toString('base64url')],
    );
    return r.rows[0].id as number;
  };
  const delivery = async (decisionId: number) =>
    (
      await db.pool.query(`select status, error_code, error_message from deliveries where decision_id = $1`, [
        decisionId,
      ])
    ).rows[0];
  const subscriptionStatus = async (id: number) =>
    (await db.pool.query(`select status from push_subscriptions where id = $1`, [id])).rows[0].status;

  it('never connects to a name resolving to a private address at send time; retires the subscription', async () => {
    // Registered while the name was public, as far as the ledger knows; DNS now points it at loopback.
    const id = await addSubscription(2, `https://rebind.test:${internalPort}/push/1`);
    const d = await decideAlerts(db.pool, {
      creatorId: audience.creatorId,
      fanIds: [audience.fanIds[2]!],
      channels: ['push'],
      key: 'rebind',
    });
    const report = await deliverDecisions({ ...rig.deps, push: sender() }, d.push);
    expect(report).toMatchObject({ sent: 0, failed: 1, retry: 0, possiblySent: 0 });
    expect(await delivery(d.push[0]!)).toMatchObject({ status: 'failed', error_code: 'push_endpoint_refused' });
    expect((await delivery(d.push[0]!)).error_message).toMatch(/rebind\.test resolves to 127\.0\.0\.1/);
    expect(connections).toHaveLength(0);
    expect(await subscriptionStatus(id)).toBe('revoked');

    // Not retried forever: the next event finds no subscription to try.
    const again = await decideAlerts(db.pool, {
      creatorId: audience.creatorId,
      fanIds: [audience.fanIds[2]!],
      channels: ['push'],
      key: 'rebind-again',
    });
    expect(await deliverDecisions({ ...rig.deps, push: sender() }, again.push)).toMatchObject({ skipped: 1 });
    expect(connections).toHaveLength(0);

    // The listener does count connections: allowed by its address, the same sender reaches it.
    const m = {
      subscription: { endpoint: `https://127.0.0.1:${internalPort}/push/1`, keys: browserKeys() },
      payload: { title: 't', body: 'b', url: 'https://fanfare.test/', tag: 'x' },
      ttlSeconds: 60,
      urgency: 'normal' as const,
    };
    const allowing = sender({ hosts: parsePushHosts(`127.0.0.1:${internalPort}`) });
    await expect(allowing.send(m)).rejects.toMatchObject({ code: 'push_connection_failed' });
    expect(connections.length).toBeGreaterThan(0);
  });

  it('fails a stored off-curve key once and retires it; the fan’s good device still gets it', async () => {
    const off = createECDH('prime256v1').generateKeys();
    off[64] = off[64]! ^ 1;
    const bad = await addSubscription(1, 'https://push.public.test/push/bad-key', off.toString('base64url'));
    const d = await decideAlerts(db.pool, {
      creatorId: audience.creatorId,
      fanIds: [audience.fanIds[1]!, audience.fanIds[3]!],
      channels: ['push'],
      key: 'bad-key',
    });
    const before = push.received.length;
    // Fan 1 has its seeded device at the local push service and the bad row; fan 3 has only a bad row.
    const only = await addSubscription(3, 'https://push.public.test/push/bad-key-2', off.toString('base64url'));
    const report = await deliverDecisions({ ...rig.deps, push: sender() }, d.push);
    expect(report).toMatchObject({ sent: 1, failed: 1, retry: 0 });
    expect(push.received.length - before).toBe(1);
    const rows = await Promise.all(d.push.map(delivery));
    expect(rows.map((r) => r.status).sort()).toEqual(['failed', 'sent']);
    expect(rows.find((r) => r.status === 'failed')).toMatchObject({ error_code: 'push_key_invalid' });
    expect(await subscriptionStatus(bad)).toBe('revoked');
    expect(await subscriptionStatus(only)).toBe('revoked');
  });
});
