/**
 * Where a guest's request to the app itself (Spin's `self`: a relative URL) goes: the
 * app's own listener. Components are loaded, and their worker threads started, before
 * the listener has its port, so the port lives in shared memory that the main thread
 * fills in once it listens.
 */
import { randomBytes } from 'node:crypto';

export interface SelfOrigin {
  /** The host to connect to: the listener's, loopback for a wildcard address. */
  host: string;
  tls: boolean;
  /** One cell: the listener's port, 0 until it listens. Shared with worker threads. */
  port: Int32Array;
  /**
   * A secret of this process in the path of a chained request (chainPath), so that the
   * listener answers it with a private component, which no outside caller can name.
   */
  chainToken: string;
}

/** Where the listener takes chained requests: `<prefix><token>/<component><path>`. */
export const CHAIN_PREFIX = '/.well-known/spindle/chain/';

export function selfOrigin(listenHost: string, tls: boolean): SelfOrigin {
  const wildcard = listenHost === '0.0.0.0' || listenHost === '::' || listenHost === '';
  return {
    host: wildcard ? '127.0.0.1' : listenHost,
    tls,
    port: new Int32Array(new SharedArrayBuffer(4)),
    chainToken: randomBytes(24).toString('hex'),
  };
}

/** The listener's path for a request to `http://<componentId>.spin.internal<pathWithQuery>`. */
export function chainPath(origin: SelfOrigin, componentId: string, pathWithQuery: string): string {
  return `${CHAIN_PREFIX}${origin.chainToken}/${componentId}${pathWithQuery.startsWith('/') ? '' : '/'}${pathWithQuery}`;
}

/** The listener is up: requests to the app itself may go. */
export function selfListening(origin: SelfOrigin, port: number): void {
  Atomics.store(origin.port, 0, port);
}

/** `host:port` of the listener, or undefined while it does not listen (or cannot be named in an authority). */
export function selfAuthority(origin: SelfOrigin): string | undefined {
  const port = Atomics.load(origin.port, 0);
  if (port === 0 || origin.host.includes(':')) return undefined;
  return `${origin.host}:${port}`;
}
