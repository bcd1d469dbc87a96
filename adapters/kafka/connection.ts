/**
 * How spindle reaches a Kafka cluster: bootstrap servers, client id, TLS and SASL, and
 * the kafkajs client built from them, logging through spindle's logger.
 */
import type { ConnectionOptions } from 'node:tls';
import { Kafka, type LogEntry, logLevel, type SASLOptions } from 'kafkajs';
import type { Logger } from 'pino';
import './quiet-request-queue.ts';

export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';
export const SASL_MECHANISMS: readonly SaslMechanism[] = ['plain', 'scram-sha-256', 'scram-sha-512'];

export interface KafkaConnection {
  /** Bootstrap servers, `host:port` each. */
  brokers: string[];
  clientId: string;
  /** `true` for TLS with the system's CAs, or Node TLS options (PEM text). */
  ssl?: boolean | ConnectionOptions;
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
}

/** `host:port`, `[v6]:port`. */
const BROKER = /^(?:\[[0-9a-fA-F:.]+\]|[^\s:,/[\]]+):\d{1,5}$/;

/**
 * Bootstrap servers from one or more strings, each possibly comma-separated (as a
 * `{{ variable }}` or an environment variable usually is). Returns the reason on error.
 */
export function parseBrokers(
  values: readonly string[],
): { ok: true; brokers: string[] } | { ok: false; reason: string } {
  const brokers = values.flatMap((v) => v.split(',')).map((b) => b.trim());
  if (brokers.length === 0 || brokers.every((b) => b === '')) return { ok: false, reason: 'lists no broker' };
  const bad = brokers.find((b) => !BROKER.test(b));
  if (bad !== undefined) {
    return { ok: false, reason: `expected host:port for every broker, got ${JSON.stringify(bad)}` };
  }
  return { ok: true, brokers };
}

/** A kafkajs client for `connection`; kafkajs's INFO chatter is logged at debug. */
export function createKafka(connection: KafkaConnection, logger: Logger): Kafka {
  return new Kafka({
    clientId: connection.clientId,
    brokers: connection.brokers,
    ...(connection.ssl === undefined ? {} : { ssl: connection.ssl }),
    ...(connection.sasl === undefined ? {} : { sasl: connection.sasl as SASLOptions }),
    logLevel: logLevel.INFO,
    logCreator: () => (entry: LogEntry) => log(logger, entry),
  });
}

function log(logger: Logger, { namespace, level, log }: LogEntry): void {
  const { message, timestamp: _timestamp, logger: _name, ...extra } = log;
  const fields = { kafkajs: namespace, ...extra };
  const text = `kafkajs: ${message}`;
  if (level === logLevel.ERROR) logger.error(fields, text);
  else if (level === logLevel.WARN) logger.warn(fields, text);
  else if (level === logLevel.INFO) logger.debug(fields, text);
  else logger.trace(fields, text);
}
