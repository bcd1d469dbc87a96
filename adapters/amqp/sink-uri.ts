import { readFileSync } from 'node:fs';
import type { SocketOptions } from 'amqplib';
import { redactUrl, SinkError } from '../../src/adapter.ts';
import type { AmqpMode, HeaderPrefix } from './codec.ts';

/** An `amqp(s)://` sink URI, read (see the top of sink.ts for the form). */
export interface AmqpSinkTarget {
  /** Connection URL for amqplib: the sink's own parameters removed, the password kept. */
  connectUrl: string;
  /** The URI without its password. */
  safeUri: string;
  socket: SocketOptions;
  /** '' is the default exchange, where the routing key names the queue. */
  exchange: string;
  /** undefined: each event's `type`. */
  routingKey?: string;
  mode: AmqpMode;
  headerPrefix: HeaderPrefix;
  mandatory: boolean;
  persistent: boolean;
}

const OWN = ['exchange', 'routing_key', 'mode', 'header_prefix', 'mandatory', 'persistent'];
const TLS = ['ca', 'cert', 'key', 'servername', 'reject_unauthorized'];
/** Connection parameters amqplib reads from the URL itself. */
const AMQPLIB = ['heartbeat', 'frameMax', 'channelMax', 'locale', 'maxFrameSize'];
const PREFIXES: readonly HeaderPrefix[] = ['', 'ce-', 'ce_', 'cloudEvents_'];

export function parseSinkUri(uri: URL): AmqpSinkTarget {
  const safeUri = redactUrl(uri);
  const fail = (reason: string) => new SinkError(safeUri, reason, { retriable: false });
  const params = uri.searchParams;
  for (const name of params.keys()) {
    if (![...OWN, ...TLS, ...AMQPLIB].includes(name)) {
      throw fail(`unknown parameter '${name}' (expected ${[...OWN, ...AMQPLIB].join(', ')}, or ${TLS.join(', ')})`);
    }
  }
  if (uri.hostname === '') throw fail('has no host: amqp://user:password@host:5672/vhost?exchange=...');
  const exchange = params.get('exchange') ?? '';
  const routingKey = params.get('routing_key') ?? undefined;
  if (exchange === '' && !routingKey) {
    throw fail('routing_key is required with the default exchange (it names the queue): add ?routing_key=<queue>');
  }
  const mode = params.get('mode') ?? 'binary';
  if (mode !== 'binary' && mode !== 'structured') throw fail(`mode must be binary or structured, got '${mode}'`);
  const headerPrefix = params.get('header_prefix') ?? '';
  if (!PREFIXES.includes(headerPrefix as HeaderPrefix)) {
    throw fail(`header_prefix must be one of ${PREFIXES.map((p) => `'${p}'`).join(', ')}, got '${headerPrefix}'`);
  }
  const connect = new URL(uri.href);
  for (const name of [...OWN, ...TLS]) connect.searchParams.delete(name);
  const target: AmqpSinkTarget = {
    connectUrl: connect.href,
    safeUri,
    socket: socketOptions(uri, fail),
    exchange,
    mode,
    headerPrefix: headerPrefix as HeaderPrefix,
    mandatory: flag(params, 'mandatory', fail),
    persistent: flag(params, 'persistent', fail),
  };
  if (routingKey) target.routingKey = routingKey;
  return target;
}

function flag(params: URLSearchParams, name: string, fail: (reason: string) => Error): boolean {
  const value = params.get(name) ?? 'true';
  if (value !== 'true' && value !== 'false') throw fail(`${name} must be true or false, got '${value}'`);
  return value === 'true';
}

function socketOptions(uri: URL, fail: (reason: string) => Error): SocketOptions {
  const params = uri.searchParams;
  const present = TLS.filter((name) => params.has(name));
  if (present.length === 0) return {};
  if (uri.protocol !== 'amqps:') throw fail(`${present[0]} needs an amqps:// URI`);
  const file = (name: string) => {
    const path = params.get(name);
    if (path === null) return undefined;
    try {
      return readFileSync(path);
    } catch (error) {
      throw fail(`${name}: cannot read ${path}: ${(error as Error).message}`);
    }
  };
  const socket: SocketOptions = {};
  const ca = file('ca');
  const cert = file('cert');
  const key = file('key');
  if (ca) socket.ca = [ca];
  if (cert) socket.cert = cert;
  if (key) socket.key = key;
  const servername = params.get('servername');
  if (servername) socket.servername = servername;
  if (params.has('reject_unauthorized')) socket.rejectUnauthorized = flag(params, 'reject_unauthorized', fail);
  return socket;
}
