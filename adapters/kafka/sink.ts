/**
 * The `kafka://` sink:
 *
 *   kafka://[user:password@]host:port/topic[?mode=structured][&brokers=h2:p2,h3:p3]
 *          [&tls=true][&sasl=plain|scram-sha-256|scram-sha-512][&client_id=...][&idempotent=true]
 *
 * Events are produced in binary mode unless `mode=structured`, with the `partitionkey`
 * extension as the record key (else the bytes of `spindlekeybase64`: the codec's Key
 * Mapper), acks from all in-sync replicas, and send() resolves only once Kafka
 * acknowledged every record. More bootstrap servers
 * go in `brokers=`: a URL has room for one host:port. `idempotent=true` turns on the
 * idempotent producer (no duplicates from the producer's own retries); it needs a broker
 * that grants producer ids, which the librdkafka mock cluster does not.
 */
import { Partitioners, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import {
  type CloudEvent,
  type EventSink,
  redactUrl,
  type SinkAdapter,
  SinkError,
  SpindleError,
} from '../../src/adapter.ts';
import { encode, type KafkaMode } from './codec.ts';
import { createKafka, type KafkaConnection, parseBrokers, SASL_MECHANISMS, type SaslMechanism } from './connection.ts';

export interface KafkaSinkOptions {
  connection: KafkaConnection;
  topic: string;
  mode: KafkaMode;
  idempotent: boolean;
}

const OPTIONS = ['mode', 'brokers', 'tls', 'sasl', 'client_id', 'idempotent'];

export class KafkaSink implements EventSink {
  readonly uri: string;
  readonly #producer: Producer;
  readonly #options: KafkaSinkOptions;

  constructor(uri: string, producer: Producer, options: KafkaSinkOptions) {
    this.uri = uri;
    this.#producer = producer;
    this.#options = options;
  }

  async send(events: CloudEvent[]): Promise<void> {
    if (events.length === 0) return;
    const { topic, mode } = this.#options;
    try {
      await this.#producer.send({ topic, acks: -1, messages: events.map((event) => encode(event, { mode })) });
    } catch (cause) {
      const ids = events.map((e) => e.id).join(', ');
      throw new SinkError(this.uri, `producing event ${ids} to topic ${topic} failed: ${messageOf(cause)}`, {
        cause,
        retriable: retriable(cause),
      });
    }
  }

  async close(): Promise<void> {
    await this.#producer.disconnect();
  }
}

/** Opens a connected producer; a broker that cannot be reached is a start-up error. */
export async function openKafkaSink(url: URL, logger: Logger): Promise<KafkaSink> {
  const shown = redactUrl(url);
  const options = parseSinkUri(url);
  const producer = createKafka(options.connection, logger).producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: true,
    idempotent: options.idempotent,
    ...(options.idempotent ? { maxInFlightRequests: 5 } : {}),
  });
  try {
    await producer.connect();
  } catch (cause) {
    throw new SinkError(shown, `cannot connect to ${options.connection.brokers.join(', ')}: ${messageOf(cause)}`, {
      cause,
    });
  }
  return new KafkaSink(shown, producer, options);
}

export function parseSinkUri(url: URL): KafkaSinkOptions {
  const fail = (reason: string) => new SpindleError(`sink ${redactUrl(url)}: ${reason}`);
  const topic = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (topic === '' || topic.includes('/')) {
    throw fail('expected kafka://host:port/topic (one topic name after the host)');
  }
  if (url.hostname === '') throw fail('names no broker: expected kafka://host:port/topic');
  const unknown = [...url.searchParams.keys()].filter((k) => !OPTIONS.includes(k));
  if (unknown.length > 0) throw fail(`unknown option '${unknown[0]}' (expected ${OPTIONS.join(', ')})`);
  const query = url.searchParams;
  const mode = query.get('mode') ?? 'binary';
  if (mode !== 'binary' && mode !== 'structured') throw fail(`mode must be binary or structured, got '${mode}'`);
  const brokers = parseBrokers([`${url.hostname}:${url.port || '9092'}`, ...query.getAll('brokers')]);
  if (!brokers.ok) throw fail(`brokers ${brokers.reason}`);
  const connection: KafkaConnection = { brokers: brokers.brokers, clientId: query.get('client_id') ?? 'spindle' };
  const tls = flag(query.get('tls'), 'tls', fail);
  if (tls) connection.ssl = true;
  const sasl = query.get('sasl');
  if (sasl !== null) {
    if (!SASL_MECHANISMS.includes(sasl as SaslMechanism)) {
      throw fail(`sasl must be one of ${SASL_MECHANISMS.join(', ')}, got '${sasl}'`);
    }
    if (url.username === '') throw fail('sasl needs a user and password: kafka://user:password@host:port/topic');
    connection.sasl = {
      mechanism: sasl as SaslMechanism,
      username: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
    };
  } else if (url.username !== '') {
    throw fail('has a user but no sasl mechanism: add ?sasl=plain (or scram-sha-256, scram-sha-512)');
  }
  return { connection, topic, mode, idempotent: flag(query.get('idempotent'), 'idempotent', fail) };
}

function flag(value: string | null, name: string, fail: (reason: string) => Error): boolean {
  if (value === null || value === 'false') return false;
  if (value === 'true' || value === '') return true;
  throw fail(`${name} must be true or false, got '${value}'`);
}

/** Whether another try can help: kafkajs marks what cannot (e.g. MESSAGE_TOO_LARGE). */
function retriable(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = (e as Error & { cause?: unknown }).cause) {
    if ((e as { retriable?: unknown }).retriable === false && e.name === 'KafkaJSProtocolError') return false;
  }
  return true;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export const kafkaSinkAdapter: SinkAdapter = {
  schemes: ['kafka'],
  check: (url) => void parseSinkUri(url),
  open: (url, { logger }) => openKafkaSink(url, logger),
};
