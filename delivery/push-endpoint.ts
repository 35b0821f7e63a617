// Decides whether a push subscription may be called: https on 443 at an allowed push service, public addresses only.
import { createPublicKey } from 'node:crypto';
import { promises as dns, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import type { PushSubscriptionInput } from '../domain/fan.ts';
import type { FieldError } from '../domain/field-error.ts';
import { ipLiteral, isPublicAddress } from './public-address.ts';

/**
 * The browsers' push services: FCM (Chrome and most Chromium browsers), Mozilla's autopush (Firefox), WNS (Edge) and
 * Apple's (Safari). The word `default` in FANFARE_PUSH_HOSTS stands for this list.
 */
export const DEFAULT_PUSH_HOSTS = [
  'fcm.googleapis.com',
  'updates.push.services.mozilla.com',
  '*.notify.windows.com',
  'web.push.apple.com',
] as const;

/** One allowed push-service host: `name`, `*.domain` (any name under it), `*` (any host), or an IP literal. */
export interface PushHostPattern {
  /** As URL.hostname spells it (lower case, punycode, IPv6 in brackets); the parent domain of a wildcard. */
  host: string;
  wildcard: boolean;
  /** 443 unless the pattern names another port. */
  port: number;
}

export interface PushEndpointPolicy {
  hosts: readonly PushHostPattern[];
  /** Every address of a host name; dns.lookup by default, a fixed table in tests. */
  resolve?: (hostname: string) => Promise<LookupAddress[]>;
}

/** The rules an endpoint can break, as the API names them (field `endpoint`) and the ledger's messages quote them. */
export const ENDPOINT_RULES = {
  https: 'must be an https URL',
  credentials: 'must not carry a user name or password',
  port: 'must use port 443',
  host: 'must be at an allowed push service host',
  publicAddress: 'must resolve only to public addresses',
  resolves: 'must resolve to an address',
} as const;

export const KEY_RULES = {
  p256dh: 'must be an uncompressed point on the P-256 curve',
  auth: 'must be a 16-byte secret',
} as const;

/** Parses FANFARE_PUSH_HOSTS: comma-separated host[:port] patterns; `default` adds DEFAULT_PUSH_HOSTS. */
export function parsePushHosts(raw: string): PushHostPattern[] {
  const entries = raw
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  return entries.flatMap((e) => (e === 'default' ? DEFAULT_PUSH_HOSTS.map(parseHostPattern) : [parseHostPattern(e)]));
}

/** Only the browsers' push services, resolved by the system's DNS. */
export function defaultPushEndpoints(): PushEndpointPolicy {
  return { hosts: parsePushHosts('default') };
}

function parseHostPattern(entry: string): PushHostPattern {
  const wildcard = entry === '*' || entry.startsWith('*:') || entry.startsWith('*.');
  const rest = entry === '*' || entry.startsWith('*:') ? `any.invalid${entry.slice(1)}` : entry.replace(/^\*\./, '');
  let url: URL | undefined;
  try {
    url = new URL(`https://${rest}`);
  } catch {}
  if (url?.pathname !== '/' || url.search || url.hash || url.username || url.password || /[/?#@]/.test(rest))
    throw new Error(`"${entry}" is not a host[:port] pattern`);
  if (wildcard && ipLiteral(url.hostname) !== null) throw new Error(`"${entry}": a wildcard needs a domain name`);
  const host = entry === '*' || entry.startsWith('*:') ? '' : url.hostname.replace(/\.$/, '');
  return { host, wildcard, port: url.port ? Number(url.port) : 443 };
}

function matches(p: PushHostPattern, hostname: string, port: number): boolean {
  if (p.port !== port) return false;
  if (!p.wildcard) return hostname === p.host;
  return p.host === '' || (ipLiteral(hostname) === null && hostname.endsWith(`.${p.host}`));
}

export type EndpointCheck = { ok: true; url: URL; hostToResolve: string | null } | { ok: false; rule: string };

/**
 * What the URL alone decides. An IP literal must be public unless an allow-list entry names that very address (the
 * local push service of `fanfare dev` and the tests); a host name is left to resolve, and every address it resolves
 * to must be public, whatever the allow-list says, because DNS can change after an entry was written.
 */
export function checkEndpointUrl(endpoint: string, policy: PushEndpointPolicy): EndpointCheck {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return { ok: false, rule: ENDPOINT_RULES.https };
  }
  if (url.protocol !== 'https:') return { ok: false, rule: ENDPOINT_RULES.https };
  if (url.username || url.password) return { ok: false, rule: ENDPOINT_RULES.credentials };
  const hostname = url.hostname.replace(/\.$/, '');
  const port = url.port ? Number(url.port) : 443;
  const allowedBy = policy.hosts.find((p) => matches(p, hostname, port));
  if (!allowedBy) return { ok: false, rule: port === 443 ? ENDPOINT_RULES.host : ENDPOINT_RULES.port };
  const literal = ipLiteral(hostname);
  if (literal === null) return { ok: true, url, hostToResolve: hostname };
  // Only an entry naming this very address, never a wildcard, lets a literal be other than public.
  if (!allowedBy.wildcard) return { ok: true, url, hostToResolve: null };
  return isPublicAddress(literal)
    ? { ok: true, url, hostToResolve: null }
    : { ok: false, rule: ENDPOINT_RULES.publicAddress };
}

const systemResolve = (hostname: string) => dns.lookup(hostname, { all: true });

/** The URL's rules, then the name resolved now: what registration checks. Null when the endpoint may be called. */
export async function endpointProblem(endpoint: string, policy: PushEndpointPolicy): Promise<string | null> {
  const check = checkEndpointUrl(endpoint, policy);
  if (!check.ok) return check.rule;
  if (check.hostToResolve === null) return null;
  let addresses: LookupAddress[];
  try {
    addresses = await (policy.resolve ?? systemResolve)(check.hostToResolve);
  } catch {
    return ENDPOINT_RULES.resolves;
  }
  if (addresses.length === 0) return ENDPOINT_RULES.resolves;
  return addresses.every((a) => isPublicAddress(a.address)) ? null : ENDPOINT_RULES.publicAddress;
}

/** A browser's p256dh: 65 bytes, 0x04 then x and y, and (node:crypto checks) a point on the curve. */
export function isP256Point(key: Buffer): boolean {
  if (key.length !== 65 || key[0] !== 0x04) return false;
  const coordinate = (from: number) => key.subarray(from, from + 32).toString('base64url');
  try {
    createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: coordinate(1), y: coordinate(33) }, format: 'jwk' });
    return true;
  } catch {
    return false;
  }
}

/** Everything registration checks beyond the JSON's shape: the endpoint's rules and the keys' cryptography. */
export async function checkPushSubscription(
  s: PushSubscriptionInput,
  policy: PushEndpointPolicy,
): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  const rule = await endpointProblem(s.endpoint, policy);
  if (rule) errors.push({ field: 'endpoint', rule });
  if (!isP256Point(Buffer.from(s.keys.p256dh, 'base64url')))
    errors.push({ field: 'keys.p256dh', rule: KEY_RULES.p256dh });
  if (Buffer.from(s.keys.auth, 'base64url').length !== 16) errors.push({ field: 'keys.auth', rule: KEY_RULES.auth });
  return errors;
}

/** Why a connection to a push endpoint was not made; the sender maps it to the ledger's `push_endpoint_refused`. */
export class PushEndpointRefused extends Error {
  override readonly name = 'PushEndpointRefused';
  constructor(
    readonly rule: string,
    detail: string,
  ) {
    super(`push endpoint ${rule}: ${detail}`);
  }
}

/**
 * A `lookup` for the connection itself: it resolves the name and refuses unless every address is public, so the
 * address checked is the address connected to, with no gap for DNS to change in between. Node does not call it
 * for IP literals; checkEndpointUrl judges those.
 */
export function guardedLookup(policy: PushEndpointPolicy): LookupFunction {
  const resolve = policy.resolve ?? systemResolve;
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const refused = addresses.find((a) => !isPublicAddress(a.address));
        if (refused) {
          callback(
            new PushEndpointRefused(ENDPOINT_RULES.publicAddress, `${hostname} resolves to ${refused.address}`),
            '',
          );
          return;
        }
        const family = options.family === 4 || options.family === 6 ? options.family : undefined;
        const usable = family ? addresses.filter((a) => a.family === family) : addresses;
        if (usable.length === 0)
          callback(Object.assign(new Error(`${hostname}: no address`), { code: 'ENOTFOUND' }), '');
        else if (options.all) callback(null, usable);
        else callback(null, usable[0]!.address, usable[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };
}
