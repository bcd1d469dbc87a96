/**
 * `[[trigger.amqp]]`: one queue consumed along one route.
 *
 *   [application.trigger.amqp]
 *   url = "amqp://spindle:{{ amqp_password }}@rabbitmq:5672/orders"   # shared by every amqp trigger
 *
 *   [[trigger.amqp]]
 *   queue = "orders"                      # required
 *   exchange = "events"                   # optional: declared, and the queue bound to it
 *   exchange_type = "topic"               # direct, topic (default), fanout, headers
 *   binding_keys = ["order.*"]            # or binding_key = "..."; default "#" (topic), "" (fanout, headers)
 *   durable = true                        # queue and exchange survive a broker restart (default true)
 *   dead_letter_exchange = "orders-dlx"   # the queue's x-dead-letter-exchange (must exist)
 *   dead_letter_routing_key = "failed"    # optional x-dead-letter-routing-key
 *   declare = true                        # unset: use the queue and exchange as they are, declare what is missing;
 *                                         # true: always declare (fails if they exist with other arguments);
 *                                         # false: declare nothing, the queue must exist
 *   prefetch = 16                         # deliveries in flight at once
 *   message_type = "com.example.order"    # CloudEvent type of messages that are not CloudEvents
 *   password = "{{ amqp_password }}"      # optional: replaces the password in url (no escaping needed)
 *   tls = { ca = "ca.pem", cert = "client.pem", key = "client.key", servername = "...", reject_unauthorized = true }
 *   component = "transform"               # and sink, dead_letter, retry, filter as for every trigger
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SocketOptions } from 'amqplib';
import { type AppConfig, parseRouteConfig, type RouteConfig, redactUrl, type TriggerTable } from '../../src/adapter.ts';

export type ExchangeType = 'direct' | 'topic' | 'fanout' | 'headers';
const EXCHANGE_TYPES: readonly ExchangeType[] = ['direct', 'topic', 'fanout', 'headers'];

export interface AmqpTriggerConfig extends RouteConfig {
  /** `[trigger.amqp]` table name, for errors. */
  table: string;
  /** Connection URL with the password in it. */
  url: string;
  /** The URL without its password: for logs and errors. */
  safeUrl: string;
  socket: SocketOptions;
  queue: string;
  /**
   * `declare`: unset is 'if-missing' (an existing queue or exchange is used as it is);
   * true is 'always' (declared with spindle's arguments, a mismatch fails); false is
   * 'never' (the queue exists; spindle only checks it).
   */
  declare: DeclareMode;
  durable: boolean;
  exchange?: { name: string; type: ExchangeType; bindingKeys: string[] };
  /** The queue's dead-letter exchange, declared by spindle or (declare = false) stated by the user. */
  deadLetterExchange?: string;
  deadLetterRoutingKey?: string;
  prefetch: number;
  messageType?: string;
}

export type DeclareMode = 'if-missing' | 'always' | 'never';

export const DEFAULT_PREFETCH = 16;

export function parseAmqpTriggerConfig(table: TriggerTable, app: AppConfig): AmqpTriggerConfig {
  const route = parseRouteConfig(table);
  const url = parseUrl(table);
  const queue = table.string('queue');
  if (queue === '') table.report('queue', 'must not be empty (a server-named queue would be lost on restart)');
  const forced = table.optionalBoolean('declare');
  const declare: DeclareMode = forced === undefined ? 'if-missing' : forced ? 'always' : 'never';
  const durable = table.optionalBoolean('durable');
  const exchange = parseExchange(table);
  const deadLetterExchange = table.optionalString('dead_letter_exchange');
  const deadLetterRoutingKey = table.optionalString('dead_letter_routing_key');
  if (deadLetterRoutingKey !== undefined && deadLetterExchange === undefined) {
    table.report('dead_letter_routing_key', 'needs dead_letter_exchange');
  }
  if (declare === 'never') {
    const ignored = [durable === undefined ? undefined : 'durable', exchange && 'exchange'].filter(Boolean);
    for (const field of ignored) {
      table.report(field, 'has no effect with declare = false (spindle declares nothing): remove it');
    }
  }
  const prefetch = table.optionalNumber('prefetch', { min: 1, integer: true }) ?? DEFAULT_PREFETCH;
  if (prefetch > 65_535) table.report('prefetch', `must be at most 65535, got ${prefetch}`);
  const messageType = table.optionalString('message_type');
  const socket = parseTls(table, app, url);
  const config: AmqpTriggerConfig = {
    ...route,
    table: table.table,
    url: url.href,
    safeUrl: redactUrl(url),
    socket,
    queue,
    declare,
    durable: durable ?? true,
    prefetch,
  };
  if (exchange !== undefined) config.exchange = exchange;
  if (deadLetterExchange !== undefined) config.deadLetterExchange = deadLetterExchange;
  if (deadLetterRoutingKey !== undefined) config.deadLetterRoutingKey = deadLetterRoutingKey;
  if (messageType !== undefined) config.messageType = messageType;
  return config;
}

function parseUrl(table: TriggerTable): URL {
  const text = table.optionalString('url');
  if (text === undefined) {
    throw table.error(
      'url',
      'is required: amqp://user:password@host:5672/vhost, here or in [application.trigger.amqp]',
    );
  }
  if (!URL.canParse(text)) throw table.error('url', `is not a URL: ${JSON.stringify(redactUrl(text))}`);
  const url = new URL(text);
  if (url.protocol !== 'amqp:' && url.protocol !== 'amqps:') {
    throw table.error('url', `expected amqp:// or amqps://, got ${url.protocol}//`);
  }
  if (url.hostname === '') throw table.error('url', 'has no host');
  const password = table.optionalString('password');
  if (password !== undefined) url.password = password;
  return url;
}

function parseExchange(table: TriggerTable): AmqpTriggerConfig['exchange'] {
  const name = table.optionalString('exchange');
  const type = table.optionalString('exchange_type');
  const key = table.optionalString('binding_key');
  const keys = table.optionalStringList('binding_keys');
  if (name === undefined) {
    const stray = [type && 'exchange_type', key !== undefined && 'binding_key', keys && 'binding_keys'].find(Boolean);
    if (stray) throw table.error(stray, 'needs exchange (the exchange to bind the queue to)');
    return undefined;
  }
  if (name === '') throw table.error('exchange', 'the default exchange cannot be bound: leave exchange out');
  if (name.startsWith('amq.') && type !== undefined) {
    throw table.error('exchange_type', `'${name}' is a predeclared exchange: leave exchange_type out`);
  }
  if (type !== undefined && !EXCHANGE_TYPES.includes(type as ExchangeType)) {
    throw table.error('exchange_type', `expected one of ${EXCHANGE_TYPES.join(', ')}, got ${JSON.stringify(type)}`);
  }
  const exchangeType = (type ?? 'topic') as ExchangeType;
  if (key !== undefined && keys !== undefined)
    throw table.error('binding_keys', 'give binding_key or binding_keys, not both');
  const given = keys ?? (key === undefined ? undefined : [key]);
  if (given !== undefined && given.length === 0) throw table.error('binding_keys', 'must not be empty');
  if (given === undefined && exchangeType === 'direct') {
    throw table.error('binding_key', 'is required with a direct exchange (the routing key to receive)');
  }
  return { name, type: exchangeType, bindingKeys: given ?? [exchangeType === 'topic' ? '#' : ''] };
}

/** `tls = { ca, cert, key, passphrase, servername, reject_unauthorized }`, files relative to the app. */
function parseTls(table: TriggerTable, app: AppConfig, url: URL): SocketOptions {
  const tls = table.optionalTable('tls');
  if (tls === undefined) return {};
  if (url.protocol !== 'amqps:') table.report('tls', 'needs an amqps:// url');
  const socket: SocketOptions = {};
  const file = (field: 'ca' | 'cert' | 'key') => {
    const path = tls.optionalString(field);
    if (path === undefined) return undefined;
    try {
      return readFileSync(resolve(app.dir, path));
    } catch (error) {
      return tls.report(field, `cannot read ${path}: ${(error as Error).message}`);
    }
  };
  const ca = file('ca');
  const cert = file('cert');
  const key = file('key');
  if ((cert === undefined) !== (key === undefined)) tls.report(cert ? 'key' : 'cert', 'cert and key go together');
  const passphrase = tls.optionalString('passphrase');
  const servername = tls.optionalString('servername');
  const rejectUnauthorized = tls.optionalBoolean('reject_unauthorized');
  tls.done(['ca', 'cert', 'key', 'passphrase', 'servername', 'reject_unauthorized']);
  if (ca) socket.ca = [ca];
  if (cert) socket.cert = cert;
  if (key) socket.key = key;
  if (passphrase !== undefined) socket.passphrase = passphrase;
  if (servername !== undefined) socket.servername = servername;
  if (rejectUnauthorized !== undefined) socket.rejectUnauthorized = rejectUnauthorized;
  return socket;
}
