import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { stringify } from 'smol-toml';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeEntry } from '../../adapters/redis/codec.ts';
import { describeWithBroker, kafkaBrokers, kafkaTopic, redisUrl, uniqueName } from '../support/brokers.ts';
import { type EventReceiver, startReceiver } from '../support/event-receiver.ts';
import { KIND, type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from '../support/otlp-receiver.ts';
import { sampleValue, scrape } from '../support/prometheus-text.ts';
import { buildExampleTransform, type SpindleProcess, startSpindle } from '../support/spindle-process.ts';
import { waitFor } from '../support/wait.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE}-${CALLER}-01`;

let transform: string;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  transform = await buildExampleTransform();
}, 300_000); // componentize-js takes minutes on a loaded machine
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function receivers(): Promise<{ otlp: OtlpReceiver; sink: EventReceiver }> {
  const [otlp, sink] = await Promise.all([startOtlpReceiver(), startReceiver()]);
  cleanups.push(
    () => otlp.close(),
    () => sink.close(),
  );
  return { otlp, sink };
}

/** `spindle up` on the example transform with `triggers`, exporting traces to `otlp`. */
async function up(triggers: object, otlp: OtlpReceiver, env: NodeJS.ProcessEnv = {}): Promise<SpindleProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'spindle-tracing-'));
  const manifest = {
    application: { name: 'tracing' },
    trigger: triggers,
    component: { transform: { source: transform, variables: { suffix: '.transformed' } } },
  };
  writeFileSync(join(dir, 'spindle.toml'), stringify(manifest));
  const spindle = await startSpindle(['-f', dir, '--log-format', 'json'], {
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, ...env },
  });
  cleanups.push(() => spindle.stop('SIGKILL'));
  return spindle;
}

/** Stops spindle as a user does (it exports the spans it still holds), then waits for `count` spans. */
async function spansAfterStop(spindle: SpindleProcess, otlp: OtlpReceiver, count: number): Promise<ReceivedSpan[]> {
  expect(await spindle.stop()).toBe(0);
  await waitFor(() => otlp.spans.length >= count, { what: `${count} spans at the OTLP receiver` });
  return otlp.spans;
}

/** The one span whose parent is `parent` (or the caller's span id). */
function childOf(spans: ReceivedSpan[], parent: ReceivedSpan | string): ReceivedSpan {
  const id = typeof parent === 'string' ? parent : parent.spanId;
  const children = spans.filter((s) => s.parentSpanId === id);
  expect(children.map((s) => s.name)).toHaveLength(1);
  return children[0] as ReceivedSpan;
}

/** One event's way through spindle under `parent`: its process span, the invoke span, the send span. */
function hop(spans: ReceivedSpan[], parent: ReceivedSpan | string, processKind: number, sendKind: number) {
  const process = childOf(spans, parent);
  expect(process).toMatchObject({ name: 'process transform', kind: processKind });
  const invoke = childOf(spans, process);
  expect(invoke).toMatchObject({ name: 'invoke transform', kind: KIND.internal });
  const send = childOf(spans, invoke);
  expect(send.kind).toBe(sendKind);
  return { process, invoke, send };
}

describe('tracing the HTTP target', () => {
  it.each(['http/protobuf', 'http/json'])(
    'continues the caller’s traceparent header in process, invoke and POST spans exported over %s',
    async (protocol) => {
      const { otlp, sink } = await receivers();
      const spindle = await up({ cloudevents: [{ component: 'transform', sink: sink.url }] }, otlp, {
        OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
      });
      const response = await fetch(spindle.url, {
        method: 'POST',
        headers: {
          'ce-specversion': '1.0',
          'ce-id': 'order-1',
          'ce-source': '/shop',
          'ce-type': 'io.shop.order',
          'content-type': 'application/json',
          traceparent: TRACEPARENT,
          tracestate: 'shop=1',
        },
        body: '{"n":1}',
      });
      expect(response.ok).toBe(true);
      await waitFor(() => sink.events.length === 1, { what: 'the transformed event at the sink' });

      const spans = await spansAfterStop(spindle, otlp, 3);
      expect(otlp.contentTypes[0]).toBe(protocol === 'http/json' ? 'application/json' : 'application/x-protobuf');
      expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([TRACE]));
      expect(new Set(spans.map((s) => s.serviceName))).toEqual(new Set(['spindle']));

      const { process, send: post } = hop(spans, CALLER, KIND.server, KIND.client);
      expect(process.attributes).toMatchObject({
        'messaging.operation.type': 'process',
        'cloudevents.event_id': 'order-1',
        'cloudevents.event_type': 'io.shop.order',
        'spindle.outcome': 'emitted',
      });
      expect(post.name).toBe('POST');
      expect(post.attributes).toMatchObject({
        'url.full': sink.url,
        'cloudevents.event_type': 'io.shop.order.transformed',
      });

      // The event sent carries the POST span's context, as an extension and as W3C headers.
      const sent = `00-${TRACE}-${post.spanId}-01`;
      expect(sink.events[0]?.extensions).toMatchObject({ traceparent: sent, tracestate: 'shop=1' });
      expect(sink.headers[0]).toMatchObject({ traceparent: sent, 'ce-traceparent': sent, tracestate: 'shop=1' });
    },
  );

  it('exports nothing with OTEL_TRACES_EXPORTER=none, and hands the incoming trace context on unchanged', async () => {
    const { otlp, sink } = await receivers();
    const spindle = await up({ cloudevents: [{ component: 'transform', sink: sink.url }] }, otlp, {
      OTEL_TRACES_EXPORTER: 'none',
    });
    const headers = { 'ce-specversion': '1.0', 'ce-id': 'o', 'ce-source': '/s', 'ce-type': 't' };
    const response = await fetch(spindle.url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', traceparent: TRACEPARENT },
      body: '{"n":1}',
    });
    expect(response.ok).toBe(true);
    await waitFor(() => sink.events.length === 1, { what: 'the transformed event at the sink' });
    expect(await spindle.stop()).toBe(0);
    expect(otlp.contentTypes).toEqual([]);
    // The component emits an event without extensions: it goes on in the caller's trace.
    expect(sink.events[0]?.extensions.traceparent).toBe(TRACEPARENT);
    expect(sink.headers[0]?.traceparent).toBe(TRACEPARENT);
  });

  it('refuses to start on a protocol it cannot export', async () => {
    const { otlp } = await receivers();
    await expect(
      up({ cloudevents: [{ component: 'transform' }] }, otlp, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }),
    ).rejects.toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL='grpc': spindle exports traces over http\/protobuf or http\/json/);
  });
});

describeWithBroker(['redis', 'kafka'], 'tracing across brokers', () => {
  it('makes one trace of Redis stream -> component -> Kafka -> component -> HTTP sink, which /metrics counts at each hop', async () => {
    const { otlp, sink } = await receivers();
    const redis = new Redis(redisUrl());
    cleanups.push(async () => redis.disconnect());
    const [stream, topic] = [uniqueName('orders'), await kafkaTopic()];
    const spindle = await up(
      {
        redis: [
          {
            address: redisUrl(),
            stream,
            group: uniqueName('g'),
            component: 'transform',
            sink: `kafka://${kafkaBrokers().join(',')}/${topic}`,
          },
        ],
        kafka: [{ brokers: kafkaBrokers(), topic, group: uniqueName('g'), component: 'transform', sink: sink.url }],
      },
      otlp,
    );
    const order = {
      id: 'order-7',
      source: '/shop',
      type: 'io.shop.order',
      specversion: '1.0',
      datacontenttype: 'application/json',
      extensions: { traceparent: TRACEPARENT },
      data: new TextEncoder().encode('{"n":7}'),
    };
    await redis.xadd(stream, '*', ...encodeEntry(order));
    await waitFor(() => sink.events.length === 1, { what: 'the event at the HTTP sink', timeoutMs: 30_000 });
    expect(sink.events[0]?.type).toBe('io.shop.order.transformed.transformed');

    // /metrics counts the event at each hop: received, processed, emitted, sent.
    const metricsUrl = new URL('/metrics', spindle.url);
    const hopCounts = async (name: string, labels: Record<string, string> = {}) => {
      const samples = await scrape(metricsUrl);
      return ['redis[0]', 'kafka[0]'].map((trigger) =>
        sampleValue(samples, name, { trigger, component: 'transform', ...labels }),
      );
    };
    await waitFor(
      async () => (await hopCounts('spindle_event_outcomes_total', { outcome: 'processed' })).join() === '1,1',
      {
        what: 'the event processed at both hops in /metrics',
      },
    );
    expect(await hopCounts('messaging_client_consumed_messages_total')).toEqual([1, 1]);
    expect(await hopCounts('spindle_events_emitted_total')).toEqual([1, 1]);
    const sent = await scrape(metricsUrl);
    expect(sampleValue(sent, 'messaging_client_sent_messages_total', { sink: sink.url, error_type: '' })).toBe(1);

    const spans = await spansAfterStop(spindle, otlp, 6);
    expect(spans.map((s) => s.traceId)).toEqual(spans.map(() => TRACE));
    const fromRedis = hop(spans, CALLER, KIND.consumer, KIND.producer);
    expect(fromRedis.process.attributes).toMatchObject({
      'messaging.system': 'redis',
      'cloudevents.event_id': 'order-7',
    });
    expect(fromRedis.send.name).toBe(`send ${topic}`);
    expect(fromRedis.send.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.destination.name': topic,
    });
    const fromKafka = hop(spans, fromRedis.send, KIND.consumer, KIND.client);
    expect(fromKafka.process.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'cloudevents.event_type': 'io.shop.order.transformed',
    });
    const post = fromKafka.send;
    expect(post.name).toBe('POST');
    expect(sink.headers[0]?.traceparent).toBe(`00-${TRACE}-${post.spanId}-01`);
  });
});
