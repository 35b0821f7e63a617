import { createECDH, randomBytes } from 'node:crypto';
import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { isPublicAddress } from './public-address.ts';
import {
  checkPushSubscription,
  DEFAULT_PUSH_HOSTS,
  ENDPOINT_RULES,
  endpointProblem,
  guardedLookup,
  isP256Point,
  KEY_RULES,
  PushEndpointRefused,
  parsePushHosts,
} from './push-endpoint.ts';

describe('isPublicAddress', () => {
  const refused: [string, string[]][] = [
    ['loopback', ['127.0.0.1', '127.255.255.254', '::1']],
    ['private', ['10.0.0.1', '10.255.255.255', '172.16.0.1', '172.31.255.255', '192.168.0.1', '192.168.255.255']],
    ['unique local IPv6', ['fc00::1', 'fd12:3456::1']],
    ['link-local and cloud metadata', ['169.254.0.1', '169.254.169.254', 'fe80::1', 'febf::1']],
    ['multicast', ['224.0.0.1', '239.255.255.250', 'ff02::1', 'ff0e::1']],
    ['unspecified and "this network"', ['0.0.0.0', '0.1.2.3', '::']],
    ['broadcast and class E', ['255.255.255.255', '240.0.0.1']],
    ['carrier-grade NAT', ['100.64.0.1', '100.127.255.254']],
    ['documentation', ['192.0.2.1', '198.51.100.7', '203.0.113.9', '2001:db8::1']],
    ['reserved, benchmarking, protocol assignments', ['192.0.0.8', '198.18.0.1', '198.19.255.1', '192.88.99.1']],
    [
      'IPv4-mapped IPv6 of refused IPv4',
      ['::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '::ffff:169.254.169.254'],
    ],
    ['IPv4-compatible IPv6 (deprecated; URL and DNS spell it in hex)', ['::7f00:1', '::808:808', '::a9fe:a9fe']],
    ['translation prefixes that could carry any IPv4', ['64:ff9b::a00:1', '2002:7f00:1::1', '2001:0:4136:e378::1']],
    ['outside global unicast 2000::/3', ['100::1', '4000::1', 'fec0::1']],
    ['not an address', ['localhost', '', 'example.com', '1.2.3.4.5']],
  ];
  for (const [name, addresses] of refused) {
    it(`refuses ${name}`, () => {
      for (const a of addresses) expect(isPublicAddress(a), a).toBe(false);
    });
  }

  it('accepts public IPv4, IPv6 and IPv4-mapped public addresses', () => {
    for (const a of ['8.8.8.8', '142.250.74.10', '1.1.1.1', '2a00:1450:4001:82b::200a', '::ffff:8.8.8.8'])
      expect(isPublicAddress(a), a).toBe(true);
  });
});

const ANY_PUBLIC = { hosts: parsePushHosts('*') };
const table = (entries: Record<string, string[]>) => async (hostname: string) => {
  const addresses = entries[hostname];
  if (!addresses) throw Object.assign(new Error(`${hostname}: not found`), { code: 'ENOTFOUND' });
  return addresses.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 }));
};

describe('endpointProblem', () => {
  it('refuses IP literals of every spelling that are not public, even where any host is allowed', async () => {
    for (const endpoint of [
      'https://127.0.0.1/push/1',
      'https://2130706433/',
      'https://0x7f.1/',
      'https://0177.0.0.1/',
      'https://127.1/',
      'https://[::1]/',
      'https://[::ffff:127.0.0.1]/',
      'https://[::ffff:a9fe:a9fe]/latest/meta-data',
      'https://169.254.169.254/latest/meta-data',
      'https://10.0.0.1/',
      'https://172.16.5.4/',
      'https://192.168.1.1/',
      'https://100.64.0.1/',
      'https://[fe80::1]/',
      'https://[fd00::1]/',
      'https://0.0.0.0/',
      'https://255.255.255.255/',
      'https://224.0.0.1/',
    ])
      expect(await endpointProblem(endpoint, ANY_PUBLIC), endpoint).toBe(ENDPOINT_RULES.publicAddress);
  });

  it('refuses other schemes, credentials and ports other than 443', async () => {
    expect(await endpointProblem('http://fcm.googleapis.com/fcm/send/x', ANY_PUBLIC)).toBe(ENDPOINT_RULES.https);
    expect(await endpointProblem('ftp://fcm.googleapis.com/x', ANY_PUBLIC)).toBe(ENDPOINT_RULES.https);
    expect(await endpointProblem('not a url', ANY_PUBLIC)).toBe(ENDPOINT_RULES.https);
    expect(await endpointProblem('https://u:p@fcm.googleapis.com/x', ANY_PUBLIC)).toBe(ENDPOINT_RULES.credentials);
    for (const endpoint of ['https://127.0.0.1:5432/', 'https://8.8.8.8:8443/', 'https://fcm.googleapis.com:80/'])
      expect(await endpointProblem(endpoint, ANY_PUBLIC), endpoint).toBe(ENDPOINT_RULES.port);
    const resolve = table({ 'fcm.googleapis.com': ['142.250.74.10'] });
    expect(await endpointProblem('https://fcm.googleapis.com:443/fcm/send/x', { ...ANY_PUBLIC, resolve })).toBeNull();
  });

  it('by default allows only the browsers’ push services', async () => {
    const policy = { hosts: parsePushHosts('default'), resolve: table({}) };
    const resolve = table({
      'fcm.googleapis.com': ['142.250.74.10', '2a00:1450:4001:82b::200a'],
      'updates.push.services.mozilla.com': ['34.117.65.55'],
      'wns2-par02p.notify.windows.com': ['20.43.132.130'],
      'web.push.apple.com': ['17.188.182.9'],
      'push.evil.example': ['93.184.216.34'],
    });
    for (const endpoint of [
      'https://fcm.googleapis.com/fcm/send/abc',
      'https://updates.push.services.mozilla.com/wpush/v2/abc',
      'https://wns2-par02p.notify.windows.com/w/?token=abc',
      'https://web.push.apple.com/QGz',
    ])
      expect(await endpointProblem(endpoint, { ...policy, resolve }), endpoint).toBeNull();
    expect(await endpointProblem('https://push.evil.example/x', { ...policy, resolve })).toBe(ENDPOINT_RULES.host);
    expect(await endpointProblem('https://notify.windows.com.evil.example/x', policy)).toBe(ENDPOINT_RULES.host);
    expect(await endpointProblem('https://8.8.8.8/x', policy)).toBe(ENDPOINT_RULES.host);
    expect(parsePushHosts('default')).toHaveLength(DEFAULT_PUSH_HOSTS.length);
  });

  it('refuses an allowed name when any of its addresses is not public, or when it does not resolve', async () => {
    const resolve = table({
      'fcm.googleapis.com': ['142.250.74.10', '10.1.2.3'],
      'web.push.apple.com': ['::ffff:169.254.169.254'],
    });
    const policy = { hosts: parsePushHosts('default'), resolve };
    expect(await endpointProblem('https://fcm.googleapis.com/x', policy)).toBe(ENDPOINT_RULES.publicAddress);
    expect(await endpointProblem('https://web.push.apple.com/x', policy)).toBe(ENDPOINT_RULES.publicAddress);
    expect(await endpointProblem('https://updates.push.services.mozilla.com/x', policy)).toBe(ENDPOINT_RULES.resolves);
  });

  it('lets an entry naming an IP literal and port reach exactly that address, nothing else', async () => {
    const policy = { hosts: parsePushHosts('default,127.0.0.1:8444,[::1]:8444') };
    expect(await endpointProblem('https://127.0.0.1:8444/push/1', policy)).toBeNull();
    expect(await endpointProblem('https://[::1]:8444/push/1', policy)).toBeNull();
    expect(await endpointProblem('https://2130706433:8444/push/1', policy)).toBeNull();
    expect(await endpointProblem('https://127.0.0.1:8445/push/1', policy)).toBe(ENDPOINT_RULES.port);
    expect(await endpointProblem('https://127.0.0.2:8444/push/1', policy)).toBe(ENDPOINT_RULES.port);
    expect(await endpointProblem('https://127.0.0.1/push/1', policy)).toBe(ENDPOINT_RULES.host);
    const local = { hosts: parsePushHosts('localhost:8444'), resolve: table({ localhost: ['127.0.0.1'] }) };
    expect(await endpointProblem('https://localhost:8444/push/1', local)).toBe(ENDPOINT_RULES.publicAddress);
  });
});

describe('parsePushHosts', () => {
  it('reads names, wildcards, ports and IP literals, normalised as URLs spell them', () => {
    expect(parsePushHosts(' FCM.googleapis.com , *.notify.windows.com,*:8443,127.0.0.1:8444,[::1]')).toEqual([
      { host: 'fcm.googleapis.com', wildcard: false, port: 443 },
      { host: 'notify.windows.com', wildcard: true, port: 443 },
      { host: '', wildcard: true, port: 8443 },
      { host: '127.0.0.1', wildcard: false, port: 8444 },
      { host: '[::1]', wildcard: false, port: 443 },
    ]);
  });

  it('refuses what is not a host[:port] pattern', () => {
    for (const bad of ['https://fcm.googleapis.com', 'fcm.googleapis.com/x', 'a@b', '*.127.0.0.1', 'host:99999', 'a b'])
      expect(() => parsePushHosts(bad), bad).toThrow(/pattern|domain/);
  });
});

describe('keys', () => {
  const point = () => createECDH('prime256v1').generateKeys();

  it('accepts a point on P-256 and refuses one off the curve, compressed or of the wrong length', () => {
    const good = point();
    expect(isP256Point(good)).toBe(true);
    const off = Buffer.from(good);
    off[64] = off[64]! ^ 1;
    expect(isP256Point(off)).toBe(false);
    expect(isP256Point(Buffer.concat([Buffer.from([0x04]), Buffer.alloc(64, 0xff)]))).toBe(false);
    const compressed = createECDH('prime256v1');
    compressed.generateKeys();
    expect(isP256Point(compressed.getPublicKey(null, 'compressed'))).toBe(false);
    expect(isP256Point(Buffer.concat([Buffer.from([0x05]), good.subarray(1)]))).toBe(false);
  });

  it('names each bad field of a subscription', async () => {
    const off = point();
    off[10] = off[10]! ^ 0x40;
    const errors = await checkPushSubscription(
      {
        endpoint: 'https://169.254.169.254/latest',
        keys: { p256dh: off.toString('base64url'), auth: randomBytes(15).toString('base64url') },
      },
      ANY_PUBLIC,
    );
    expect(errors).toEqual([
      { field: 'endpoint', rule: ENDPOINT_RULES.publicAddress },
      { field: 'keys.p256dh', rule: KEY_RULES.p256dh },
      { field: 'keys.auth', rule: KEY_RULES.auth },
    ]);
  });
});

describe('guardedLookup', () => {
  const lookup = (
    policy: Parameters<typeof guardedLookup>[0],
    host: string,
    options: { all?: boolean; family?: number },
  ) =>
    new Promise<{ err: NodeJS.ErrnoException | null; address: unknown; family?: number }>((resolve) =>
      guardedLookup(policy)(host, options, (err, address, family) => resolve({ err, address, family })),
    );
  const resolve = table({ good: ['142.250.74.10', '2a00:1450:4001:82b::200a'], mixed: ['142.250.74.10', '127.0.0.1'] });

  it('answers with the public addresses, as one or all as net asks', async () => {
    expect(await lookup({ hosts: [], resolve }, 'good', {})).toEqual({
      err: null,
      address: '142.250.74.10',
      family: 4,
    });
    expect((await lookup({ hosts: [], resolve }, 'good', { family: 6 })).address).toBe('2a00:1450:4001:82b::200a');
    expect((await lookup({ hosts: [], resolve }, 'good', { all: true })).address).toHaveLength(2);
  });

  it('refuses a name if any address is not public, even one of a family not asked for', async () => {
    const r = await lookup({ hosts: [], resolve }, 'mixed', { family: 4, all: true });
    expect(r.err).toBeInstanceOf(PushEndpointRefused);
    expect((r.err as PushEndpointRefused).rule).toBe(ENDPOINT_RULES.publicAddress);
    expect(r.err?.message).toMatch(/mixed resolves to 127\.0\.0\.1/);
    expect((await lookup({ hosts: [], resolve }, 'nowhere', {})).err?.code).toBe('ENOTFOUND');
  });
});
