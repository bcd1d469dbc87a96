import * as http from '@bytecodealliance/preview2-shim/http';
import { describe, expect, it } from 'vitest';
import { parseAllowedHost } from '../../../src/app/allowed-hosts.ts';
import {
  boundedOptions,
  checkOutbound,
  type OutboundConfig,
  type ShimOutgoingRequest,
  type ShimRequestOptions,
} from '../../../src/runtime/outbound-http.ts';
import { selfListening, selfOrigin } from '../../../src/runtime/self-origin.ts';

function config(patterns: string[], extra: Partial<OutboundConfig> = {}): OutboundConfig {
  return { componentId: 'enrich', allowedHosts: patterns.map(parseAllowedHost), timeoutMs: 1_000, ...extra };
}

function request(scheme: 'HTTP' | 'HTTPS', authority: string | undefined): ShimOutgoingRequest & { sent: string } {
  const state = { scheme, authority, path: '/x' };
  return {
    scheme: () => ({ tag: state.scheme }),
    authority: () => state.authority,
    pathWithQuery: () => state.path,
    setPathWithQuery: (p) => {
      state.path = p;
    },
    setScheme: (s) => {
      state.scheme = s.tag;
    },
    setAuthority: (a) => {
      state.authority = a;
    },
    get sent() {
      return `${state.scheme.toLowerCase()}://${state.authority}`;
    },
  };
}

describe('checkOutbound', () => {
  it('lets an allowed request leave unchanged', () => {
    const allowed = request('HTTPS', 'api.example.com');
    expect(checkOutbound(config(['https://*.example.com']), allowed)).toBeUndefined();
    expect(allowed.sent).toBe('https://api.example.com');
  });

  it('denies any other with HTTP-request-denied and a note naming host, component and field', () => {
    expect(checkOutbound(config(['https://*.example.com']), request('HTTP', 'api.example.com:8080'))).toEqual({
      code: { tag: 'HTTP-request-denied' },
      note: 'outbound HTTP from component enrich to http://api.example.com:8080 denied: http://api.example.com:8080 is not in its allowed_outbound_hosts (allowed: https://*.example.com)',
    });
    expect(checkOutbound(config([]), request('HTTPS', 'a.b'))?.note).toContain('(it allows none)');
  });

  it('checks service chaining (*.spin.internal) against the allow-list, then needs the listener from a worker', () => {
    const chained = request('HTTP', 'orders.spin.internal');
    expect(checkOutbound(config([]), chained)?.code).toEqual({ tag: 'HTTP-request-denied' });
    const self = selfOrigin('127.0.0.1', false);
    expect(checkOutbound(config(['http://*.spin.internal'], { self }), chained)).toEqual({
      code: { tag: 'destination-unavailable' },
      note: 'component enrich called http://orders.spin.internal (service chaining): the app has no listener to serve it',
    });
    selfListening(self, 3000);
    expect(checkOutbound(config(['http://*.spin.internal'], { self }), chained)?.note).toContain(
      'runs on the main thread',
    );
  });

  it('sends a relative request to the app itself only with self, and never from the main thread', () => {
    const self = selfOrigin('0.0.0.0', false);
    expect(checkOutbound(config(['https://a.b'], { self }), request('HTTP', undefined))?.code).toEqual({
      tag: 'HTTP-request-denied',
    });
    expect(checkOutbound(config(['http://self'], { self }), request('HTTP', undefined))?.note).toContain(
      'the app has no listener to serve it',
    );
    selfListening(self, 3000);
    // vitest runs this file on the main thread of its process: a guest here would wait for itself.
    expect(checkOutbound(config(['http://self'], { self }), request('HTTP', undefined))?.note).toContain(
      'runs on the main thread',
    );
  });
});

describe('boundedOptions', () => {
  const ms = (n: number) => BigInt(n) * 1_000_000n;
  const timeouts = (options: ReturnType<typeof boundedOptions>) => [
    options.connectTimeout(),
    options.firstByteTimeout(),
    options.betweenBytesTimeout(),
  ];

  it('bounds every wait by outbound_timeout_ms when the guest sets none', () => {
    expect(timeouts(boundedOptions(undefined, 1_000))).toEqual([ms(1_000), ms(1_000), ms(1_000)]);
  });

  it("keeps the guest's own timeouts when smaller; the shim's connect timeout also covers the first byte", () => {
    const { RequestOptions } = http.types as unknown as { RequestOptions: new () => ShimRequestOptions };
    const guest = new RequestOptions();
    guest.setConnectTimeout(ms(5_000));
    guest.setFirstByteTimeout(ms(200));
    guest.setBetweenBytesTimeout(ms(60_000)); // larger than the bound: the bound holds
    expect(timeouts(boundedOptions(guest, 1_000))).toEqual([ms(200), ms(200), ms(1_000)]);
  });
});
