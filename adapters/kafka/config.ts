/**
 * `[[trigger.kafka]]`, with `[application.trigger.kafka]` defaults already merged in:
 *
 *   [application.trigger.kafka]
 *   brokers = "{{ kafka_brokers }}"          # "host:port", "h1:p1,h2:p2" or a list
 *
 *   [[trigger.kafka]]
 *   topic = "orders"                         # or topics = ["a", "b"]
 *   group = "orders-transform"               # default spindle-<app name>
 *   from_beginning = true                    # a new group starts at the oldest record (default)
 *   message_type = "com.example.order"       # `type` of records that are not CloudEvents
 *   concurrency = 4                          # partitions processed at once
 *   session_timeout_ms = 30000               # how soon the group notices a dead process
 *   client_id = "orders-transform"           # default spindle-<app name>
 *   ssl = true                               # or { ca, cert, key, passphrase, servername, reject_unauthorized }
 *   sasl = { mechanism = "scram-sha-512", username = "...", password = "{{ kafka_password }}" }
 *   component = "transform"
 *   sink = "kafka://broker:9092/orders-out"
 *   dead_letter = "kafka://broker:9092/orders-dlq"
 *
 * `from_beginning` matters only for a group that has committed nothing yet: true means
 * records produced before the first deployment are processed too, which is what
 * at-least-once promises; false starts at the end of the topic (Kafka's `latest`).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import {
  type AppConfig,
  isTable,
  kind,
  parseRouteConfig,
  type RouteConfig,
  type TriggerTable,
} from '../../src/adapter.ts';
import { type KafkaConnection, parseBrokers, SASL_MECHANISMS, type SaslMechanism } from './connection.ts';

export interface KafkaTriggerConfig extends RouteConfig {
  /** Where it came from, for errors: `trigger.kafka[0]`. */
  table: string;
  connection: KafkaConnection;
  topics: string[];
  group: string;
  fromBeginning: boolean;
  /** `type` of a record that is not a CloudEvent (the codec's default otherwise). */
  messageType?: string;
  concurrency: number;
  sessionTimeoutMs: number;
}

export const DEFAULT_CONCURRENCY = 4;
export const DEFAULT_SESSION_TIMEOUT_MS = 30_000;

/** Kafka's own rule for topic names (kafka.common.internals.Topic). */
const TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

export function parseKafkaTriggerConfig(table: TriggerTable, app: AppConfig): KafkaTriggerConfig {
  const route = parseRouteConfig(table);
  const messageType = table.optionalString('message_type');
  if (messageType === '') table.report('message_type', 'must not be empty');
  const config: KafkaTriggerConfig = {
    ...route,
    table: table.table,
    connection: parseConnection(table, app),
    topics: parseTopics(table),
    group: table.optionalString('group') ?? `spindle-${app.name}`,
    fromBeginning: table.optionalBoolean('from_beginning') ?? true,
    concurrency: table.optionalNumber('concurrency', { min: 1, integer: true }) ?? DEFAULT_CONCURRENCY,
    sessionTimeoutMs:
      table.optionalNumber('session_timeout_ms', { min: 1_000, integer: true }) ?? DEFAULT_SESSION_TIMEOUT_MS,
  };
  if (config.group === '') table.report('group', 'must not be empty');
  if (messageType !== undefined) config.messageType = messageType;
  return config;
}

function parseTopics(table: TriggerTable): string[] {
  const topic = table.optionalString('topic');
  const topics = table.optionalStrings('topics');
  if (topic !== undefined && topics !== undefined) {
    table.report('topics', "give either 'topic' or 'topics', not both");
  }
  const list = topic !== undefined ? [topic] : topics;
  if (list === undefined || list.length === 0) {
    throw table.error('topic', 'is required (a topic name, or topics = ["a", "b"])');
  }
  const field = topic !== undefined ? 'topic' : 'topics';
  for (const name of list) {
    if (!TOPIC.test(name)) {
      table.report(field, `${JSON.stringify(name)} is not a Kafka topic name (letters, digits, '.', '_', '-')`);
    }
  }
  return list;
}

function parseConnection(table: TriggerTable, app: AppConfig): KafkaConnection {
  const listed = table.optionalStrings('brokers');
  if (listed === undefined) {
    throw table.error('brokers', 'is required: set it here or once for the app in [application.trigger.kafka]');
  }
  const brokers = parseBrokers(listed);
  if (!brokers.ok) throw table.error('brokers', brokers.reason);
  const connection: KafkaConnection = {
    brokers: brokers.brokers,
    clientId: table.optionalString('client_id') ?? `spindle-${app.name}`,
  };
  const ssl = parseSsl(table, app);
  const sasl = parseSasl(table);
  if (ssl !== undefined) connection.ssl = ssl;
  if (sasl !== undefined) connection.sasl = sasl;
  return connection;
}

/** `ssl = true` or a table; `ca`, `cert` and `key` are PEM text or a file next to the manifest. */
function parseSsl(table: TriggerTable, app: AppConfig): boolean | ConnectionOptions | undefined {
  const raw = table.take('ssl');
  if (raw === undefined || typeof raw === 'boolean') return raw;
  if (!isTable(raw)) return table.report('ssl', `expected true, false or a table, got ${kind(raw)}`);
  const ssl = table.optionalTable('ssl');
  if (ssl === undefined) return undefined;
  const options: ConnectionOptions = {};
  for (const field of ['ca', 'cert', 'key'] as const) {
    const value = ssl.optionalString(field);
    const text = value === undefined ? undefined : pem(ssl, field, value, app.dir);
    if (text !== undefined) options[field] = text;
  }
  const passphrase = ssl.optionalString('passphrase');
  const servername = ssl.optionalString('servername');
  const rejectUnauthorized = ssl.optionalBoolean('reject_unauthorized');
  if (passphrase !== undefined) options.passphrase = passphrase;
  if (servername !== undefined) options.servername = servername;
  if (rejectUnauthorized !== undefined) options.rejectUnauthorized = rejectUnauthorized;
  ssl.done(['ca', 'cert', 'key', 'passphrase', 'servername', 'reject_unauthorized']);
  return options;
}

function pem(table: TriggerTable, field: string, value: string, dir: string): string | undefined {
  if (value.includes('-----BEGIN')) return value;
  const path = resolve(dir, value);
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? String(cause);
    return table.report(field, `is neither PEM text nor a readable file (${path}: ${reason})`);
  }
}

function parseSasl(table: TriggerTable): KafkaConnection['sasl'] {
  const sasl = table.optionalTable('sasl');
  if (sasl === undefined) return undefined;
  const mechanism = sasl.string('mechanism').toLowerCase();
  if (!SASL_MECHANISMS.includes(mechanism as SaslMechanism)) {
    sasl.report('mechanism', `expected one of ${SASL_MECHANISMS.join(', ')}, got ${JSON.stringify(mechanism)}`);
  }
  const username = sasl.string('username');
  const password = sasl.string('password');
  sasl.done(['mechanism', 'username', 'password']);
  return { mechanism: mechanism as SaslMechanism, username, password };
}
