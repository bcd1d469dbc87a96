/**
 * Spin's `allowed_outbound_hosts` patterns, parsed and matched as Spin does
 * (fermyon/spin crates/factor-outbound-networking/src/config.rs):
 * `scheme://host[:port]`, where scheme is a word or `*`; host is a name, `*`,
 * `*.domain` (any subdomain, not the domain itself), `self` (the app), or an IP
 * network (`10.0.0.0/8`); port is a number, a range `a..b` (b excluded), `*`, or absent
 * (the scheme's well-known port). No path. Patterns are plain data so that they cross to
 * worker threads.
 */
import { BlockList, isIP } from 'node:net';

export type SchemePattern = { any: true } | { scheme: string };
export type HostPattern =
  | { any: true }
  | { self: true }
  | { suffix: string }
  | { name: string }
  | { network: string; prefix: number; family: 'ipv4' | 'ipv6' };
export type PortPattern = { any: true } | { from: number; to: number };

export interface AllowedHost {
  /** The pattern as written (templates expanded), for messages. */
  text: string;
  scheme: SchemePattern;
  host: HostPattern;
  port: PortPattern;
}

/** A pattern that Spin would refuse; the message completes "<field>: ...". */
export class AllowedHostSyntaxError extends Error {
  override name = 'AllowedHostSyntaxError';
}

const WELL_KNOWN_PORTS: Readonly<Record<string, number>> = {
  postgres: 5432,
  mysql: 3306,
  redis: 6379,
  mqtt: 1883,
  http: 80,
  https: 443,
};

/** Spin v1's allow-everything value, refused in `allowed_outbound_hosts`. */
export const ALLOW_ALL_V1 = 'insecure:allow-all';

/** Parse one pattern (templates already expanded). */
export function parseAllowedHost(pattern: string): AllowedHost {
  const text = pattern.trim();
  const fail = (reason: string) => new AllowedHostSyntaxError(`${JSON.stringify(text)} ${reason}`);
  if (text === ALLOW_ALL_V1) {
    throw fail("is not allowed: use '*://*:*' instead if you really want to allow all outbound traffic");
  }
  const schemeEnd = text.indexOf('://');
  if (schemeEnd < 0) throw fail("does not contain a scheme (e.g. 'http://' or '*://')");
  const scheme = text.slice(0, schemeEnd);
  const rest = text.slice(schemeEnd + 3);
  // As Spin: the port is after the last ':', and may only be followed by an empty path.
  const colon = rest.lastIndexOf(':');
  let host = colon < 0 ? rest : rest.slice(0, colon);
  let port = colon < 0 ? '' : rest.slice(colon + 1);
  const slash = port.indexOf('/');
  if (slash >= 0) {
    if (port.slice(slash + 1) !== '') throw fail('has a path, which allowed hosts may not have');
    port = port.slice(0, slash);
  }
  host = host.trim();
  return { text, scheme: parseScheme(scheme, fail), host: parseHost(host, fail), port: parsePort(port, scheme, fail) };
}

function parseScheme(scheme: string, fail: (reason: string) => Error): SchemePattern {
  if (scheme === '*') return { any: true };
  if (scheme.startsWith('{')) throw fail('uses a scheme list, which Spin does not support yet');
  if (!/^[A-Za-z]+$/.test(scheme)) throw fail(`has a scheme ${JSON.stringify(scheme)} that is not all letters`);
  return { scheme };
}

function parseHost(host: string, fail: (reason: string) => Error): HostPattern {
  if (host === '*') return { any: true };
  if (host === 'self') return { self: true };
  if (host.startsWith('{')) throw fail('uses a host list, which Spin does not support yet');
  const network = parseNetwork(host);
  if (network !== undefined) return network;
  const [, path] = host.split('/');
  if (path !== undefined && path !== '') throw fail('has a path, which allowed hosts may not have');
  if (host.startsWith('*.')) {
    const domain = host.slice(2);
    if (domain.includes('*')) throw fail('has a wildcard that is not a leading "*."');
    return { suffix: `.${domain}` };
  }
  if (host.includes('*')) throw fail('has a wildcard that is not a leading "*." (e.g. "*.example.com")');
  const name = host.replace(/\/+$/, '');
  if (name === '') throw fail('has no host');
  return { name };
}

/** `10.0.0.0/8`, `ff00::/8`: an IP network in CIDR notation. */
function parseNetwork(host: string): HostPattern | undefined {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(host);
  if (match === null) return undefined;
  const [, network = '', bits = ''] = match;
  const version = isIP(network);
  const prefix = Number(bits);
  if (version === 0 || prefix > (version === 4 ? 32 : 128)) return undefined;
  return { network, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

function parsePort(port: string, scheme: string, fail: (reason: string) => Error): PortPattern {
  if (port === '') {
    const known = WELL_KNOWN_PORTS[scheme];
    if (known === undefined) {
      throw fail(
        `has no port, and the scheme ${JSON.stringify(scheme)} has no well-known port (add ':<port>' or ':*')`,
      );
    }
    return { from: known, to: known };
  }
  if (port === '*') return { any: true };
  if (port.startsWith('{')) throw fail('uses a port list, which Spin does not support yet');
  const range = port.split('..');
  if (range.length === 2) {
    const [from = '', to = ''] = range;
    // Spin's ranges are Rust's `a..b`: b is excluded.
    return { from: portNumber(from, fail), to: portNumber(to, fail) - 1 };
  }
  const single = portNumber(port, fail);
  return { from: single, to: single };
}

function portNumber(text: string, fail: (reason: string) => Error): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value > 65_535) throw fail(`has a port ${JSON.stringify(text)} that is not a number`);
  return value;
}

/** Where a guest wants to go, as the allow-list sees it. */
export interface OutboundTarget {
  /** Without the ':' (`https`). */
  scheme: string;
  /** Lowercased; IPv6 in brackets (`[::1]`), as URL gives it. */
  host: string;
  /** Undefined: the scheme's default. */
  port: number | undefined;
}

/** The target of an absolute URL, or undefined when it has no host. */
export function outboundTarget(url: string): OutboundTarget | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.hostname === '') return undefined;
  return {
    scheme: parsed.protocol.slice(0, -1),
    host: parsed.hostname,
    port: parsed.port === '' ? undefined : Number(parsed.port),
  };
}

/** Whether one of `allowed` lets a guest reach `target` (a `self` pattern never matches a host). */
export function allows(allowed: readonly AllowedHost[], target: OutboundTarget): boolean {
  return allowed.some(
    (pattern) =>
      schemeAllows(pattern.scheme, target.scheme) &&
      hostAllows(pattern.host, target.host) &&
      portAllows(pattern.port, target),
  );
}

/** Whether a request with no host (to the app itself) is allowed: a `self` or `*` host for http(s). */
export function allowsSelf(allowed: readonly AllowedHost[]): boolean {
  return allowed.some(
    (pattern) =>
      (schemeAllows(pattern.scheme, 'http') || schemeAllows(pattern.scheme, 'https')) &&
      ('any' in pattern.host || 'self' in pattern.host),
  );
}

function schemeAllows(pattern: SchemePattern, scheme: string): boolean {
  return 'any' in pattern || pattern.scheme === scheme;
}

function hostAllows(pattern: HostPattern, host: string): boolean {
  if ('any' in pattern) return true;
  if ('self' in pattern) return false;
  if ('suffix' in pattern) return host.endsWith(pattern.suffix);
  if ('name' in pattern) return pattern.name === host;
  const address = host.replace(/^\[(.*)\]$/, '$1');
  const family = isIP(address);
  if (family === 0) return false;
  const list = new BlockList();
  list.addSubnet(pattern.network, pattern.prefix, pattern.family);
  return list.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

function portAllows(pattern: PortPattern, target: OutboundTarget): boolean {
  if ('any' in pattern) return true;
  const port = target.port ?? WELL_KNOWN_PORTS[target.scheme];
  return port !== undefined && port >= pattern.from && port <= pattern.to;
}

/**
 * Spin v1's `allowed_http_hosts` entry in the v2 form, as Spin converts it
 * (crates/manifest/src/compat.rs): `self` is `http://self`; any other host, bare or with
 * a scheme, allows both http and https on its port (the default when absent).
 * `insecure:allow-all` is handled by the caller (it stands for the whole list).
 */
export function fromAllowedHttpHost(entry: string): string[] {
  if (entry === 'self') return ['http://self'];
  const hasScheme = entry.includes('//');
  let url: URL;
  try {
    url = new URL(hasScheme ? entry : `http://${entry}`);
  } catch {
    throw new AllowedHostSyntaxError(`${JSON.stringify(entry)} is not a valid host or host:port`);
  }
  if (hasScheme && url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AllowedHostSyntaxError(`${JSON.stringify(entry)} is not a valid host or host:port`);
  }
  if (url.hostname === '') throw new AllowedHostSyntaxError(`${JSON.stringify(entry)} does not contain a host name`);
  if (url.pathname.length > 1 || url.search !== '') {
    throw new AllowedHostSyntaxError(`${JSON.stringify(entry)} contains a path; give a host and optional port only`);
  }
  // The URL parser drops a port that is its scheme's default, as Spin's does.
  const port = url.port === '' ? '' : `:${url.port}`;
  return [`http://${url.hostname}${port}`, `https://${url.hostname}${port}`];
}

/** Spin's conversion of `allowed_http_hosts = ["insecure:allow-all"]`. */
export const ALLOW_ALL_HTTP = ['http://*:*', 'https://*:*', 'http://self'];
