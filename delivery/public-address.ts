// Says whether an IP address is on the public internet, the only kind a push endpoint may reach.
import ipaddr from 'ipaddr.js';

/** Global unicast IPv6 is allocated from 2000::/3; everything outside it is special or unassigned. */
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

/**
 * Public means ipaddr.js classifies it as plain `unicast`: not loopback, private (10/8, 172.16/12, 192.168/16,
 * fc00::/7), link-local (169.254/16, fe80::/10), multicast, unspecified, broadcast, carrier-grade NAT (100.64/10),
 * reserved or documentation ranges, nor a translation prefix (NAT64, 6to4, Teredo) that could carry any IPv4 address.
 * IPv4-mapped IPv6 (::ffff:a.b.c.d) is judged as the IPv4 address it maps. Text that is not an IP address is not
 * public.
 */
export function isPublicAddress(text: string): boolean {
  if (!ipaddr.isValid(text)) return false;
  let address = ipaddr.parse(text);
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress())
    address = (address as ipaddr.IPv6).toIPv4Address();
  if (address.kind() === 'ipv6' && !address.match(GLOBAL_UNICAST_V6)) return false;
  return address.range() === 'unicast';
}

/** An IP literal as URL.hostname gives it: dotted IPv4, or IPv6 in brackets; null for a host name. */
export function ipLiteral(hostname: string): string | null {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return ipaddr.isValid(bare) && (bare.includes(':') || ipaddr.IPv4.isValidFourPartDecimal(bare)) ? bare : null;
}
