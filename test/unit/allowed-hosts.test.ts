// Spin's own examples (fermyon/spin crates/factor-outbound-networking/src/config.rs tests,
// crates/manifest/src/compat/allowed_http_hosts.rs), as spindle parses and matches them.
import { describe, expect, it } from 'vitest';
import {
  AllowedHostSyntaxError,
  allows,
  allowsSelf,
  fromAllowedHttpHost,
  outboundTarget,
  parseAllowedHost,
} from '../../src/app/allowed-hosts.ts';
import { resolveAllowedHosts } from '../../src/app/allowed-outbound-hosts.ts';

const allowed = (patterns: string[], url: string) => {
  const target = outboundTarget(url);
  if (target === undefined) throw new Error(`no host in ${url}`);
  return allows(patterns.map(parseAllowedHost), target);
};
const parse = (pattern: string) => {
  const { text: _text, ...rest } = parseAllowedHost(pattern);
  return rest;
};

describe('allowed_outbound_hosts patterns', () => {
  it('take the well-known port of the scheme when none is given, and ignore a trailing slash', () => {
    expect(parse('http://spin.fermyon.dev')).toEqual({
      scheme: { scheme: 'http' },
      host: { name: 'spin.fermyon.dev' },
      port: { from: 80, to: 80 },
    });
    expect(parse('http://spin.fermyon.dev/')).toEqual(parse('http://spin.fermyon.dev'));
    expect(parse('https://spin.fermyon.dev').port).toEqual({ from: 443, to: 443 });
    expect(parse('http://spin.fermyon.dev:4444/').port).toEqual({ from: 4444, to: 4444 });
  });

  it('read port ranges as Rust ranges (end excluded), any port, any scheme, any host', () => {
    expect(parse('http://spin.fermyon.dev:4444..5555').port).toEqual({ from: 4444, to: 5554 });
    expect(parse('*://spin.fermyon.dev:7777').scheme).toEqual({ any: true });
    expect(parse('*://*:*')).toEqual({ scheme: { any: true }, host: { any: true }, port: { any: true } });
  });

  it('read self, subdomain wildcards, IP addresses and IP networks', () => {
    expect(parse('http://self').host).toEqual({ self: true });
    expect(parse('http://*.example.com').host).toEqual({ suffix: '.example.com' });
    expect(parse('http://192.168.1.1:3002').host).toEqual({ name: '192.168.1.1' });
    expect(parse('http://[::1]:8001').host).toEqual({ name: '[::1]' });
    expect(parse('*://127.0.0.0/24:80').host).toEqual({ network: '127.0.0.0', prefix: 24, family: 'ipv4' });
    expect(parse('*://ff00::/8:80').host).toEqual({ network: 'ff00::', prefix: 8, family: 'ipv6' });
  });

  it.each([
    ['spin.fermyon.dev', 'does not contain a scheme'],
    ['spin.fermyon.dev:80', 'does not contain a scheme'],
    ['localhost:3001', 'does not contain a scheme'],
    ['http://[::1]', 'is not a number'],
    ['*://127.0.0.0/24', 'has no well-known port'],
    ['*://example.com', 'has no well-known port'],
    ['http://spin.fermyon.dev/a', 'has a path'],
    ['http://spin.fermyon.dev:6666/a/b', 'has a path'],
    ['http://*.fermyon.dev/a', 'has a path'],
    ['http://exa*mple.com', 'wildcard'],
    ['http://*.ex*ample.com', 'wildcard'],
    ['ht-tp://example.com', 'not all letters'],
    ['http://example.com:eighty', 'is not a number'],
    ['insecure:allow-all', "use '*://*:*' instead"],
  ])('refuse %s (%s)', (pattern, reason) => {
    expect(() => parseAllowedHost(pattern)).toThrow(AllowedHostSyntaxError);
    expect(() => parseAllowedHost(pattern)).toThrow(reason);
  });

  it('allow only the listed scheme, host and port', () => {
    const list = ['*://spin.fermyon.dev:443', 'http://example.com:8383'];
    expect(allowed(list, 'http://example.com:8383/foo/bar')).toBe(true);
    expect(allowed(list, 'https://spin.fermyon.dev')).toBe(true);
    expect(allowed(list, 'https://spin.fermyon.dev/')).toBe(true);
    expect(allowed(list, 'http://example.com/')).toBe(false);
    expect(allowed(list, 'http://google.com/')).toBe(false);
    expect(allowed(['https://my.api.com/'], 'https://my.api.com')).toBe(true);
  });

  it('allow any subdomain of a wildcard, never the domain itself', () => {
    const list = ['http://*.example.com', 'http://*.example2.com:8383'];
    expect(allowed(list, 'http://a.example.com/foo/bar')).toBe(true);
    expect(allowed(list, 'http://a.b.example.com/foo/bar')).toBe(true);
    expect(allowed(list, 'http://a.b.example2.com:8383/foo/bar')).toBe(true);
    expect(allowed(list, 'http://a.b.example2.com/foo/bar')).toBe(false);
    expect(allowed(list, 'http://example.com/foo/bar')).toBe(false);
    expect(allowed(list, 'http://example.com:8383/foo/bar')).toBe(false);
    expect(allowed(list, 'http://myexample.com/foo/bar')).toBe(false);
  });

  it('match IP networks and user info as Spin does', () => {
    expect(allowed(['*://127.0.0.1/24:63551'], 'tcp://127.0.0.1:63551')).toBe(true);
    expect(allowed(['*://127.0.0.1/24:63551'], 'tcp://127.0.1.1:63551')).toBe(false);
    expect(allowed(['*://ff00::/8:80'], 'http://[ff00::1]/')).toBe(true);
    expect(allowed(['mysql://xyz.com'], 'mysql://user:pass%23word@xyz.com')).toBe(true);
    expect(allowed(['https://example.com'], 'https://example.com/file@0.1.0.json')).toBe(true);
  });

  it('let self and * reach the app itself, and nothing else do so', () => {
    expect(allowsSelf(['http://self'].map(parseAllowedHost))).toBe(true);
    expect(allowsSelf(['*://*:*'].map(parseAllowedHost))).toBe(true);
    expect(allowsSelf(['https://example.com'].map(parseAllowedHost))).toBe(false);
    expect(allowed(['http://self'], 'http://self/')).toBe(false);
  });
});

describe('Spin v1 allowed_http_hosts', () => {
  it('allow http and https on the host and port, whatever scheme was written, as Spin converts them', () => {
    expect(fromAllowedHttpHost('spin.fermyon.dev')).toEqual(['http://spin.fermyon.dev', 'https://spin.fermyon.dev']);
    expect(fromAllowedHttpHost('spin.fermyon.dev:7777')).toEqual([
      'http://spin.fermyon.dev:7777',
      'https://spin.fermyon.dev:7777',
    ]);
    expect(fromAllowedHttpHost('https://spin.fermyon.dev:5555/')).toEqual([
      'http://spin.fermyon.dev:5555',
      'https://spin.fermyon.dev:5555',
    ]);
    expect(fromAllowedHttpHost('self')).toEqual(['http://self']);
    for (const pattern of fromAllowedHttpHost('spin.fermyon.dev:7777'))
      expect(() => parseAllowedHost(pattern)).not.toThrow();
  });

  it('refuse paths and other schemes', () => {
    expect(() => fromAllowedHttpHost('http://spin.fermyon.dev/a')).toThrow('contains a path');
    expect(() => fromAllowedHttpHost('ftp://spin.fermyon.dev')).toThrow('not a valid host');
  });
});

describe('resolveAllowedHosts (at start)', () => {
  const expand = (template: string) => template.replace('{{ host }}', 'api.example.com/v1');

  it('expands templates from the application variables and parses the result', () => {
    const [host] = resolveAllowedHosts('spin.toml', 'c', ['https://{{ host }}'], (t) => t.replace('{{ host }}', 'a.b'));
    expect(host?.text).toBe('https://a.b');
  });

  it('names the manifest, the component and the field of a pattern a variable made invalid', () => {
    expect(() =>
      resolveAllowedHosts('/app/spin.toml', 'enrich', ['http://self', 'https://{{ host }}'], expand),
    ).toThrow(
      '/app/spin.toml: [component.enrich] allowed_outbound_hosts[1]: "https://api.example.com/v1" has a path, which allowed hosts may not have (expanded from "https://{{ host }}")',
    );
  });
});
