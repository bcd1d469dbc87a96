import { type Attributes, SpanKind } from '@opentelemetry/api';
import type { CloudEvent } from '../event.ts';

/**
 * Span names, kinds and attributes after the OpenTelemetry messaging and CloudEvents
 * semantic conventions. The messaging attributes are still "development" in
 * @opentelemetry/semantic-conventions, whose advice is to copy them rather than import them.
 */
export const ATTR = {
  system: 'messaging.system',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  destination: 'messaging.destination.name',
  messageId: 'messaging.message.id',
  batchCount: 'messaging.batch.message_count',
  routingKey: 'messaging.rabbitmq.destination.routing_key',
  eventId: 'cloudevents.event_id',
  eventSource: 'cloudevents.event_source',
  eventType: 'cloudevents.event_type',
  eventSpecVersion: 'cloudevents.event_spec_version',
  eventSubject: 'cloudevents.event_subject',
  component: 'spindle.component.id',
  outcome: 'spindle.outcome',
  httpMethod: 'http.request.method',
  urlFull: 'url.full',
  serverAddress: 'server.address',
  serverPort: 'server.port',
} as const;

export interface SpanShape {
  name: string;
  kind: SpanKind;
  attributes(): Attributes;
}

/** The messaging.system of each built-in transport (semconv's well-known values where they exist). */
const SYSTEMS: Record<string, string> = {
  kafka: 'kafka',
  amqp: 'rabbitmq',
  amqps: 'rabbitmq',
  redis: 'redis',
  rediss: 'redis',
};

/** The span of one event's delivery: a server span for HTTP, a consumer span for the rest. */
export function processSpan(trigger: string, componentId: string, event: CloudEvent): SpanShape {
  const http = trigger === 'cloudevents' || trigger === 'http';
  return {
    name: `process ${componentId}`,
    kind: http ? SpanKind.SERVER : SpanKind.CONSUMER,
    attributes: () => ({
      [ATTR.system]: http ? 'http' : (SYSTEMS[trigger] ?? trigger),
      [ATTR.operationType]: 'process',
      [ATTR.operationName]: 'process',
      [ATTR.component]: componentId,
      [ATTR.messageId]: event.id,
      ...eventAttributes(event),
    }),
  };
}

export function invokeSpan(componentId: string, event: CloudEvent): SpanShape {
  return {
    name: `invoke ${componentId}`,
    kind: SpanKind.INTERNAL,
    attributes: () => ({ [ATTR.component]: componentId, [ATTR.eventId]: event.id, [ATTR.eventType]: event.type }),
  };
}

/** What the spans of sends to one sink share, read once from its URI (already redacted). */
export type SinkSpans = Omit<SpanShape, 'attributes'> & { attributes: Attributes; http: boolean };

/**
 * Sends to a sink: a client span for an HTTP POST, a producer span named after the topic,
 * stream, channel or exchange otherwise.
 */
export function sinkSpans(uri: string): SinkSpans {
  const url = URL.canParse(uri) ? new URL(uri) : undefined;
  const scheme = url?.protocol.replace(/:$/, '') ?? '';
  if (url !== undefined && (scheme === 'http' || scheme === 'https')) {
    const port = Number(url.port || (scheme === 'https' ? 443 : 80));
    return {
      name: 'POST',
      kind: SpanKind.CLIENT,
      http: true,
      attributes: {
        [ATTR.httpMethod]: 'POST',
        [ATTR.urlFull]: uri,
        [ATTR.serverAddress]: url.hostname,
        [ATTR.serverPort]: port,
      },
    };
  }
  const params = url?.searchParams;
  const destination =
    params?.get('stream') ??
    params?.get('channel') ??
    params?.get('exchange') ??
    url?.pathname.replace(/^\//, '') ??
    '';
  const routingKey = params?.get('routing_key');
  return {
    name: destination === '' ? 'send' : `send ${destination}`,
    kind: SpanKind.PRODUCER,
    http: false,
    attributes: {
      [ATTR.system]: SYSTEMS[scheme] ?? scheme,
      [ATTR.operationType]: 'send',
      [ATTR.operationName]: 'send',
      [ATTR.destination]: destination,
      ...(routingKey ? { [ATTR.routingKey]: routingKey } : {}),
      ...(server(url) ?? {}),
    },
  };
}

/** One send of `events` (of one trace) to a sink. */
export function sendSpan(sink: SinkSpans, events: readonly CloudEvent[]): SpanShape {
  return {
    name: sink.name,
    kind: sink.kind,
    attributes: () => {
      const [one] = events;
      if (events.length > 1 || one === undefined) return { ...sink.attributes, [ATTR.batchCount]: events.length };
      return { ...sink.attributes, ...(sink.http ? {} : { [ATTR.messageId]: one.id }), ...eventAttributes(one) };
    },
  };
}

function server(url: URL | undefined): Attributes | undefined {
  if (url === undefined || url.hostname === '') return undefined;
  return { [ATTR.serverAddress]: url.hostname, ...(url.port ? { [ATTR.serverPort]: Number(url.port) } : {}) };
}

function eventAttributes(event: CloudEvent): Attributes {
  return {
    [ATTR.eventId]: event.id,
    [ATTR.eventSource]: event.source,
    [ATTR.eventType]: event.type,
    [ATTR.eventSpecVersion]: event.specversion,
    ...(event.subject !== undefined ? { [ATTR.eventSubject]: event.subject } : {}),
  };
}
