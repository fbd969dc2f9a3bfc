import { lookup as dnsLookup } from 'node:dns';
import { isIP, LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');

/**
 * Whether an address (v4 or v6, from a URL literal or a DNS answer) is internal: anything
 * ipaddr.js does not classify as plain `unicast` — loopback, private, carrier-grade NAT,
 * link-local (cloud metadata at 169.254.169.254), unique- and site-local, multicast,
 * reserved, and every IPv6 form that carries an IPv4 address (mapped, compatible, NAT64,
 * 6to4, Teredo), which may reach an internal one. The ranges come from a maintained list,
 * not from a table of our own. Anything unparsable counts as internal.
 */
export function isInternalAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return true;
  const parsed = ipaddr.parse(address);
  if (parsed.range() !== 'unicast') return true;
  // ipaddr.js calls the rest of the IPv6 space unicast, the IPv4-compatible ::/96 included
  // (`[::127.0.0.1]` is written `[::7f00:1]` once a URL is parsed); only 2000::/3 is
  // allocated as global unicast (RFC 4291), so everything outside it is internal.
  return parsed.kind() === 'ipv6' && !(parsed as ipaddr.IPv6).match(GLOBAL_UNICAST_V6);
}

/** The host of a URL as an address when it is an IP literal (`[::1]` → `::1`), otherwise null. */
function literalAddress(hostname: string): string | null {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return isIP(bare) ? bare : null;
}

/**
 * Why a URL may not be registered, or null when it may. It is checked again before every
 * delivery (IP literals included: the policy may have tightened since), and host names are
 * checked once more at connect time (see `guardedLookup`), since DNS can change.
 */
export function urlProblem(raw: string, allowPrivate: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'url must be an absolute http or https URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'url must use http or https';
  // Credentials in a URL end up in logs and proxies; receivers authenticate us by the signature.
  if (url.username || url.password) return 'url must not contain credentials';
  if (allowPrivate) return null;
  // `localhost.` is the same name as `localhost` to DNS.
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return 'url must not target an internal address';
  const literal = literalAddress(host);
  if (literal && isInternalAddress(literal)) return 'url must not target an internal address';
  return null;
}

/**
 * A `dns.lookup` for http.request that refuses internal addresses at connect time, so a
 * host name that resolves (or is re-pointed) to an internal address is never connected to.
 */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const internal = addresses.find((entry) => isInternalAddress(entry.address));
    if (internal) {
      const refused: NodeJS.ErrnoException = new Error(`${hostname} resolves to an internal address`);
      refused.code = 'EWEBHOOKPRIVATE';
      return callback(refused, []);
    }
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
};
